//! Codec benchmarks: Volley vs socketioxide's parser (crates.io) vs bare serde_json, on the
//! same packets, in the same run. See benches/README.md for what each row measures.

use bytes::Bytes;
mod cpu_time;

use criterion::measurement::Measurement;
use criterion::{BatchSize, Criterion, Throughput};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use socketioxide_core::packet::{Packet as SioPacket, PacketData};
use socketioxide_core::parser::{Parse, ParseConfig, ParseError, ParserState};
use socketioxide_core::{Str as SioStr, Value as SioValue};
use socketioxide_parser_common::CommonParser;
use std::hint::black_box;
use std::time::Duration;
use volley_protocol::engine::{self, payload};
use volley_protocol::socket::{self, Decoded, Decoder, Encoded, UncheckedEvent};
use volley_protocol::Str;

const EVENT: &str = "message";

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
struct Item {
    id: u64,
    name: String,
    tags: Vec<String>,
    score: f64,
    active: bool,
    note: Option<String>,
}

fn items(target_len: usize) -> Vec<Item> {
    let mut out = Vec::new();
    let mut i = 0u64;
    while serde_json::to_vec(&out).unwrap().len() < target_len {
        out.push(Item {
            id: 1_000_000 + i * 7919,
            name: format!("user-{i} \"quoted\" é"),
            tags: vec!["alpha".into(), format!("t{}", i % 13), "γ".into()],
            score: i as f64 * 1.25 - 3.5,
            active: i % 3 == 0,
            note: (i % 2 == 0).then(|| "line\nbreak".to_owned()),
        });
        i += 1;
    }
    out
}

// ---- Volley ----

fn volley_encode<T: Serialize>(args: &T) -> Encoded {
    socket::encode_event("/", None, EVENT, args).unwrap()
}

/// A typed handler's text event (`SocketRef::on_args`): decoded up to its name (the server
/// looks the handler up by it), the arguments read by the one serde pass that also validates
/// them.
fn read_typed<T: DeserializeOwned>(e: UncheckedEvent) -> T {
    black_box(e.name());
    e.deserialize_args().unwrap()
}

/// An untyped handler's text event (`SocketRef::on` + `event.args::<T>()`): the whole packet
/// validated before the handler runs, then deserialized.
fn read_untyped<T: DeserializeOwned>(e: UncheckedEvent) -> T {
    black_box(e.name());
    e.check().unwrap().deserialize_args().unwrap()
}

fn unchecked(d: &mut Decoder, text: Str) -> UncheckedEvent {
    match d.decode_text_deferred(text).unwrap() {
        Some(Decoded::Event(e)) => e,
        _ => unreachable!("a text event"),
    }
}

/// What a typed handler's event costs the server: a text event as in [`read_typed`]; a
/// binary one is validated when it arrives (placeholders), then deserialized.
fn volley_decode<T: DeserializeOwned>(enc: &Encoded) -> T {
    let mut d = Decoder::new();
    if enc.attachments.is_empty() {
        return read_typed(unchecked(&mut d, enc.text.clone()));
    }
    let mut p = d.decode_text(enc.text.clone()).unwrap();
    for a in &enc.attachments {
        p = d.decode_binary(a.clone()).unwrap();
    }
    let p = p.unwrap();
    black_box(p.event_name().unwrap());
    p.deserialize_args().unwrap()
}

/// [`volley_decode`] of a binary event as a transport hands it over and a typed handler takes
/// it: the attachments are the caller's to give away, and the packet is consumed.
fn volley_decode_owned<T: DeserializeOwned>(text: Str, attachments: Vec<Bytes>) -> T {
    let mut d = Decoder::new();
    let mut p = d.decode_text(text).unwrap();
    for a in attachments {
        p = d.decode_binary(a).unwrap();
    }
    let p = p.unwrap();
    black_box(p.event_name().unwrap());
    p.into_args().unwrap()
}

