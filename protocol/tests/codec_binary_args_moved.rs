//! `Packet::into_args`: a placeholder read into `bytes::Bytes` (or any target taking bytes by
//! value) gets the attachment's own buffer when nothing else holds it, and otherwise exactly
//! what `deserialize_args` gives (a copy, the same values, the same errors).

use bytes::Bytes;
use serde::de::{Deserializer, Visitor};
use serde::Deserialize;
use serde_json::Value as Json;
use volley_protocol::socket::{Binary, Packet, Value};
use volley_protocol::Str;

fn ph(i: usize) -> String {
    format!("{{\"_placeholder\":true,\"num\":{i}}}")
}

fn event(json: &str, attachments: Vec<Bytes>) -> Packet {
    Packet::event(Str::from("/"), Str::from(json.to_owned()), attachments)
}

/// A buffer owned by nothing else, starting at its allocation (as a base64 decode makes it).
fn fresh(len: usize, fill: u8) -> Bytes {
    Bytes::from(vec![fill; len])
}

/// Bytes taken by value (`deserialize_byte_buf`), as `serde_bytes::ByteBuf` does.
#[derive(Debug, PartialEq)]
struct ByteBuf(Vec<u8>);

impl<'de> Deserialize<'de> for ByteBuf {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<ByteBuf, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ByteBuf;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("bytes")
            }
            fn visit_byte_buf<E>(self, v: Vec<u8>) -> Result<ByteBuf, E> {
                Ok(ByteBuf(v))
            }
            fn visit_bytes<E>(self, v: &[u8]) -> Result<ByteBuf, E> {
                Ok(ByteBuf(v.to_vec()))
            }
        }
        d.deserialize_byte_buf(V)
    }
}

#[test]
fn a_buffer_nothing_else_holds_is_moved_not_copied() {
    let data = fresh(64 * 1024, 7);
    let at = data.as_ptr();
    let p = event(&format!("[\"up\",\"a.bin\",{}]", ph(0)), vec![data]);
    let expected: (String, Bytes) = p.deserialize_args().unwrap();
    let (name, body): (String, Bytes) = p.into_args().unwrap();
    assert_eq!((name, &body), (expected.0, &expected.1));
    assert_eq!(body.as_ptr(), at);

    // By-value byte targets other than `Bytes`, several attachments, nested.
    let (a, b) = (fresh(100, 1), fresh(5000, 2));
    let (pa, pb) = (a.as_ptr(), b.as_ptr());
    let p = event(
        &format!("[\"up\",{{\"x\":[{}]}},{}]", ph(1), ph(0)),
        vec![a, b],
    );
    #[derive(Deserialize)]
    struct X {
        x: Vec<ByteBuf>,
    }
    let (x, first): (X, ByteBuf) = p.into_args().unwrap();
    assert_eq!(x.x[0].0.as_ptr(), pb);
    assert_eq!(first.0.as_ptr(), pa);
    assert_eq!((x.x[0].0.len(), first.0.len()), (5000, 100));
}

#[test]
fn a_shared_buffer_is_copied_with_the_same_values() {
    let data = fresh(4096, 9);
    let kept = data.clone();
    let p = event(&format!("[\"up\",{},1]", ph(0)), vec![data]);
    let (body, n): (Bytes, u8) = p.into_args().unwrap();
    assert_eq!((&body, n), (&kept, 1));
    assert_ne!(body.as_ptr(), kept.as_ptr());

    // A static buffer (never unique) and a slice of a larger buffer that is still held.
    let big = fresh(10_000, 3);
    let slice = big.slice(100..200);
    let p = event(
        &format!("[\"up\",{},{}]", ph(0), ph(1)),
        vec![Bytes::from_static(b"abc"), slice.clone()],
    );
    let (s, t): (Bytes, Bytes) = p.into_args().unwrap();
    assert_eq!((&s[..], &t), (&b"abc"[..], &slice));
}

