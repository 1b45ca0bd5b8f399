//! Conveniences on the handshake for connect middleware and handlers: one auth field, one
//! cookie.

use crate::server::Handshake;

impl Handshake {
    /// Field `name` of the CONNECT auth object: a string as its text, anything else as its
    /// JSON. `None` when absent (or `null`).
    ///
    /// ```
    /// # fn f(handshake: &volley_protocol::server::Handshake) {
    /// // socket.io-client: io({ auth: { token: "abc" } })
    /// let token: Option<String> = handshake.auth_field("token");
    /// # let _ = token;
    /// # }
    /// ```
    pub fn auth_field(&self, name: &str) -> Option<String> {
        let auth: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(self.auth()).ok()?;
        match auth.get(name)? {
            serde_json::Value::Null => None,
            serde_json::Value::String(s) => Some(s.clone()),
            other => Some(other.to_string()),
        }
    }

    /// The value of cookie `name` from the `Cookie` header(s) of the handshake request, as
    /// sent: not percent-decoded and with any double quotes kept (Node's `cookie.parse`, which
    /// reference apps use, decodes `%XX` and strips the quotes: express-session's
    /// `s%3A…` is `s:…` there).
    ///
    /// ```
    /// # fn f(handshake: &volley_protocol::server::Handshake) {
    /// let session: Option<&str> = handshake.cookie("session");
    /// # let _ = session;
    /// # }
    /// ```
    pub fn cookie(&self, name: &str) -> Option<&str> {
        self.header_all("cookie")
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v)
    }
}
