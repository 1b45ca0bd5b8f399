//! One Engine.IO packet (WebSocket frame or polling item): decoding never panics, and whatever
//! decodes re-encodes to something that decodes to the same packet.
#![no_main]

use bytes::Bytes;
use libfuzzer_sys::fuzz_target;
use volley_protocol::engine::Packet;
use volley_protocol::Str;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = Str::from_utf8(Bytes::copy_from_slice(data)) else {
        return;
    };
    if let Ok(packet) = Packet::decode_text(text) {
        assert_eq!(packet.encode_text().len(), packet.encoded_text_len());
        assert_eq!(Packet::decode_text(packet.encode_text()).as_ref(), Ok(&packet));
        assert_eq!(Packet::decode_ws(packet.encode_ws()).as_ref(), Ok(&packet));
    }
});
