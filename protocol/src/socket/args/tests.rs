use super::*;
use crate::socket::PacketType;

fn event(data: &str) -> Packet {
    Packet::new(
        PacketType::Event,
        Str::from("/"),
        None,
        Some(Str::from(data)),
    )
}

#[test]
fn event_name_reads_only_the_first_element() {
    assert_eq!(event("[\"chat\",1]").event_name().unwrap(), "chat");
    assert_eq!(event(" [ \"a\\\"b\" ]").event_name().unwrap(), "a\"b");
    assert_eq!(event("[\"\\u0041\"]").event_name().unwrap(), "A");
    assert_eq!(event("[-1.5e3,{}]").event_name().unwrap(), "-1.5e3");
    assert_eq!(event("[{}]").event_name(), None);
    assert_eq!(event("[\"unterminated").event_name(), None);
    assert_eq!(event("{}").event_name(), None);
}

#[test]
fn deserialize_args_skips_the_name_and_ignores_extra_arguments() {
    let p = event("[\"e\",1,\"two\",[3]]");
    let (a, b): (u8, String) = p.deserialize_args().unwrap();
    assert_eq!((a, b.as_str()), (1, "two"));
    let all: Vec<serde_json::Value> = p.deserialize_args().unwrap();
    assert_eq!(all.len(), 3);
    let too_many: Result<(u8, String, Vec<u8>, u8), _> = p.deserialize_args();
    assert!(too_many.is_err());
    let ack = Packet::ack(Str::from("/"), 1, Str::from("[true]"), vec![]);
    let (t,): (bool,) = ack.deserialize_args().unwrap();
    assert!(t);
}

#[test]
fn deserialize_args_rebuilds_binary() {
    let p = Packet::event(
        Str::from("/"),
        Str::from("[\"f\",\"n\",{\"_placeholder\":true,\"num\":0}]"),
        vec![Bytes::from_static(b"xyz")],
    );
    let (n, b): (String, Bytes) = p.deserialize_args().unwrap();
    assert_eq!((n.as_str(), &b[..]), ("n", &b"xyz"[..]));
}

#[test]
fn args_deserialize_takes_exactly_every_argument() {
    let p = event("[\"e\",1,\"two\"]");
    let args = p.args().unwrap().unwrap();
    let (a, b): (u8, String) = args.deserialize().unwrap();
    assert_eq!((a, b.as_str()), (1, "two"));
    assert!(args.deserialize::<(u8,)>().is_err());
    assert!(args.deserialize::<(u8, String, u8)>().is_err());
    let bin = Packet::event(
        Str::from("/"),
        Str::from("[\"f\",{\"_placeholder\":true,\"num\":0},2]"),
        vec![Bytes::from_static(b"xyz")],
    );
    let args = bin.args().unwrap().unwrap();
    let (b, n): (Vec<u8>, u8) = args.deserialize().unwrap();
    assert_eq!((b.as_slice(), n), (&b"xyz"[..], 2));
    assert!(args.deserialize::<(Bytes,)>().is_err());
}

#[test]
fn decoded_payloads_split_arguments_only_when_asked() {
    let args = Args::from_decoded(Str::from("[\"e\",1,{\"a\":[2]}]"), true, vec![]).unwrap();
    assert_eq!(args.name(), Some("e"));
    let (n, _): (u8, serde_json::Value) = args.deserialize().unwrap();
    assert_eq!(n, 1);
    assert!(
        args.args.get().is_none(),
        "deserializing all arguments reads the JSON once"
    );
    assert_eq!(args.raw(), ["1", "{\"a\":[2]}"]);
    let ack = Args::from_decoded(Str::from("[true]"), false, vec![]).unwrap();
    assert_eq!((ack.name(), ack.len()), (None, 1));
    // Data that is not valid JSON after all has nothing to forward and does not deserialize.
    let bad = Args::from_decoded(Str::from("[\"e\",1,]"), true, vec![]).unwrap();
    assert!(bad.raw().is_empty());
    assert!(bad.deserialize::<(u8,)>().is_err());
    assert!(Args::from_decoded(Str::from("[{}]"), true, vec![]).is_none());
}

fn viewed(args: &Args) -> Vec<String> {
    let mut seen = Vec::new();
    args.raw_view().for_each(|a| seen.push(a.to_owned()));
    seen
}

