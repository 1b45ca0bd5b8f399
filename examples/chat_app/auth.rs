//! Who is logged in: the demo accounts, password checks and the signed session cookie.
//!
//! The cookie holds `name:issued-at` and is signed (HMAC-SHA256) by the `cookie` crate through
//! axum-extra's `SignedCookieJar`, so a client can neither forge nor alter it. The same check
//! runs for the pages (from the request headers) and for Socket.IO (from the handshake
//! headers), so both agree on who someone is.

use axum::http::header::COOKIE;
use axum::http::{HeaderMap, HeaderValue};
use axum_extra::extract::cookie::{Cookie, Key, SameSite, SignedCookieJar};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use subtle::ConstantTimeEq;

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "volley_chat_session";
/// The one user who may kick others.
pub const ADMIN: &str = "admin";
/// How long a login lasts.
pub const SESSION_TTL: Duration = Duration::from_secs(12 * 60 * 60);

/// A logged-in user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub name: String,
    pub admin: bool,
}

/// Why a login was refused; each maps to a message on the login page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginError {
    /// The name is not 1 to 24 of `[A-Za-z0-9_-]`.
    Name,
    /// Wrong password for that name.
    Credentials,
}

impl LoginError {
    /// The code the login page turns into a message (`/login?error=…`).
    pub fn code(self) -> &'static str {
        match self {
            LoginError::Name => "name",
            LoginError::Credentials => "credentials",
        }
    }
}

/// The accounts and the cookie key.
#[derive(Clone)]
pub struct Auth {
    key: Key,
    password: String,
    admin_password: String,
}

