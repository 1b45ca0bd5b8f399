//! A client's stream of Socket.IO messages (text packets and binary attachments) through one
//! stateful decoder. Input format: messages separated by 0x00; a message whose first byte is
//! odd is binary, otherwise it is text (the rest of the message).
//!
//! Decoding never panics; a decoded packet re-encodes into messages that a fresh decoder turns
//! back into the same packet, reading its payload (name, args, values) never panics, and
//! deserializing the arguments in one pass gives the same values as the `Value` path.
//! A text message also goes through the deferred decode (an EVENT checked up to its name):
//! it must decide as the validating decoder does — validating first (`check`) gives the same
//! packet or error, and the typed pass is malformed exactly when the packet is refused.
#![no_main]

use bytes::Bytes;
use libfuzzer_sys::fuzz_target;
use volley_protocol::socket::{DecodeError, Decoded, Decoder, Packet, TypedArgsError, Value};
use volley_protocol::Str;

fn check(packet: &Packet) {
    let enc = packet.encode();
    let mut fresh = Decoder::new();
    let mut out = fresh.decode_text(enc.text.clone()).expect("re-encoded text decodes");
    for a in &enc.attachments {
        assert!(out.is_none());
        out = fresh.decode_binary(a.clone()).expect("re-encoded attachment decodes");
    }
    assert_eq!(out.as_ref(), Some(packet));
    if let Some(Ok(args)) = packet.args() {
        let _ = args.name();
        // The one-pass typed path (placeholders rebuilt while deserializing) agrees with the
        // `Value` path.
        if let Ok(values) = args.values() {
            let typed: Vec<Value> = args.deserialize().expect("values() succeeded");
            assert_eq!(typed, values);
            let typed: Vec<Value> = packet.deserialize_args().expect("values() succeeded");
            assert_eq!(typed, values);
        }
    }
    let _ = packet.event_name();
    let _ = packet.connect_auth();
    let _ = packet.connect_error();
}

fn check_deferred(text: &Str) {
    let full = Decoder::new().decode_text(text.clone());
    match Decoder::new().decode_text_deferred(text.clone()) {
        Err(e) => assert_eq!(full, Err(e)),
        Ok(None) => assert_eq!(full, Ok(None)),
        Ok(Some(Decoded::Packet(p))) => assert_eq!(full, Ok(Some(p))),
        Ok(Some(Decoded::Event(event))) => {
            let typed = event.deserialize_args::<Vec<Value>>();
            match (&full, typed) {
                (Ok(Some(p)), Ok(v)) => {
                    assert_eq!(p.event_name().as_deref(), Some(event.name()));
                    assert_eq!(p.deserialize_args::<Vec<Value>>().ok(), Some(v));
                }
                (Ok(Some(p)), Err(TypedArgsError::Mismatch(_))) => {
                    assert!(p.deserialize_args::<Vec<Value>>().is_err())
                }
                (Err(e), Err(TypedArgsError::Malformed(m))) => assert_eq!(e, &m),
                // Deeper than 127 levels only where the target type skips: documented.
                (Err(DecodeError::InvalidJson(m)), Ok(_)) if m.contains("nesting") => {}
                (f, t) => panic!("validated {f:?}, typed {t:?}"),
            }
            assert_eq!(event.check().map(Some), full);
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let mut decoder = Decoder::with_max_attachments(64);
    for msg in data.split(|&b| b == 0) {
        let Some((&head, rest)) = msg.split_first() else {
            continue;
        };
        let result = if head & 1 == 1 {
            decoder.decode_binary(Bytes::copy_from_slice(rest))
        } else {
            match Str::from_utf8(Bytes::copy_from_slice(rest)) {
                Ok(text) => {
                    check_deferred(&text);
                    decoder.decode_text(text)
                }
                Err(_) => continue,
            }
        };
        if let Ok(Some(packet)) = result {
            check(&packet);
        }
    }
});
