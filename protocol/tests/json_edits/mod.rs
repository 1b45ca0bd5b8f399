//! One edit to a JSON text, for the tests that compare decoders on invalid input.

use proptest::prelude::*;

/// `text` with one edit at a generated position: a character removed, one of `tokens`
/// inserted, or the end cut off.
pub fn edited(
    text: impl Strategy<Value = String>,
    tokens: Vec<&'static str>,
) -> impl Strategy<Value = String> {
    (
        text,
        any::<prop::sample::Index>(),
        0u8..3,
        prop::sample::select(tokens),
    )
        .prop_map(|(text, at, how, token)| {
            let mut cut = at.index(text.len().max(1));
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            match how {
                0 => {
                    let rest = &text[cut..];
                    let skip = rest.chars().next().map_or(0, char::len_utf8);
                    format!("{}{}", &text[..cut], &rest[skip..])
                }
                1 => format!("{}{token}{}", &text[..cut], &text[cut..]),
                _ => text[..cut].to_owned(),
            }
        })
}