/// A copy of `b` in a buffer of its own, as a transport produces a received attachment: the
/// polling transport's base64 decode writes it into a new allocation (with the 2 bytes of
/// slack its length estimate leaves for 64 KiB).
fn fresh(b: &Bytes) -> Bytes {
    let mut v = Vec::with_capacity(b.len() + 2);
    v.extend_from_slice(b);
    Bytes::from(v)
}

/// Inputs built per batch for the fresh-input rows: one clock reading pair per batch (each a
/// system call for the thread's CPU time) while the batch's attachments stay within L2.
const FRESH_BATCH: BatchSize = BatchSize::NumIterations(8);

fn volley_decode_untyped<T: DeserializeOwned>(text: &Str) -> T {
    read_untyped(unchecked(&mut Decoder::new(), text.clone()))
}

/// A validated packet and its name, ready to route, forward or broadcast (what the server
/// does before an untyped handler runs), arguments unparsed.
fn volley_dispatch(text: &Str) -> socket::Packet {
    let e = unchecked(&mut Decoder::new(), text.clone());
    black_box(e.name());
    e.check().unwrap()
}

/// A polling body → each text event read by `read`.
fn polling_decode<T>(body: &Bytes, read: impl Fn(UncheckedEvent) -> T) -> Vec<T> {
    let mut d = Decoder::new();
    let mut out = Vec::with_capacity(50);
    for p in payload::decode(body.clone(), 1_000_000).unwrap() {
        let engine::Packet::Message(engine::Message::Text(t)) = p else {
            unreachable!()
        };
        out.push(read(unchecked(&mut d, t)));
    }
    out
}

// ---- socketioxide (socketioxide-parser-common) ----

fn sio_encode<T: Serialize>(args: &T) -> SioValue {
    let v = CommonParser.encode_value(args, Some(EVENT)).unwrap();
    CommonParser.encode(SioPacket::event("/", v))
}

fn sio_parts(v: SioValue) -> (SioStr, Vec<Bytes>) {
    match v {
        SioValue::Str(s, bins) => (s, bins.map(Vec::from).unwrap_or_default()),
        SioValue::Bytes(_) => unreachable!("the common parser encodes text"),
    }
}

fn sio_packet(text: &SioStr, bins: &[Bytes]) -> SioPacket {
    let cfg = ParseConfig::default();
    let state = ParserState::default();
    match CommonParser.decode_str(&cfg, &state, text.clone()) {
        Ok(p) => p,
        Err(ParseError::NeedsMoreBinaryData) => {
            let mut out = None;
            for b in bins {
                match CommonParser.decode_bin(&cfg, &state, b.clone()) {
                    Ok(p) => out = Some(p),
                    Err(ParseError::NeedsMoreBinaryData) => {}
                    Err(e) => panic!("{e:?}"),
                }
            }
            out.unwrap()
        }
        Err(e) => panic!("{e:?}"),
    }
}

/// The name is read (as a handler lookup would) but not copied; then the typed arguments.
fn sio_decode<T: DeserializeOwned>(text: &SioStr, bins: &[Bytes]) -> T {
    match sio_packet(text, bins).inner {
        PacketData::Event(mut v, _) | PacketData::BinaryEvent(mut v, _) => {
            black_box(CommonParser.read_event(&v).unwrap());
            CommonParser.decode_value(&mut v, true).unwrap()
        }
        _ => unreachable!(),
    }
}

/// [`sio_decode`] with attachments the caller gives away (as [`volley_decode_owned`]).
fn sio_decode_owned<T: DeserializeOwned>(text: SioStr, bins: Vec<Bytes>) -> T {
    let cfg = ParseConfig::default();
    let state = ParserState::default();
    let mut packet = match CommonParser.decode_str(&cfg, &state, text) {
        Err(ParseError::NeedsMoreBinaryData) => None,
        other => panic!("a binary packet: {other:?}"),
    };
    for b in bins {
        match CommonParser.decode_bin(&cfg, &state, b) {
            Ok(p) => packet = Some(p),
            Err(ParseError::NeedsMoreBinaryData) => {}
            Err(e) => panic!("{e:?}"),
        }
    }
    match packet.unwrap().inner {
        PacketData::BinaryEvent(mut v, _) => {
            black_box(CommonParser.read_event(&v).unwrap());
            CommonParser.decode_value(&mut v, true).unwrap()
        }
        _ => unreachable!(),
    }
}

