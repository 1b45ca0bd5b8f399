//! The decoder's allocation-free JSON validator against serde_json, through the public API:
//! the input is wrapped as the payload of a CONNECT_ERROR (`4[<input>]`), whose decoder reports
//! `InvalidJson` exactly when validation fails. Whatever serde_json parses must be accepted, and
//! whatever is accepted must be something serde_json can at least skip. The same input as an
//! ACK's arguments splits (`Args::raw`, found by the validator) exactly as serde_json's
//! `RawValue` splits it, and every argument it hands out parses on its own.
#![no_main]

use libfuzzer_sys::fuzz_target;
use volley_protocol::socket::{DecodeError, Decoder, Packet};
use volley_protocol::Str;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let json = format!("[{s}]");
    let result = Decoder::new().decode_text(Str::from(format!("4{json}")));
    let accepted = !matches!(result, Err(DecodeError::InvalidJson(_)));
    if serde_json::from_str::<serde_json::Value>(&json).is_ok() {
        assert!(accepted, "serde_json parses {json:?} but the decoder refused it");
    }
    if accepted {
        assert!(
            serde_json::from_str::<serde::de::IgnoredAny>(&json).is_ok(),
            "the decoder accepted {json:?}, which serde_json refuses"
        );
    }
    let packet = Packet::ack(Str::from("/"), 0, Str::from(json.clone()), Vec::new());
    let args = packet.args().expect("an ack has arguments");
    let parses = serde_json::from_str::<serde_json::Value>(&json).is_ok();
    match serde_json::from_str::<Vec<&serde_json::value::RawValue>>(&json) {
        Ok(raw) if parses => {
            let args = args.expect("serde_json splits it, so the validator accepts it");
            let mine: Vec<&str> = args.raw().iter().map(|a| &**a).collect();
            let theirs: Vec<&str> = raw.iter().map(|r| r.get()).collect();
            assert_eq!(mine, theirs);
        }
        _ => {
            if let Ok(args) = args {
                for a in args.raw() {
                    assert!(serde_json::from_str::<serde::de::IgnoredAny>(a).is_ok(), "{a:?}");
                }
            }
        }
    }
});
