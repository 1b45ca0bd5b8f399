//! Properties of the Engine.IO codec: packets and polling bodies round trip, a body decodes to
//! the same packets however the queue was batched, and no body makes the decoder panic.

use bytes::Bytes;
use proptest::prelude::*;
use volley_protocol::engine::{payload, Packet, WsFrame};
use volley_protocol::Str;

/// Text as Socket.IO produces it: anything but the record separator (JSON escapes it).
fn text() -> impl Strategy<Value = Str> {
    any::<String>().prop_map(|s| Str::from(s.replace('\u{1e}', "")))
}

fn packet() -> impl Strategy<Value = Packet> {
    prop_oneof![
        text().prop_map(Packet::Open),
        Just(Packet::Close),
        prop_oneof![Just(Str::new()), Just(Str::from("probe"))].prop_map(Packet::Ping),
        prop_oneof![Just(Str::new()), Just(Str::from("probe"))].prop_map(Packet::Pong),
        text().prop_map(Packet::text),
        proptest::collection::vec(any::<u8>(), 0..200).prop_map(Packet::binary),
        Just(Packet::Upgrade),
        Just(Packet::Noop),
    ]
}

proptest! {
    #[test]
    fn packets_round_trip_in_text_and_websocket_form(p in packet()) {
        prop_assert_eq!(Packet::decode_text(p.encode_text()), Ok(p.clone()));
        prop_assert_eq!(Packet::decode_ws(p.encode_ws()), Ok(p.clone()));
        if let WsFrame::Text(t) = p.encode_ws() {
            prop_assert_eq!(t, p.encode_text());
        }
        prop_assert_eq!(p.encode_text().len(), p.encoded_text_len());
    }

    #[test]
    fn body_decodes_the_same_however_it_was_batched(
        packets in proptest::collection::vec(packet(), 1..40),
        cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..8),
    ) {
        let whole = payload::encode(&packets);
        prop_assert_eq!(whole.len(), payload::encoded_len(&packets));
        prop_assert_eq!(payload::decode(whole.clone(), whole.len()).unwrap(), packets.clone());

        let mut bounds: Vec<usize> = cuts.iter().map(|i| i.index(packets.len())).collect();
        bounds.extend([0, packets.len()]);
        bounds.sort_unstable();
        bounds.dedup();
        let mut rebuilt = Vec::new();
        for w in bounds.windows(2) {
            let body = payload::encode(&packets[w[0]..w[1]]);
            rebuilt.extend(payload::decode(body, usize::MAX).unwrap());
        }
        prop_assert_eq!(rebuilt, packets);
    }

    #[test]
    fn max_payload_is_a_hard_limit(packets in proptest::collection::vec(packet(), 1..10)) {
        let body = payload::encode(&packets);
        let len = body.len();
        prop_assert!(payload::decode(body.clone(), len).is_ok());
        let too_large = payload::decode(body, len - 1);
        prop_assert!(
            matches!(too_large, Err(volley_protocol::engine::PayloadError::TooLarge { .. })),
            "expected TooLarge, got {:?}", too_large
        );
    }

    #[test]
    fn arbitrary_bodies_never_panic(body in proptest::collection::vec(any::<u8>(), 0..256)) {
        if let Ok(packets) = payload::decode(Bytes::from(body), 1_000_000) {
            let again = payload::decode(payload::encode(&packets), 1_000_000);
            prop_assert_eq!(again, Ok(packets));
        }
    }
}
