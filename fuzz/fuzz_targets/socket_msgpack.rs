//! One binary message through the MessagePack parser (`socket.io-msgpack-parser`).
//!
//! Decoding never panics; a decoded packet re-encodes into a message that decodes back into
//! the same packet, and reading its payload (name, values) never panics.
#![no_main]

use bytes::Bytes;
use libfuzzer_sys::fuzz_target;
use volley_protocol::socket::msgpack::{decode_packet, encode_packet};

fuzz_target!(|data: &[u8]| {
    let Ok(packet) = decode_packet(&Bytes::copy_from_slice(data)) else {
        return;
    };
    let again = decode_packet(&encode_packet(&packet)).expect("a re-encoded packet decodes");
    assert_eq!(again, packet);
    if let Some(Ok(args)) = packet.args() {
        let _ = args.name();
        let _ = args.values();
    }
    let _ = packet.connect_auth();
});
