//! A polling POST body: decoding never panics, honours maxPayload, and whatever decodes
//! re-encodes into a body that decodes to the same packets.
#![no_main]

use bytes::Bytes;
use libfuzzer_sys::fuzz_target;
use volley_protocol::engine::{payload, PayloadError};

const MAX: usize = 4096;

fuzz_target!(|data: &[u8]| {
    match payload::decode(Bytes::copy_from_slice(data), MAX) {
        Ok(packets) => {
            let body = payload::encode(&packets);
            assert_eq!(body.len(), payload::encoded_len(&packets));
            assert_eq!(payload::decode(body, usize::MAX), Ok(packets));
        }
        Err(PayloadError::TooLarge { len, max }) => assert!(len > max && max == MAX),
        Err(_) => assert!(data.len() <= MAX),
    }
});
