//! A client's stream of Socket.IO messages (text packets and binary attachments) through one
//! stateful decoder. Input format: messages separated by 0x00; a message whose first byte is
//! odd is binary, otherwise it is text (the rest of the message).
//!
//! Decoding never panics; a decoded packet re-encodes into messages that a fresh decoder turns
//! back into the same packet, reading its payload (name, args, values) never panics, and
//! deserializing the arguments in one pass gives the same values as the `Value` path.
#![no_main]

use bytes::Bytes;
use libfuzzer_sys::fuzz_target;
use volley_protocol::socket::{Decoder, Packet, Value};
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
                Ok(text) => decoder.decode_text(text),
                Err(_) => continue,
            }
        };
        if let Ok(Some(packet)) = result {
            check(&packet);
        }
    }
});