fn sio_dispatch(text: &SioStr) -> usize {
    match sio_packet(text, &[]).inner {
        PacketData::Event(v, _) => CommonParser.read_event(&v).unwrap().len(),
        _ => unreachable!(),
    }
}

// ---- scenarios ----

/// One event scenario: encode (user data → wire), decode (wire → name + typed args, as for a
/// typed handler), decode_untyped (the same through full validation first, as for an untyped
/// handler), dispatch (wire → validated packet + name, no args parsed).
fn event_scenario<M, T>(c: &mut Criterion<M>, label: &str, args: T, floor: bool)
where
    M: Measurement,
    T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let enc = volley_encode(&args);
    let (sio_text, sio_bins) = sio_parts(sio_encode(&args));
    assert_eq!(
        &*enc.text, &*sio_text,
        "both encoders must produce the same packet"
    );
    assert_eq!(enc.attachments, sio_bins);
    assert_eq!(volley_decode::<T>(&enc), args);
    if enc.attachments.is_empty() {
        assert_eq!(
            volley_decode_untyped::<T>(&enc.text),
            volley_decode::<T>(&enc)
        );
    }
    assert_eq!(sio_decode::<T>(&sio_text, &sio_bins), args);
    let wire = (enc.text.len() + enc.attachments.iter().map(Bytes::len).sum::<usize>()) as u64;
    let args_json = serde_json::to_string(&args).unwrap();

    let mut g = c.benchmark_group(format!("{label}/encode"));
    g.throughput(Throughput::Bytes(wire));
    g.bench_function("volley", |b| b.iter(|| volley_encode(black_box(&args))));
    g.bench_function("socketioxide", |b| b.iter(|| sio_encode(black_box(&args))));
    if floor {
        g.bench_function("serde_json", |b| {
            b.iter(|| serde_json::to_vec(black_box(&args)).unwrap())
        });
    }
    g.finish();

    let mut g = c.benchmark_group(format!("{label}/decode"));
    g.throughput(Throughput::Bytes(wire));
    if enc.attachments.is_empty() {
        g.bench_function("volley", |b| b.iter(|| volley_decode::<T>(black_box(&enc))));
        g.bench_function("socketioxide", |b| {
            b.iter(|| sio_decode::<T>(black_box(&sio_text), black_box(&sio_bins)))
        });
    } else {
        // A server decodes attachments it has just received, in buffers of their own: each
        // iteration gets fresh ones (built untimed), on both sides.
        let fresh_all = |bins: &[Bytes]| bins.iter().map(fresh).collect::<Vec<_>>();
        assert_eq!(
            volley_decode_owned::<T>(enc.text.clone(), fresh_all(&enc.attachments)),
            args
        );
        assert_eq!(
            sio_decode_owned::<T>(sio_text.clone(), fresh_all(&sio_bins)),
            args
        );
        g.bench_function("volley", |b| {
            b.iter_batched(
                || (enc.text.clone(), fresh_all(&enc.attachments)),
                |(text, bins)| volley_decode_owned::<T>(text, bins),
                FRESH_BATCH,
            )
        });
        g.bench_function("socketioxide", |b| {
            b.iter_batched(
                || (sio_text.clone(), fresh_all(&sio_bins)),
                |(text, bins)| sio_decode_owned::<T>(text, bins),
                FRESH_BATCH,
            )
        });
    }
    if floor {
        g.bench_function("serde_json", |b| {
            b.iter(|| serde_json::from_str::<T>(black_box(&args_json)).unwrap())
        });
    }
    g.finish();

    if enc.attachments.is_empty() {
        // socketioxide and the floor are in `decode` (codec_report.py reads them from there).
        let mut g = c.benchmark_group(format!("{label}/decode_untyped"));
        g.throughput(Throughput::Bytes(wire));
        g.bench_function("volley", |b| {
            b.iter(|| volley_decode_untyped::<T>(black_box(&enc.text)))
        });
        g.finish();

        let mut g = c.benchmark_group(format!("{label}/dispatch"));
        g.throughput(Throughput::Bytes(wire));
        g.bench_function("volley", |b| {
            b.iter(|| volley_dispatch(black_box(&enc.text)))
        });
        g.bench_function("socketioxide", |b| {
            b.iter(|| sio_dispatch(black_box(&sio_text)))
        });
        g.finish();
    }
}