#[test]
fn the_raw_view_lists_what_raw_lists_and_leaves_few_arguments_unlisted() {
    for n in [0, 1, 8, 9, 20] {
        let items: Vec<String> = (0..n).map(|i| format!("{{\"k\": [{i}]}}")).collect();
        for (data, event) in [
            (format!("[\"e\", {}]", items.join(" , ")), true),
            (format!("[{}]", items.join(",")), false),
        ] {
            let data = data.replace("[\"e\", ]", "[\"e\"]");
            let args = Args::from_decoded(Str::from(data.as_str()), event, vec![]).unwrap();
            let seen = viewed(&args);
            assert_eq!(args.args.get().is_some(), n > 8, "{data}");
            let listed: Vec<&str> = args.raw().iter().map(|a| a.as_str()).collect();
            assert_eq!(seen, listed, "{data}");
            assert_eq!(seen.len(), n, "{data}");
            // Once listed, the view reads the list.
            assert_eq!(viewed(&args), seen);
        }
    }
    let bad = Args::from_decoded(Str::from("[\"e\",1,]"), true, vec![]).unwrap();
    assert!(viewed(&bad).is_empty());
}

#[test]
fn binary_takes_the_attachment_without_a_copy() {
    use crate::socket::Binary;
    let att = Bytes::from(vec![7u8; 1000]);
    let ph = "{\"_placeholder\":true,\"num\":0}";
    let p = Packet::event(
        Str::from("/"),
        Str::from(format!("[\"e\",{ph},[{ph}],[1,2],\"s\"]")),
        vec![att.clone()],
    );
    let (a, b, c, d): (Binary, Vec<Binary>, Binary, Binary) = p.deserialize_args().unwrap();
    assert_eq!(a.0.as_ptr(), att.as_ptr());
    assert_eq!(b[0].0.as_ptr(), att.as_ptr());
    assert_eq!((&c.0[..], &d.0[..]), (&[1u8, 2][..], &b"s"[..]));
    let args = p.args().unwrap().unwrap();
    let one: Binary = args.get(0).unwrap();
    assert_eq!(one.0.as_ptr(), att.as_ptr());
    assert_eq!(
        agree::<(Binary, Vec<Binary>, Binary, Binary)>(
            &p.data.clone().unwrap(),
            std::slice::from_ref(&att)
        )
        .unwrap()
        .0,
        a
    );
    // A layout left to the `Value` path still gives the same bytes.
    let odd = "[\"e\",{\"num\":0,\"_placeholder\":true}]";
    let (b,): (Binary,) = agree(odd, std::slice::from_ref(&att)).unwrap();
    assert_eq!(b.0, att);
    // Without attachments, and through plain serde_json, it reads bytes like `Bytes` does.
    let (b,): (Binary,) = serde_json::from_str("[[3,4]]").unwrap();
    assert_eq!(&b.0[..], &[3, 4]);
    assert!(serde_json::from_str::<Binary>("{}").is_err());
}

#[test]
fn binary_is_emitted_as_a_shared_attachment() {
    use crate::socket::{to_event, Binary};
    let att = Bytes::from(vec![9u8; 100]);
    let shared = to_event("up", &("a", Binary(att.clone()), [Binary(att.clone())])).unwrap();
    let copied = to_event("up", &("a", att.clone(), [att.clone()])).unwrap();
    assert_eq!(shared, copied);
    assert_eq!(shared.attachments[0].as_ptr(), att.as_ptr());
    assert_eq!(shared.attachments[1].as_ptr(), att.as_ptr());
    // Anywhere else it is bytes, as `Bytes` is.
    assert_eq!(
        serde_json::to_string(&Binary(Bytes::from_static(b"\x01\x02"))).unwrap(),
        "[1,2]"
    );
    let one = to_event("up", &Binary(att.clone())).unwrap();
    assert_eq!(one.json, "[\"up\",{\"_placeholder\":true,\"num\":0}]");
}

#[test]
fn unit_takes_no_arguments_as_a_handler_without_parameters() {
    #[derive(Debug, PartialEq, serde::Deserialize)]
    struct Ping;
    assert_eq!(agree::<()>("[\"e\"]", &[]), Some(()));
    assert_eq!(agree::<Ping>("[\"e\"]", &[]), Some(Ping));
    // Taking every argument (`Args::deserialize`), more are still refused ...
    assert_eq!(agree::<()>("[\"e\",1]", &[]), None);
    // ... and ignored where a handler takes a prefix (`on_args`), binary ones included.
    let atts = [Bytes::from_static(b"x")];
    let binary = "[\"e\",{\"_placeholder\":true,\"num\":0},\"a\"]";
    for (data, atts) in [("[\"e\",1,{\"a\":[]}]", &[][..]), (binary, &atts[..])] {
        assert!(deserialize_seq::<()>(data, true, atts, Extra::Ignore).is_ok());
        assert!(deserialize_seq_values::<()>(data, true, atts, Extra::Ignore).is_ok());
    }
}

