//! MessagePack encoding as the reference writes it (`notepack.io`): the smallest integer form,
//! every non-integer number as float 64, strings as fixstr/str8/16/32, binary as bin8/16/32,
//! maps with string keys in order. Shared by the Socket.IO MessagePack parser and the Redis
//! cluster adapter, whose peers both encode with `notepack.io`.

use crate::socket::Value;
use serde_json::Number;

/// Appends the MessagePack form of `value` to `out`.
pub fn encode(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Null => out.push(0xc0),
        Value::Bool(b) => out.push(if *b { 0xc3 } else { 0xc2 }),
        Value::Number(n) => encode_number(n, out),
        Value::String(s) => encode_str(s, out),
        Value::Binary(b) => encode_bin(b, out),
        Value::Array(items) => {
            encode_array_len(items.len(), out);
            for v in items {
                encode(v, out);
            }
        }
        Value::Object(entries) => {
            encode_map_len(entries.len(), out);
            for (k, v) in entries {
                encode_str(k, out);
                encode(v, out);
            }
        }
    }
}

/// A JSON number the way a JavaScript number is written: integers (whatever their JSON
/// spelling, e.g. `1e3`) in the smallest integer form, anything else as float 64.
pub fn encode_number(n: &Number, out: &mut Vec<u8>) {
    if let Some(u) = n.as_u64() {
        return encode_uint(u, out);
    }
    if let Some(i) = n.as_i64() {
        return encode_int(i, out);
    }
    let f = n.as_f64().unwrap_or(f64::NAN);
    if f.is_finite() && f.fract() == 0.0 {
        // Integral doubles beyond the i64/u64 range have no integer form: keep the double.
        if (0.0..18_446_744_073_709_551_616.0).contains(&f) {
            return encode_uint(f as u64, out);
        }
        if (-9_223_372_036_854_775_808.0..0.0).contains(&f) {
            return encode_int(f as i64, out);
        }
    }
    out.push(0xcb);
    out.extend_from_slice(&f.to_be_bytes());
}

/// A non-negative integer in its smallest form.
pub fn encode_uint(u: u64, out: &mut Vec<u8>) {
    if u < 0x80 {
        out.push(u as u8);
    } else if u < 0x100 {
        out.extend_from_slice(&[0xcc, u as u8]);
    } else if u < 0x1_0000 {
        out.push(0xcd);
        out.extend_from_slice(&(u as u16).to_be_bytes());
    } else if u < 0x1_0000_0000 {
        out.push(0xce);
        out.extend_from_slice(&(u as u32).to_be_bytes());
    } else {
        out.push(0xcf);
        out.extend_from_slice(&u.to_be_bytes());
    }
}

/// An integer in its smallest form (non-negative ones as unsigned, as the reference does).
pub fn encode_int(i: i64, out: &mut Vec<u8>) {
    if i >= 0 {
        encode_uint(i as u64, out);
    } else if i >= -0x20 {
        out.push(i as u8);
    } else if i >= -0x80 {
        out.extend_from_slice(&[0xd0, i as u8]);
    } else if i >= -0x8000 {
        out.push(0xd1);
        out.extend_from_slice(&(i as i16).to_be_bytes());
    } else if i >= -0x8000_0000 {
        out.push(0xd2);
        out.extend_from_slice(&(i as i32).to_be_bytes());
    } else {
        out.push(0xd3);
        out.extend_from_slice(&i.to_be_bytes());
    }
}

/// A UTF-8 string.
pub fn encode_str(s: &str, out: &mut Vec<u8>) {
    let len = s.len();
    if len < 0x20 {
        out.push(0xa0 | len as u8);
    } else if len < 0x100 {
        out.extend_from_slice(&[0xd9, len as u8]);
    } else if len < 0x1_0000 {
        out.push(0xda);
        out.extend_from_slice(&(len as u16).to_be_bytes());
    } else {
        out.push(0xdb);
        out.extend_from_slice(&(len as u32).to_be_bytes());
    }
    out.extend_from_slice(s.as_bytes());
}

/// Binary data.
pub fn encode_bin(b: &[u8], out: &mut Vec<u8>) {
    let len = b.len();
    if len < 0x100 {
        out.extend_from_slice(&[0xc4, len as u8]);
    } else if len < 0x1_0000 {
        out.push(0xc5);
        out.extend_from_slice(&(len as u16).to_be_bytes());
    } else {
        out.push(0xc6);
        out.extend_from_slice(&(len as u32).to_be_bytes());
    }
    out.extend_from_slice(b);
}

/// An array header.
pub fn encode_array_len(len: usize, out: &mut Vec<u8>) {
    if len < 0x10 {
        out.push(0x90 | len as u8);
    } else if len < 0x1_0000 {
        out.push(0xdc);
        out.extend_from_slice(&(len as u16).to_be_bytes());
    } else {
        out.push(0xdd);
        out.extend_from_slice(&(len as u32).to_be_bytes());
    }
}

/// A map header.
pub fn encode_map_len(len: usize, out: &mut Vec<u8>) {
    if len < 0x10 {
        out.push(0x80 | len as u8);
    } else if len < 0x1_0000 {
        out.push(0xde);
        out.extend_from_slice(&(len as u16).to_be_bytes());
    } else {
        out.push(0xdf);
        out.extend_from_slice(&(len as u32).to_be_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_take_the_smallest_form_the_reference_uses() {
        let cases: &[(i64, &[u8])] = &[
            (0, &[0x00]),
            (127, &[0x7f]),
            (128, &[0xcc, 0x80]),
            (256, &[0xcd, 0x01, 0x00]),
            (65536, &[0xce, 0, 1, 0, 0]),
            (-1, &[0xff]),
            (-32, &[0xe0]),
            (-33, &[0xd0, 0xdf]),
            (-200, &[0xd1, 0xff, 0x38]),
            (-40000, &[0xd2, 0xff, 0xff, 0x63, 0xc0]),
        ];
        for (n, bytes) in cases {
            let mut out = Vec::new();
            encode_int(*n, &mut out);
            assert_eq!(&out[..], *bytes, "{n}");
        }
    }

    #[test]
    fn integral_json_spellings_encode_as_integers_and_fractions_as_doubles() {
        let v: Value = serde_json::from_str("[1e3, 1.5, -0.25, 4294967296]").unwrap();
        let mut out = Vec::new();
        encode(&v, &mut out);
        let mut expect = vec![0x94, 0xcd, 0x03, 0xe8, 0xcb];
        expect.extend_from_slice(&1.5f64.to_be_bytes());
        expect.push(0xcb);
        expect.extend_from_slice(&(-0.25f64).to_be_bytes());
        expect.extend_from_slice(&[0xcf, 0, 0, 0, 1, 0, 0, 0, 0]);
        assert_eq!(out, expect);
    }
}