fn events<M: Measurement>(c: &mut Criterion<M>) {
    event_scenario(c, "small", ("hello world".to_owned(), 42u32), true);
    event_scenario(c, "1KiB", (items(1024),), true);
    event_scenario(c, "64KiB", (items(64 * 1024),), true);
    let blob = Bytes::from(
        (0..64 * 1024)
            .map(|i| (i * 31 % 251) as u8)
            .collect::<Vec<u8>>(),
    );
    event_scenario(
        c,
        "binary64KiB",
        ("upload.bin".to_owned(), blob.clone()),
        false,
    );
    binary_shared(c, blob);
}

/// The binary event with `socket::Binary` instead of `Bytes` on Volley's side (encoded and
/// decoded sharing the attachment, no copy); socketioxide's side is the same as in
/// `binary64KiB/encode` and `/decode` (`Bytes`).
fn binary_shared<M: Measurement>(c: &mut Criterion<M>, blob: Bytes) {
    let args = ("upload.bin".to_owned(), blob.clone());
    let enc = volley_encode(&args);
    let (sio_text, sio_bins) = sio_parts(sio_encode(&args));
    let (name, shared) = volley_decode::<(String, socket::Binary)>(&enc);
    assert_eq!((name.as_str(), &shared.0), ("upload.bin", &blob));
    assert_eq!(shared.0.as_ptr(), enc.attachments[0].as_ptr(), "no copy");
    let received = fresh(&blob);
    let at = received.as_ptr();
    let (_, moved) = volley_decode_owned::<(String, Bytes)>(enc.text.clone(), vec![received]);
    assert_eq!(
        moved.as_ptr(),
        at,
        "binary64KiB/decode: no copy of a fresh attachment"
    );
    let wire = (enc.text.len() + blob.len()) as u64;
    let shared_args = ("upload.bin".to_owned(), socket::Binary(blob.clone()));
    let shared_enc = volley_encode(&shared_args);
    assert_eq!(shared_enc, enc);
    assert_eq!(shared_enc.attachments[0].as_ptr(), blob.as_ptr(), "no copy");
    let mut g = c.benchmark_group("binary64KiB/encode_shared");
    g.throughput(Throughput::Bytes(wire));
    g.bench_function("volley", |b| {
        b.iter(|| volley_encode(black_box(&shared_args)))
    });
    g.bench_function("socketioxide", |b| b.iter(|| sio_encode(black_box(&args))));
    g.finish();
    let mut g = c.benchmark_group("binary64KiB/decode_shared");
    g.throughput(Throughput::Bytes(wire));
    g.bench_function("volley", |b| {
        b.iter(|| volley_decode::<(String, socket::Binary)>(black_box(&enc)))
    });
    g.bench_function("socketioxide", |b| {
        b.iter(|| sio_decode::<(String, Bytes)>(black_box(&sio_text), black_box(&sio_bins)))
    });
    g.finish();
}

type Small = (String, u32);

fn small_args(i: usize) -> Small {
    (format!("message number {i}"), i as u32)
}

