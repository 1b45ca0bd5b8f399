//! Small JSON writing helpers shared by the codecs.

/// Appends `n` in decimal.
pub(crate) fn write_u64(out: &mut Vec<u8>, n: u64) {
    let mut buf = itoa::Buffer::new();
    out.extend_from_slice(buf.format(n).as_bytes());
}

/// Appends `s` as a JSON string literal, escaped.
pub(crate) fn write_str(out: &mut Vec<u8>, s: &str) {
    // serde_json's escaper writes into any `io::Write`; a Vec never fails.
    let _ = serde_json::to_writer(&mut *out, s);
}
