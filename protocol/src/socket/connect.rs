//! CONNECT auth and CONNECT_ERROR payloads.

use super::packet::{Packet, PacketType};
use crate::json::write_str;
use crate::Str;
use serde::Deserialize;
use serde_json::value::RawValue;

/// The auth object of a CONNECT with no payload.
pub const EMPTY_AUTH: &str = "{}";

impl Packet {
    /// The auth object of a client CONNECT as raw JSON: its payload, or `{}` when it has none.
    ///
    /// The decoder already refused a CONNECT whose payload is not an object. `None` when this
    /// is not a CONNECT packet.
    pub fn connect_auth(&self) -> Option<Str> {
        (self.kind == PacketType::Connect)
            .then(|| self.data.clone().unwrap_or(Str::from_static(EMPTY_AUTH)))
    }

    /// The reason of a CONNECT_ERROR packet, or `None` for other packets or unreadable ones.
    pub fn connect_error(&self) -> Option<ConnectError> {
        if self.kind != PacketType::ConnectError {
            return None;
        }
        ConnectError::from_json(self.data.as_ref()?)
    }
}

/// A refused namespace connection: `{"message":"…","data":…}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ConnectError {
    /// Human-readable reason (the reference sends e.g. `Invalid namespace`).
    pub message: Str,
    /// Optional extra details, raw JSON (text that is not one JSON value goes out as a JSON
    /// string, so the client can always read the packet).
    pub data: Option<Str>,
}

#[derive(Deserialize)]
struct Wire<'a> {
    #[serde(borrow)]
    message: std::borrow::Cow<'a, str>,
    #[serde(borrow, default)]
    data: Option<&'a RawValue>,
}

impl ConnectError {
    /// A reason without data.
    pub fn new(message: impl Into<Str>) -> ConnectError {
        ConnectError {
            message: message.into(),
            data: None,
        }
    }

    /// Attaches raw JSON `data` (builder style): the client's `connect_error` handler reads
    /// it as `err.data`. Text that is not one JSON value (`"login required"` without its
    /// quotes) is sent as a JSON string instead of breaking the packet.
    ///
    /// ```
    /// use volley_protocol::socket::ConnectError;
    /// let object = ConnectError::new("no").with_data(r#"{"retry":false}"#.into());
    /// assert_eq!(object.to_json(), r#"{"message":"no","data":{"retry":false}}"#);
    /// let text = ConnectError::new("no").with_data("login required".into());
    /// assert_eq!(text.to_json(), r#"{"message":"no","data":"login required"}"#);
    /// ```
    pub fn with_data(mut self, data: Str) -> ConnectError {
        self.data = Some(data);
        self
    }

    /// Attaches `data`, serialized to JSON (builder style; the reference's
    /// `err.data = { … }` before `next(err)`): the client's `connect_error` handler reads it
    /// as `err.data`. Unlike [`with_data`](Self::with_data), a string stays a string
    /// (`"123"` is not the number 123). A value serde_json cannot serialize (a map whose keys
    /// are not strings, a failing `Serialize` impl) attaches no data and is logged as a
    /// warning.
    ///
    /// ```
    /// use volley_protocol::socket::ConnectError;
    /// let e = ConnectError::new("not authorized")
    ///     .with_data_value(&serde_json::json!({ "content": "Please retry later" }));
    /// assert_eq!(
    ///     e.to_json(),
    ///     r#"{"message":"not authorized","data":{"content":"Please retry later"}}"#
    /// );
    /// let text = ConnectError::new("no").with_data_value("123");
    /// assert_eq!(text.to_json(), r#"{"message":"no","data":"123"}"#);
    /// ```
    pub fn with_data_value<T: serde::Serialize + ?Sized>(mut self, data: &T) -> ConnectError {
        match crate::json::to_vec(data) {
            // The serializer writes UTF-8 only.
            Ok(json) => self.data = Some(Str::from_trusted_utf8(json.into())),
            Err(error) => {
                tracing::warn!(%error, message = %self.message, "connect error data not serializable, sent without data");
                self.data = None;
            }
        }
        self
    }

    /// `{"message":"…"}` or `{"message":"…","data":…}`.
    pub fn to_json(&self) -> Str {
        let extra = self.data.as_ref().map_or(0, |d| d.len() + 8);
        let mut out = Vec::with_capacity(16 + self.message.len() + extra);
        out.extend_from_slice(b"{\"message\":");
        write_str(&mut out, &self.message);
        if let Some(data) = &self.data {
            out.extend_from_slice(b",\"data\":");
            if serde_json::from_str::<&RawValue>(data).is_ok() {
                out.extend_from_slice(data.as_bytes());
            } else {
                write_str(&mut out, data);
            }
        }
        out.push(b'}');
        Str::from_trusted_utf8(out.into())
    }

    /// Reads a CONNECT_ERROR payload: the object form, or the bare string older servers send.
    pub fn from_json(json: &Str) -> Option<ConnectError> {
        if let Ok(message) = serde_json::from_str::<String>(json) {
            return Some(ConnectError::new(message));
        }
        let wire: Wire<'_> = serde_json::from_str(json).ok()?;
        Some(ConnectError {
            message: Str::from(wire.message.as_ref()),
            data: wire.data.map(|d| json.slice_ref(d.get())),
        })
    }

    /// The CONNECT_ERROR packet for `nsp`.
    pub fn to_packet(&self, nsp: Str) -> Packet {
        Packet::new(PacketType::ConnectError, nsp, None, Some(self.to_json()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_namespace_refusal_matches_the_reference() {
        let p = ConnectError::new("Invalid namespace").to_packet(Str::from("/name"));
        assert_eq!(
            p.encode().text,
            "4/name,{\"message\":\"Invalid namespace\"}"
        );
    }

    #[test]
    fn data_is_kept_raw_and_read_back() {
        let e = ConnectError::new("no \"way\"").with_data(Str::from("{\"code\":7}"));
        let json = e.to_json();
        assert_eq!(
            json,
            "{\"message\":\"no \\\"way\\\"\",\"data\":{\"code\":7}}"
        );
        assert_eq!(ConnectError::from_json(&json), Some(e));
        assert_eq!(
            ConnectError::from_json(&Str::from("\"legacy\"")),
            Some(ConnectError::new("legacy"))
        );
        assert_eq!(ConnectError::from_json(&Str::from("[1]")), None);
    }

    #[test]
    fn typed_data_is_serialized_and_unserializable_data_is_left_out() {
        let e = ConnectError::new("no").with_data_value(&("a\"b", 7, [1.5]));
        assert_eq!(e.data.as_deref(), Some(r#"["a\"b",7,[1.5]]"#));
        assert_eq!(ConnectError::from_json(&e.to_json()), Some(e));

        let mut bad = std::collections::HashMap::new();
        bad.insert((1, 2), 3);
        let e = ConnectError::new("no")
            .with_data(Str::from("{}"))
            .with_data_value(&bad);
        assert_eq!(e.data, None);
        assert_eq!(e.to_json(), r#"{"message":"no"}"#);
    }

    #[test]
    fn connect_without_payload_has_empty_auth() {
        let p = Packet::connect(Str::from("/"), None);
        assert_eq!(p.connect_auth().unwrap(), "{}");
        let p = Packet::connect(Str::from("/"), Some(Str::from("{\"token\":1}")));
        assert_eq!(p.connect_auth().unwrap(), "{\"token\":1}");
        assert_eq!(Packet::disconnect(Str::from("/")).connect_auth(), None);
    }
}