/// A polling GET body of 50 events: encode = user data → one body; decode = body → 50 names +
/// typed args (typed handlers; decode_untyped: validated first, for untyped handlers). socketioxide has no polling codec in these crates, so its side joins/splits
/// the parser's packets on `\x1e` with the `4` message prefix (the cheapest possible framing).
fn polling<M: Measurement>(c: &mut Criterion<M>) {
    let all: Vec<Small> = (0..50).map(small_args).collect();
    let encode_volley = |all: &[Small]| {
        let packets: Vec<engine::Packet> = all
            .iter()
            .map(|a| engine::Packet::Message(engine::Message::Text(volley_encode(a).text)))
            .collect();
        payload::encode(&packets)
    };
    let encode_sio = |all: &[Small]| {
        let mut body = String::new();
        for (i, a) in all.iter().enumerate() {
            if i > 0 {
                body.push('\x1e');
            }
            body.push('4');
            body.push_str(sio_parts(sio_encode(a)).0.as_str());
        }
        body
    };
    let body = encode_volley(&all);
    let sio_body = encode_sio(&all);
    assert_eq!(&body[..], sio_body.as_bytes());
    let decode_volley = |body: &Bytes| polling_decode(body, read_typed::<Small>);
    let decode_volley_untyped = |body: &Bytes| polling_decode(body, read_untyped::<Small>);
    let decode_sio = |body: &SioStr| {
        let mut out = Vec::with_capacity(50);
        for part in body.as_str().split('\x1e') {
            let start = part.as_ptr() as usize - body.as_str().as_ptr() as usize;
            let text = body.slice(start + 1..start + part.len());
            out.push(sio_decode::<Small>(&text, &[]));
        }
        out
    };
    let sio_body = SioStr::from(sio_body);
    assert_eq!(decode_volley(&body).len(), 50);
    assert_eq!(decode_volley_untyped(&body), decode_volley(&body));
    assert_eq!(decode_sio(&sio_body).len(), 50);
    let jsons: Vec<String> = all
        .iter()
        .map(|a| serde_json::to_string(a).unwrap())
        .collect();

    let mut g = c.benchmark_group("polling50/encode");
    g.throughput(Throughput::Bytes(body.len() as u64));
    g.bench_function("volley", |b| b.iter(|| encode_volley(black_box(&all))));
    g.bench_function("socketioxide", |b| b.iter(|| encode_sio(black_box(&all))));
    g.bench_function("serde_json", |b| {
        b.iter(|| {
            black_box(&all)
                .iter()
                .map(|a| serde_json::to_vec(a).unwrap())
                .collect::<Vec<_>>()
        })
    });
    g.finish();

    let mut g = c.benchmark_group("polling50/decode");
    g.throughput(Throughput::Bytes(body.len() as u64));
    g.bench_function("volley", |b| b.iter(|| decode_volley(black_box(&body))));
    g.bench_function("socketioxide", |b| {
        b.iter(|| decode_sio(black_box(&sio_body)))
    });
    g.bench_function("serde_json", |b| {
        b.iter(|| {
            black_box(&jsons)
                .iter()
                .map(|j| serde_json::from_str::<Small>(j).unwrap())
                .collect::<Vec<_>>()
        })
    });
    g.finish();

    let mut g = c.benchmark_group("polling50/decode_untyped");
    g.throughput(Throughput::Bytes(body.len() as u64));
    g.bench_function("volley", |b| {
        b.iter(|| decode_volley_untyped(black_box(&body)))
    });
    g.finish();
}

fn run<M: Measurement + 'static>(c: Criterion<M>) {
    let mut c = c
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(30)
        .configure_from_args();
    events(&mut c);
    polling(&mut c);
}

fn main() {
    if std::env::var("VOLLEY_BENCH_CLOCK").as_deref() == Ok("wall") {
        run(Criterion::default());
    } else {
        run(Criterion::default().with_measurement(cpu_time::ThreadCpuTime));
    }
    Criterion::default().configure_from_args().final_summary();
}
