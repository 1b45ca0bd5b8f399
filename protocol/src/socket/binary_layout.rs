//! Whether a binary packet's JSON is in the layout the reference encoder writes, so that the
//! one-pass deserializer ([`binary_de`](super::binary_de)) may move attachments out of their
//! slots: once a buffer is handed to the target, the `Value` path (which the one pass falls
//! back to when it gives up on an object) can no longer run.

use super::binary_de::{Key, Scalar};
use crate::json;
use serde::de::{self, DeserializeSeed, Deserializer as _, MapAccess, SeqAccess, Visitor};
use std::fmt;

/// True when every object in `json` is either a placeholder in the reference's layout
/// (`{"_placeholder":true,"num":i}`, nothing else, `i < attachments`, each `i` at most once)
/// or an ordinary object (no `_placeholder` key, and a first key other than `num`). The one
/// pass then gives up on no object, whatever the target reads (it looks at a subset of these
/// objects), and no attachment is wanted twice. For malformed JSON the answer is either (the
/// one pass and the `Value` path both fail on it).
pub(crate) fn reference_layout(json: &str, attachments: usize) -> bool {
    if let Some(ok) = only_placeholders(json.as_bytes(), attachments) {
        return ok;
    }
    let mut seen = Seen::new(attachments);
    let mut de = json::Deserializer::new(json);
    de.run(|de| de.deserialize_any(Walk(&mut seen))).is_ok()
}

/// What a placeholder in the reference layout starts with.
const PREFIX: &[u8] = b"{\"_placeholder\":true,\"num\":";

/// The usual case without a parse: when every `{` byte of `json` starts
/// `{"_placeholder":true,"num":<digits>}`, its objects are exactly those placeholders (a `{`
/// inside a string cannot be followed by that text in well-formed JSON: its `"` would end the
/// string, and `_` cannot follow a string), and the answer is whether their indices are
/// distinct and below `attachments`. `None` when some `{` starts anything else (the walk
/// decides). Malformed JSON fails the one pass and the `Value` path alike.
fn only_placeholders(json: &[u8], attachments: usize) -> Option<bool> {
    let mut seen = Seen::new(attachments);
    for at in memchr::memchr_iter(b'{', json) {
        let rest = json[at..].strip_prefix(PREFIX)?;
        let digits = rest.iter().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 || rest.get(digits) != Some(&b'}') {
            return None;
        }
        let mut num = 0usize;
        for &d in &rest[..digits] {
            num = num.checked_mul(10)?.checked_add(usize::from(d - b'0'))?;
        }
        if !seen.mark(num) {
            return Some(false);
        }
    }
    Some(true)
}

/// The attachment indices already referred to.
struct Seen {
    len: usize,
    /// For up to 64 attachments (no allocation).
    small: u64,
    large: Vec<bool>,
}

impl Seen {
    fn new(len: usize) -> Self {
        let large = if len > 64 {
            vec![false; len]
        } else {
            Vec::new()
        };
        Seen {
            len,
            small: 0,
            large,
        }
    }

    /// Marks `i`; false if it is out of range or was marked before.
    fn mark(&mut self, i: usize) -> bool {
        if i >= self.len {
            return false;
        }
        if self.len <= 64 {
            let bit = 1u64 << i;
            let fresh = self.small & bit == 0;
            self.small |= bit;
            return fresh;
        }
        !std::mem::replace(&mut self.large[i], true)
    }
}

/// Walks a value, checking every object it contains.
struct Walk<'s>(&'s mut Seen);

fn refuse<E: de::Error>() -> E {
    E::custom("not in the reference layout")
}

impl<'de> DeserializeSeed<'de> for Walk<'_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

macro_rules! scalars {
    ($($method:ident($t:ty))*) => {$(
        fn $method<E: de::Error>(self, _: $t) -> Result<(), E> {
            Ok(())
        }
    )*};
}

