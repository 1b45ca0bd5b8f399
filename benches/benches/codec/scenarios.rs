//! The rows: each packet kind's data, the checks that every implementation agrees on it, and
//! its operations with one closure per implementation. Both runners take them from here.

use crate::impls::*;
use crate::row::{Impl, Row};
use bytes::Bytes;
use criterion::measurement::Measurement;
use serde::de::DeserializeOwned;
use serde::Serialize;
use socketioxide_core::Str as SioStr;
use std::hint::black_box;
use volley_protocol::socket;

/// Builds one packet kind's rows (and runs its agreement checks).
pub type Build<M> = fn() -> Vec<Row<M>>;

/// Every packet kind in the order criterion runs them, each built when its turn comes (its data
/// dropped after its rows ran), labelled with the packet name its rows carry.
pub fn all<M: Measurement + 'static>() -> Vec<(&'static str, Build<M>)> {
    vec![
        ("small", small::<M>),
        ("1KiB", kib1::<M>),
        ("64KiB", kib64::<M>),
        ("binary64KiB", binary::<M>),
        ("binary64KiB", binary_shared::<M>),
        ("polling50", polling::<M>),
    ]
}

fn small<M: Measurement + 'static>() -> Vec<Row<M>> {
    event_rows("small", ("hello world".to_owned(), 42u32), true)
}

fn kib1<M: Measurement + 'static>() -> Vec<Row<M>> {
    event_rows("1KiB", (items(1024),), true)
}

fn kib64<M: Measurement + 'static>() -> Vec<Row<M>> {
    event_rows("64KiB", (items(64 * 1024),), true)
}

fn blob() -> Bytes {
    Bytes::from(
        (0..64 * 1024)
            .map(|i| (i * 31 % 251) as u8)
            .collect::<Vec<u8>>(),
    )
}

fn binary<M: Measurement + 'static>() -> Vec<Row<M>> {
    event_rows("binary64KiB", ("upload.bin".to_owned(), blob()), false)
}

/// One event scenario: encode (user data → wire), decode (wire → name + typed args, as for a
/// typed handler), decode_untyped (the same through full validation first, as for an untyped
/// handler), dispatch (wire → validated packet + name, no args parsed).
fn event_rows<M, T>(label: &'static str, args: T, floor: bool) -> Vec<Row<M>>
where
    M: Measurement + 'static,
    T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug + Clone + 'static,
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
    let row = |op, impls| Row {
        packet: label,
        op,
        wire,
        impls,
    };
    let mut rows = Vec::new();

    let mut impls = vec![
        {
            let args = args.clone();
            Impl::iter("volley", move || volley_encode(black_box(&args)))
        },
        {
            let args = args.clone();
            Impl::iter("socketioxide", move || sio_encode(black_box(&args)))
        },
    ];
    if floor {
        let args = args.clone();
        impls.push(Impl::iter("serde_json", move || {
            serde_json::to_vec(black_box(&args)).unwrap()
        }));
    }
    rows.push(row("encode", impls));

    // The decode row's socketioxide and floor, also the comparison of decode_untyped.
    let sio_decoder = || {
        let (text, bins) = (sio_text.clone(), sio_bins.clone());
        Impl::iter("socketioxide", move || {
            sio_decode::<T>(black_box(&text), black_box(&bins))
        })
    };
    let floor_decoder = || {
        let json = args_json.clone();
        Impl::iter("serde_json", move || {
            serde_json::from_str::<T>(black_box(&json)).unwrap()
        })
    };
    let mut impls = if enc.attachments.is_empty() {
        let enc = enc.clone();
        vec![
            Impl::iter("volley", move || volley_decode::<T>(black_box(&enc))),
            sio_decoder(),
        ]
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
        let (text, bins) = (enc.text.clone(), enc.attachments.clone());
        let (s_text, s_bins) = (sio_text.clone(), sio_bins.clone());
        vec![
            Impl::batched(
                "volley",
                move || (text.clone(), fresh_all(&bins)),
                |(text, bins)| volley_decode_owned::<T>(text, bins),
            ),
            Impl::batched(
                "socketioxide",
                move || (s_text.clone(), fresh_all(&s_bins)),
                |(text, bins)| sio_decode_owned::<T>(text, bins),
            ),
        ]
    };
    if floor {
        impls.push(floor_decoder());
    }
    rows.push(row("decode", impls));

    if enc.attachments.is_empty() {
        let text = enc.text.clone();
        let mut impls = vec![
            Impl::iter("volley", move || {
                volley_decode_untyped::<T>(black_box(&text))
            }),
            sio_decoder().paired_only(),
        ];
        if floor {
            impls.push(floor_decoder().paired_only());
        }
        rows.push(row("decode_untyped", impls));

        let text = enc.text.clone();
        let s_text = sio_text.clone();
        rows.push(row(
            "dispatch",
            vec![
                Impl::iter("volley", move || volley_dispatch(black_box(&text))),
                Impl::iter("socketioxide", move || sio_dispatch(black_box(&s_text))),
            ],
        ));
    }
    rows
}

