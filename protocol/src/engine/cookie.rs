//! The session cookie of the reference's `cookie` option: the polling handshake's response
//! sets `<name>=<sid>`, so a load balancer can keep a client's requests on one node (sticky
//! sessions by cookie).

use crate::Str;

/// `SameSite` of the session cookie.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SameSite {
    /// `SameSite=Strict`.
    Strict,
    /// `SameSite=Lax` (the reference's default).
    Lax,
    /// `SameSite=None` (browsers then require `Secure`).
    None,
}

/// The session cookie (the reference's `cookie` option; off by default). Defaults as the
/// reference's: name `io`, `Path=/`, `HttpOnly`, `SameSite=Lax`.
///
/// ```
/// use volley_protocol::engine::CookieConfig;
/// assert_eq!(CookieConfig::new().header_value("abc"), "io=abc; Path=/; HttpOnly; SameSite=Lax");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CookieConfig {
    /// The cookie's name (default `io`).
    pub name: Str,
    /// `Path` (default `/`; `None`: no attribute).
    pub path: Option<Str>,
    /// `Domain`, if any.
    pub domain: Option<Str>,
    /// `Max-Age` in seconds, if any (a session cookie otherwise).
    pub max_age: Option<u64>,
    /// `HttpOnly` (default true).
    pub http_only: bool,
    /// `Secure` (default false).
    pub secure: bool,
    /// `SameSite` (default `Lax`; `None` here: no attribute).
    pub same_site: Option<SameSite>,
}

impl Default for CookieConfig {
    fn default() -> Self {
        CookieConfig {
            name: Str::from_static("io"),
            path: Some(Str::from_static("/")),
            domain: None,
            max_age: None,
            http_only: true,
            secure: false,
            same_site: Some(SameSite::Lax),
        }
    }
}

impl CookieConfig {
    /// The reference's defaults.
    pub fn new() -> Self {
        Self::default()
    }
    /// Sets the name.
    pub fn name(mut self, name: impl Into<Str>) -> Self {
        self.name = name.into();
        self
    }
    /// Sets `Path` (`None`: none).
    pub fn path(mut self, path: Option<Str>) -> Self {
        self.path = path;
        self
    }
    /// Sets `Domain`.
    pub fn domain(mut self, domain: Option<Str>) -> Self {
        self.domain = domain;
        self
    }
    /// Sets `Max-Age` in seconds.
    pub fn max_age(mut self, seconds: Option<u64>) -> Self {
        self.max_age = seconds;
        self
    }
    /// Sets `HttpOnly`.
    pub fn http_only(mut self, on: bool) -> Self {
        self.http_only = on;
        self
    }
    /// Sets `Secure`.
    pub fn secure(mut self, on: bool) -> Self {
        self.secure = on;
        self
    }
    /// Sets `SameSite` (`None`: no attribute).
    pub fn same_site(mut self, same_site: Option<SameSite>) -> Self {
        self.same_site = same_site;
        self
    }

    /// The `Set-Cookie` value for session `sid`, attributes in the order the reference writes
    /// them. Session ids are URL-safe, so the value goes out as it is.
    ///
    /// ```
    /// use volley_protocol::engine::{CookieConfig, SameSite};
    /// let c = CookieConfig::new()
    ///     .name("sticky")
    ///     .path(None)
    ///     .max_age(Some(60))
    ///     .domain(Some("example.test".into()))
    ///     .secure(true)
    ///     .same_site(Some(SameSite::Strict));
    /// assert_eq!(
    ///     c.header_value("s1"),
    ///     "sticky=s1; Max-Age=60; Domain=example.test; HttpOnly; Secure; SameSite=Strict"
    /// );
    /// ```
    pub fn header_value(&self, sid: &str) -> String {
        let mut out = format!("{}={}", self.name, sid);
        if let Some(age) = self.max_age {
            out.push_str(&format!("; Max-Age={age}"));
        }
        if let Some(domain) = &self.domain {
            out.push_str(&format!("; Domain={domain}"));
        }
        if let Some(path) = &self.path {
            out.push_str(&format!("; Path={path}"));
        }
        if self.http_only {
            out.push_str("; HttpOnly");
        }
        if self.secure {
            out.push_str("; Secure");
        }
        if let Some(same_site) = self.same_site {
            out.push_str(match same_site {
                SameSite::Strict => "; SameSite=Strict",
                SameSite::Lax => "; SameSite=Lax",
                SameSite::None => "; SameSite=None",
            });
        }
        out
    }
}
