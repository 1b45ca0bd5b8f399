//! Map keys: JSON object keys are strings, so serde_json quotes the scalars it accepts as keys
//! (integers, floats, bools, chars, unit variants, through newtypes and `Some`) and refuses
//! everything else. So does this.

use super::float::Float as _;
use super::ser::{write_int, Error};
use serde::ser::{self, Serialize};

/// Writes one map key into the output.
pub(super) struct MapKey<'a>(pub(super) &'a mut Vec<u8>);

impl MapKey<'_> {
    /// `"<text>"` for text that needs no escaping (digits, signs, `.`, `e`, letters).
    #[inline]
    fn quoted(self, write: impl FnOnce(&mut Vec<u8>)) -> Result<(), Error> {
        self.0.push(b'"');
        write(self.0);
        self.0.push(b'"');
        Ok(())
    }
}

macro_rules! int_keys {
    ($($method:ident: $ty:ty,)*) => {$(
        #[inline]
        fn $method(self, v: $ty) -> Result<(), Error> {
            self.quoted(|out| write_int(out, v))
        }
    )*};
}

macro_rules! float_keys {
    ($($method:ident: $ty:ty,)*) => {$(
        fn $method(self, v: $ty) -> Result<(), Error> {
            if !v.is_finite() {
                return Err(Error::FloatKeyMustBeFinite);
            }
            self.quoted(|out| v.write_finite(out))
        }
    )*};
}

impl ser::Serializer for MapKey<'_> {
    fn serialize_bool(self, v: bool) -> Result<(), Error> {
        self.0.extend_from_slice(if v {
            b"\"true\"" as &[u8]
        } else {
            b"\"false\""
        });
        Ok(())
    }

    text_methods!(0);

    number_methods!(int_keys, float_keys);

    #[inline]
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }

    #[inline]
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        value.serialize(self)
    }

    string_only_serializer!(Error::KeyMustBeAString);
}

#[cfg(test)]
mod tests {
    use super::super::to_vec;
    use super::*;
    use std::collections::BTreeMap;

    fn one_key<K: Serialize + Ord>(k: K) -> Result<String, Error> {
        let map = BTreeMap::from([(k, 0)]);
        to_vec(&map).map(|v| String::from_utf8(v).unwrap())
    }

    #[test]
    fn scalar_keys_are_quoted_like_serde_json() {
        assert_eq!(one_key(-7i8).unwrap(), r#"{"-7":0}"#);
        assert_eq!(
            one_key(u128::MAX).unwrap(),
            format!(r#"{{"{}":0}}"#, u128::MAX)
        );
        assert_eq!(one_key(true).unwrap(), r#"{"true":0}"#);
        assert_eq!(one_key('\n').unwrap(), r#"{"\n":0}"#);
        assert_eq!(one_key(Some("k")).unwrap(), r#"{"k":0}"#);
        let mut out = Vec::new();
        let ser = &mut super::super::Serializer::new(&mut out);
        serde::Serializer::collect_map(ser, [(1.5f64, 0), (-0.0, 1)]).unwrap();
        assert_eq!(out, br#"{"1.5":0,"-0.0":1}"#);
    }

    #[test]
    fn keys_json_cannot_hold_are_refused_like_serde_json() {
        fn refused<K: Serialize + Ord>(k: K, want: Error) {
            let ours = one_key(k).unwrap_err();
            assert_eq!(ours, want);
        }
        refused(None::<u8>, Error::KeyMustBeAString);
        refused((), Error::KeyMustBeAString);
        refused(vec![1u8], Error::KeyMustBeAString);
        refused((1, 2), Error::KeyMustBeAString);
        refused(BTreeMap::from([(1, 2)]), Error::KeyMustBeAString);
        let nan = [(f64::NAN, 0)];
        let mut out = Vec::new();
        let ser = &mut super::super::Serializer::new(&mut out);
        assert_eq!(
            serde::Serializer::collect_map(ser, nan).unwrap_err(),
            Error::FloatKeyMustBeFinite
        );
    }
}