#[test]
fn other_targets_read_the_same_values() {
    let json = format!("[\"up\",{},[{}],\"s\"]", ph(0), ph(1));
    let atts = || vec![fresh(3, 4), Bytes::from(b"hi".to_vec())];
    // A sequence of numbers, `Binary` (shared, not moved), `String` from UTF-8 bytes, values.
    type Mixed = (Vec<u8>, Vec<Binary>, String);
    let by_ref: Mixed = event(&json, atts()).deserialize_args().unwrap();
    let owned: Mixed = event(&json, atts()).into_args().unwrap();
    assert_eq!(by_ref, owned);
    assert_eq!(owned.1[0].0, Bytes::from_static(b"hi"));
    let values: Vec<Value> = event(&json, atts()).into_args().unwrap();
    assert_eq!(
        values,
        event(&json, atts())
            .deserialize_args::<Vec<Value>>()
            .unwrap()
    );
    assert_eq!(values[0], Value::Binary(Bytes::from_static(&[4, 4, 4])));
    // serde_json's `Value` takes no bytes, either way.
    assert!(event(&json, atts())
        .deserialize_args::<Vec<Json>>()
        .is_err());
    assert!(event(&json, atts()).into_args::<Vec<Json>>().is_err());
    let (s, bin): (String, Binary) = event(&format!("[\"up\",{},{}]", ph(1), ph(0)), atts())
        .into_args()
        .unwrap();
    assert_eq!((s.as_str(), &bin.0[..]), ("hi", &[4u8, 4, 4][..]));
}

#[test]
fn layouts_left_to_the_value_path_still_decode() {
    // Objects the one pass gives up on after the attachment was reached: nothing may be moved
    // then, or the `Value` path would miss the bytes.
    for json in [
        format!("[\"up\",{},{{\"num\":3}}]", ph(0)),
        format!("[\"up\",{},{{\"a\":1,\"_placeholder\":false}}]", ph(0)),
        "[\"up\",{\"num\":0,\"_placeholder\":true},{\"num\":3}]".to_owned(),
    ] {
        let data = fresh(1000, 5);
        let kept = data.to_vec();
        let (b, o): (Bytes, Json) = event(&json, vec![data]).into_args().unwrap();
        assert_eq!(&b[..], &kept[..], "{json}");
        assert!(o.is_object(), "{json}");
    }
    // The same attachment twice (a packet built by hand; the decoder refuses it).
    let json = format!("[\"up\",{},{}]", ph(0), ph(0));
    let (a, b): (Bytes, Bytes) = event(&json, vec![fresh(10, 1)]).into_args().unwrap();
    assert_eq!((&a[..], &b[..]), (&[1u8; 10][..], &[1u8; 10][..]));
}

#[test]
fn type_mismatches_are_errors_either_way() {
    let json = format!("[\"up\",{},\"not a number\"]", ph(0));
    for ok in [
        event(&json, vec![fresh(10, 1)])
            .deserialize_args::<(Bytes, u8)>()
            .is_ok(),
        event(&json, vec![fresh(10, 1)])
            .into_args::<(Bytes, u8)>()
            .is_ok(),
        // Before the placeholder: nothing moved yet.
        event(&json, vec![fresh(10, 1)])
            .into_args::<(u8, Bytes)>()
            .is_ok(),
        // Bytes that are not UTF-8 into a `String`.
        event(&json, vec![fresh(10, 0xff)])
            .into_args::<(String,)>()
            .is_ok(),
        // Malformed after the placeholder (a packet built by hand; the decoder refuses it).
        event(&format!("[\"up\",{}", ph(0)), vec![fresh(10, 1)])
            .into_args::<(Bytes,)>()
            .is_ok(),
        event(&format!("[\"up\",{},]", ph(0)), vec![fresh(10, 1)])
            .into_args::<(Bytes,)>()
            .is_ok(),
    ] {
        assert!(!ok);
    }
}