#[test]
fn arguments_left_out_are_none_to_an_option_as_undefined_is_in_javascript() {
    #[derive(Debug, PartialEq, serde::Deserialize)]
    struct Join(String, Option<String>);
    assert_eq!(agree::<(Option<u32>,)>("[\"e\"]", &[]), Some((None,)));
    assert_eq!(
        agree::<(u32, Option<u32>)>("[\"e\",5]", &[]),
        Some((5, None))
    );
    assert_eq!(
        agree::<Join>("[\"e\",\"lobby\"]", &[]),
        Some(Join("lobby".into(), None))
    );
    let atts = [Bytes::from_static(b"x")];
    let binary = "[\"e\",{\"_placeholder\":true,\"num\":0}]";
    assert_eq!(
        agree::<(Bytes, Option<Bytes>)>(binary, &atts),
        Some((atts[0].clone(), None))
    );
    // Anything but an `Option` still needs its argument; extra ones are still refused.
    assert_eq!(agree::<(u32, u32)>("[\"e\",5]", &[]), None);
    assert_eq!(agree::<(Option<u32>,)>("[\"e\",1,2]", &[]), None);
    assert_eq!(agree::<(Option<u32>, u32)>("[\"e\",1]", &[]), None);
}

/// The one-pass wrapper and the `Value` path agree (both `Ok` with the same value, or
/// both `Err`).
fn agree<T: DeserializeOwned + PartialEq + fmt::Debug>(data: &str, atts: &[Bytes]) -> Option<T> {
    let fast = deserialize_seq::<T>(data, true, atts, Extra::Refuse);
    let slow = deserialize_seq_values::<T>(data, true, atts, Extra::Refuse);
    match (fast, slow) {
        (Ok(a), Ok(b)) => {
            assert_eq!(a, b, "{data}");
            Some(a)
        }
        (Err(_), Err(_)) => None,
        (a, b) => panic!("{data}: one pass {a:?}, through Value {b:?}"),
    }
}

#[derive(Debug, PartialEq, serde::Deserialize)]
struct Upload {
    name: String,
    body: Option<Bytes>,
    parts: Vec<Bytes>,
}

#[derive(Debug, PartialEq, serde::Deserialize)]
enum Kind {
    File(Bytes),
    Text(String),
}

#[test]
fn binary_arguments_in_one_pass_match_the_value_path() {
    let ph = |n: usize| format!("{{\"_placeholder\":true,\"num\":{n}}}");
    let atts = [Bytes::from_static(b"ab"), Bytes::from_static(b"\xff\x00")];
    let d = format!("[\"e\",{},{}]", ph(0), ph(1));
    let (a, b): (Bytes, Vec<u8>) = agree(&d, &atts).unwrap();
    assert_eq!((&a[..], &b[..]), (&b"ab"[..], &b"\xff\x00"[..]));
    let (s, _): (String, Bytes) = agree(&d, &atts).unwrap();
    assert_eq!(s, "ab");
    assert!(agree::<(String, String)>(&d, &atts).is_none());
    assert!(agree::<(u8, Bytes)>(&d, &atts).is_none());
    assert!(agree::<(serde_json::Value, Bytes)>(&d, &atts).is_none());
    let up = format!(
        "[\"e\",{{\"name\":\"n\\u00e9\",\"body\":{},\"parts\":[{},{}]}}]",
        ph(1),
        ph(0),
        ph(1)
    );
    let (u,): (Upload,) = agree(&up, &atts).unwrap();
    assert_eq!(u.name, "né");
    assert_eq!(u.parts.len(), 2);
    let none = format!(
        "[\"e\",{{\"name\":\"x\",\"body\":null,\"parts\":[{}]}}]",
        ph(0)
    );
    assert_eq!(agree::<(Upload,)>(&none, &atts).unwrap().0.body, None);
    let en = format!("[\"e\",{{\"File\":{}}},{{\"Text\":\"t\"}}]", ph(0));
    let (k1, k2): (Kind, Kind) = agree(&en, &atts).unwrap();
    assert_eq!(
        (k1, k2),
        (Kind::File(atts[0].clone()), Kind::Text("t".into()))
    );
    // Layouts the reference does not write go through `Value` and still become bytes.
    for odd in [
        "{\"num\":1,\"_placeholder\":true}",
        "{\"a\":1,\"_placeholder\":true,\"num\":1}",
        "{\"_placeholder\":true,\"num\":1.0}",
        "{\"_placeholder\":true,\"num\":0,\"num\":1}",
    ] {
        let (b,): (Bytes,) = agree(&format!("[\"e\",{odd}]"), &atts).unwrap();
        assert_eq!(&b[..], b"\xff\x00", "{odd}");
    }
    // Not placeholders: ordinary objects.
    for plain in [
        "{\"_placeholder\":false,\"num\":0}",
        "{\"_placeholder\":true,\"num\":7}",
        "{\"_placeholder\":true}",
    ] {
        let (v,): (serde_json::Value,) = agree(&format!("[\"e\",{plain}]"), &atts).unwrap();
        assert!(v.is_object(), "{plain}");
    }
}