/// The binary event with `socket::Binary` instead of `Bytes` on Volley's side (encoded and
/// decoded sharing the attachment, no copy); socketioxide's side is the same as in
/// `binary64KiB/encode` and `/decode` (`Bytes`).
fn binary_shared<M: Measurement + 'static>() -> Vec<Row<M>> {
    let blob = blob();
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
    vec![
        Row {
            packet: "binary64KiB",
            op: "encode_shared",
            wire,
            impls: vec![
                Impl::iter("volley", move || volley_encode(black_box(&shared_args))),
                Impl::iter("socketioxide", move || sio_encode(black_box(&args))),
            ],
        },
        Row {
            packet: "binary64KiB",
            op: "decode_shared",
            wire,
            impls: vec![
                Impl::iter("volley", move || {
                    volley_decode::<(String, socket::Binary)>(black_box(&enc))
                }),
                Impl::iter("socketioxide", move || {
                    sio_decode::<(String, Bytes)>(black_box(&sio_text), black_box(&sio_bins))
                }),
            ],
        },
    ]
}

/// A polling GET body of 50 events: encode = user data → one body; decode = body → 50 names +
/// typed args (typed handlers; decode_untyped: validated first, for untyped handlers).
/// socketioxide has no polling codec in these crates, so its side joins/splits the parser's
/// packets on `\x1e` with the `4` message prefix (the cheapest possible framing).
fn polling<M: Measurement + 'static>() -> Vec<Row<M>> {
    let all: Vec<Small> = (0..50).map(small_args).collect();
    let body = polling_encode_volley(&all);
    let sio_body = polling_encode_sio(&all);
    assert_eq!(&body[..], sio_body.as_bytes());
    let decode_volley = |body: &Bytes| polling_decode(body, read_typed::<Small>);
    let decode_volley_untyped = |body: &Bytes| polling_decode(body, read_untyped::<Small>);
    let sio_body = SioStr::from(sio_body);
    assert_eq!(decode_volley(&body).len(), 50);
    assert_eq!(decode_volley_untyped(&body), decode_volley(&body));
    assert_eq!(polling_decode_sio(&sio_body).len(), 50);
    let jsons: Vec<String> = all
        .iter()
        .map(|a| serde_json::to_string(a).unwrap())
        .collect();
    let wire = body.len() as u64;
    let row = |op, impls| Row {
        packet: "polling50",
        op,
        wire,
        impls,
    };
    let sio_decoder = || {
        let sio_body = sio_body.clone();
        Impl::iter("socketioxide", move || {
            polling_decode_sio(black_box(&sio_body))
        })
    };
    let floor_decoder = || {
        let jsons = jsons.clone();
        Impl::iter("serde_json", move || {
            polling_decode_serde(black_box(&jsons))
        })
    };
    let (a1, a2, a3) = (all.clone(), all.clone(), all);
    let (b1, b2) = (body.clone(), body);
    vec![
        row(
            "encode",
            vec![
                Impl::iter("volley", move || polling_encode_volley(black_box(&a1))),
                Impl::iter("socketioxide", move || polling_encode_sio(black_box(&a2))),
                Impl::iter("serde_json", move || polling_encode_serde(black_box(&a3))),
            ],
        ),
        row(
            "decode",
            vec![
                Impl::iter("volley", move || decode_volley(black_box(&b1))),
                sio_decoder(),
                floor_decoder(),
            ],
        ),
        row(
            "decode_untyped",
            vec![
                Impl::iter("volley", move || decode_volley_untyped(black_box(&b2))),
                sio_decoder().paired_only(),
                floor_decoder().paired_only(),
            ],
        ),
    ]
}