impl<'de> Visitor<'de> for Walk<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("JSON")
    }

    scalars! {
        visit_bool(bool) visit_i64(i64) visit_u64(u64) visit_i128(i128) visit_u128(u128)
        visit_f64(f64) visit_str(&str) visit_borrowed_str(&'de str) visit_string(String)
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(Walk(self.0))?.is_some() {}
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let Some(first) = map.next_key::<Key<'de>>()? else {
            return Ok(());
        };
        match first.as_str() {
            "_placeholder" => {
                let flag: Scalar = map.next_value()?;
                let num = match map.next_key::<Key<'de>>()? {
                    Some(k) if k.as_str() == "num" => map.next_value::<Scalar>()?,
                    _ => return Err(refuse()),
                };
                if map.next_key::<Key<'de>>()?.is_some() {
                    return Err(refuse());
                }
                match (flag, num) {
                    (Scalar::True, Scalar::Index(i)) if self.0.mark(i) => Ok(()),
                    _ => Err(refuse()),
                }
            }
            "num" => Err(refuse()),
            _ => {
                map.next_value_seed(Walk(self.0))?;
                while let Some(key) = map.next_key::<Key<'de>>()? {
                    if key.as_str() == "_placeholder" {
                        return Err(refuse());
                    }
                    map.next_value_seed(Walk(self.0))?;
                }
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::reference_layout;

    #[test]
    fn only_the_reference_layout_passes() {
        let ph = |n: &str| format!("{{\"_placeholder\":true,\"num\":{n}}}");
        assert!(reference_layout(&format!("[\"a\",{}]", ph("0")), 1));
        assert!(reference_layout(
            &format!(
                "[\"a\",{{\"x\":[{}, {}]}},null,1.5,\"s\"]",
                ph("1"),
                ph("0")
            ),
            2
        ));
        // Escaped keys and a float index are what the one pass reads too.
        assert!(reference_layout(
            "[\"a\",{\"\\u005fplaceholder\":true,\"num\":0.0}]",
            1
        ));
        // Layouts the one pass leaves to the `Value` path.
        for bad in [
            "[\"a\",{\"num\":0,\"_placeholder\":true}]",
            "[\"a\",{\"_placeholder\":true,\"num\":0,\"x\":1}]",
            "[\"a\",{\"_placeholder\":true}]",
            "[\"a\",{\"x\":1,\"_placeholder\":true,\"num\":0}]",
            "[\"a\",{\"_placeholder\":false,\"num\":0}]",
            "[\"a\",{\"_placeholder\":true,\"num\":1}]",
            "[\"a\",{\"_placeholder\":true,\"num\":-1}]",
            "[\"a\",{\"num\":5}]",
            "[\"a\",{\"y\":{\"num\":5}}]",
        ] {
            assert!(!reference_layout(bad, 1), "{bad}");
        }
        // The same attachment twice.
        assert!(!reference_layout(&format!("[{},{}]", ph("0"), ph("0")), 2));
        // The byte scan (objects that are all placeholders) and the walk (other objects too)
        // agree.
        use super::only_placeholders;
        assert_eq!(only_placeholders(ph("0").as_bytes(), 1), Some(true));
        assert_eq!(only_placeholders(b"[\"{x\"]", 1), None);
        assert_eq!(
            only_placeholders(format!("[{}]", ph("1")).as_bytes(), 1),
            Some(false)
        );
        assert_eq!(
            only_placeholders(format!("[{},{}]", ph("0"), ph("0")).as_bytes(), 2),
            Some(false)
        );
        assert_eq!(
            only_placeholders(b"{\"_placeholder\":true,\"num\":0,\"x\":1}", 1),
            None
        );
        assert_eq!(
            only_placeholders(
                b"{\"_placeholder\":true,\"num\":99999999999999999999999}",
                1
            ),
            None
        );
        assert!(reference_layout(&format!("[\"{{x\",{}]", ph("0")), 1));
        assert!(!reference_layout("[\"{x\",{\"num\":0}]", 1));
        let many: Vec<String> = (0..100).map(|i| ph(&i.to_string())).collect();
        assert!(reference_layout(&format!("[{}]", many.join(",")), 100));
        assert!(!reference_layout(
            &format!("[{},{}]", many.join(","), ph("7")),
            100
        ));
    }
}