/// True for 1..=`max` characters of `[A-Za-z0-9_-]`: safe in URLs, room names and HTML.
pub fn valid_token(s: &str, max: usize) -> bool {
    (1..=max).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl Auth {
    /// Accounts with these passwords and a fresh random signing key (sessions end when the
    /// server restarts).
    pub fn new(password: impl Into<String>, admin_password: impl Into<String>) -> Self {
        Auth {
            key: Key::generate(),
            password: password.into(),
            admin_password: admin_password.into(),
        }
    }

    /// Signs with a key made from `secret` instead (at least 64 bytes, e.g. 64 random hex
    /// characters), so sessions survive restarts and several servers accept each other's
    /// cookies. `None` if the secret is too short.
    pub fn with_secret(self, secret: &[u8]) -> Option<Self> {
        let key = Key::try_from(secret).ok()?;
        Some(Auth { key, ..self })
    }

    /// The key signing session cookies (axum extracts a `SignedCookieJar` with it).
    pub fn key(&self) -> &Key {
        &self.key
    }

    /// Checks a login form: any valid name with the demo password, or `admin` with the admin
    /// password.
    pub fn check(&self, name: &str, password: &str) -> Result<User, LoginError> {
        if !valid_token(name, 24) {
            return Err(LoginError::Name);
        }
        let admin = name == ADMIN;
        let expected = if admin {
            &self.admin_password
        } else {
            &self.password
        };
        if bool::from(password.as_bytes().ct_eq(expected.as_bytes())) {
            Ok(User {
                name: name.to_owned(),
                admin,
            })
        } else {
            Err(LoginError::Credentials)
        }
    }

    /// Adds the session cookie for `user` (signed, HttpOnly, SameSite=Lax; a browser-session
    /// cookie, and the server refuses it after [`SESSION_TTL`]).
    pub fn login(&self, jar: SignedCookieJar, user: &User) -> SignedCookieJar {
        let value = format!("{}:{}", user.name, unix_now());
        let cookie = Cookie::build((SESSION_COOKIE, value))
            .path("/")
            .http_only(true)
            .same_site(SameSite::Lax);
        jar.add(cookie)
    }

    /// Removes the session cookie.
    pub fn logout(jar: SignedCookieJar) -> SignedCookieJar {
        jar.remove(Cookie::build(SESSION_COOKIE).path("/"))
    }

    /// The user of a signed session cookie in `jar`, if it is valid and not expired.
    pub fn user_in(&self, jar: &SignedCookieJar) -> Option<User> {
        let cookie = jar.get(SESSION_COOKIE)?;
        let (name, issued) = cookie.value().rsplit_once(':')?;
        let issued: u64 = issued.parse().ok()?;
        let age = unix_now().checked_sub(issued)?;
        if age > SESSION_TTL.as_secs() || !valid_token(name, 24) {
            return None;
        }
        Some(User {
            name: name.to_owned(),
            admin: name == ADMIN,
        })
    }

    /// The user of the session cookie among raw `Cookie` header values (as the Socket.IO
    /// handshake carries them).
    pub fn user_from_cookie_headers<'a>(
        &self,
        values: impl IntoIterator<Item = &'a str>,
    ) -> Option<User> {
        let mut headers = HeaderMap::new();
        for v in values {
            headers.append(COOKIE, HeaderValue::from_str(v).ok()?);
        }
        let jar = SignedCookieJar::from_headers(&headers, self.key.clone());
        self.user_in(&jar)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::header::SET_COOKIE;
    use axum::response::IntoResponse;

    fn auth() -> Auth {
        Auth::new("demo-pass", "admin-pass")
    }

    /// The `name=value` part of the Set-Cookie header a jar produces.
    fn cookie_pair(auth: &Auth, user: &User) -> String {
        let jar = auth.login(SignedCookieJar::new(auth.key().clone()), user);
        let resp = jar.into_response();
        let set = resp.headers().get(SET_COOKIE).expect("cookie set");
        let set = set.to_str().expect("ascii");
        assert!(set.contains("HttpOnly"), "{set}");
        assert!(set.contains("SameSite=Lax"), "{set}");
        set.split(';').next().expect("pair").to_owned()
    }

    #[test]
    fn any_valid_name_logs_in_with_the_demo_password() {
        let a = auth();
        let user = a.check("alice", "demo-pass").expect("logged in");
        assert_eq!(user.name, "alice");
        assert!(!user.admin);
        assert_eq!(a.check("alice", "admin-pass"), Err(LoginError::Credentials));
        assert_eq!(a.check("alice", ""), Err(LoginError::Credentials));
    }

    #[test]
    fn admin_needs_the_admin_password() {
        let a = auth();
        assert_eq!(a.check(ADMIN, "demo-pass"), Err(LoginError::Credentials));
        assert!(a.check(ADMIN, "admin-pass").expect("admin").admin);
    }

    #[test]
    fn names_outside_the_safe_alphabet_are_refused() {
        let a = auth();
        for bad in ["", "a b", "<script>", "x".repeat(25).as_str(), "ünï"] {
            assert_eq!(a.check(bad, "demo-pass"), Err(LoginError::Name), "{bad:?}");
        }
    }

    #[test]
    fn signed_cookie_round_trips_through_a_cookie_header() {
        let a = auth();
        let user = a.check("bob", "demo-pass").expect("login");
        let pair = cookie_pair(&a, &user);
        let header = format!("theme=dark; {pair}");
        assert_eq!(a.user_from_cookie_headers([header.as_str()]), Some(user));
    }

    #[test]
    fn servers_sharing_a_secret_accept_each_others_cookies() {
        let secret = [7u8; 64];
        let a = auth().with_secret(&secret).expect("long enough");
        let b = auth().with_secret(&secret).expect("long enough");
        let user = a.check("bob", "demo-pass").expect("login");
        let pair = cookie_pair(&a, &user);
        assert_eq!(b.user_from_cookie_headers([pair.as_str()]), Some(user));
        assert!(auth().with_secret(&secret[..63]).is_none());
    }

    #[test]
    fn tampered_or_foreign_cookie_is_not_a_session() {
        let a = auth();
        let user = a.check("bob", "demo-pass").expect("login");
        let pair = cookie_pair(&a, &user);
        // Renaming the user inside the signed value breaks the signature.
        let forged = pair.replace("bob", "admin");
        assert_eq!(a.user_from_cookie_headers([forged.as_str()]), None);
        // A cookie signed by another server (another key) is refused too.
        let other = Auth::new("demo-pass", "admin-pass");
        assert_eq!(other.user_from_cookie_headers([pair.as_str()]), None);
        // An unsigned value is refused.
        let plain = format!("{SESSION_COOKIE}=bob:{}", unix_now());
        assert_eq!(a.user_from_cookie_headers([plain.as_str()]), None);
        assert_eq!(a.user_from_cookie_headers([]), None);
    }
}
