//! The HTTP side of the chat: login and logout, the pages, and their script and style.
//!
//! The pages are static files embedded in the binary; everything dynamic (who you are, the
//! room, the messages) arrives over Socket.IO. The chat page is served to anyone: without a
//! session its Socket.IO connection is refused, and the page says so.

use super::auth::{valid_token, Auth};
use axum::extract::{Form, FromRef, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use axum_extra::extract::cookie::{Key, SignedCookieJar};
use serde::Deserialize;

const LOGIN_HTML: &str = include_str!("static/login.html");
const CHAT_HTML: &str = include_str!("static/chat.html");
const CHAT_JS: &str = include_str!("static/chat.js");
const CHAT_CSS: &str = include_str!("static/chat.css");

/// The room a login lands in unless the form names another.
pub const DEFAULT_ROOM: &str = "lobby";

/// State shared by the page handlers.
#[derive(Clone)]
pub struct Pages {
    pub auth: Auth,
}

impl FromRef<Pages> for Key {
    fn from_ref(pages: &Pages) -> Key {
        pages.auth.key().clone()
    }
}

/// The page routes; Volley is layered in front of them by the caller.
pub fn router(pages: Pages) -> Router {
    Router::new()
        .route("/", get(home))
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .route("/chat", get(chat_page))
        .route(
            "/static/chat.js",
            get(|| asset("text/javascript; charset=utf-8", CHAT_JS)),
        )
        .route(
            "/static/chat.css",
            get(|| asset("text/css; charset=utf-8", CHAT_CSS)),
        )
        .with_state(pages)
}

async fn asset(content_type: &'static str, body: &'static str) -> Response {
    ([(CONTENT_TYPE, content_type)], body).into_response()
}

fn page(body: &'static str) -> Response {
    (
        [
            (CONTENT_TYPE, "text/html; charset=utf-8"),
            (CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response()
}

async fn home(State(pages): State<Pages>, jar: SignedCookieJar) -> Redirect {
    if pages.auth.user_in(&jar).is_some() {
        Redirect::to(&format!("/chat?room={DEFAULT_ROOM}"))
    } else {
        Redirect::to("/login")
    }
}

async fn login_page() -> Response {
    page(LOGIN_HTML)
}

async fn chat_page() -> Response {
    page(CHAT_HTML)
}

#[derive(Deserialize)]
struct LoginForm {
    name: String,
    password: String,
    #[serde(default)]
    room: String,
}

async fn login(
    State(pages): State<Pages>,
    jar: SignedCookieJar,
    Form(form): Form<LoginForm>,
) -> Response {
    let room = match form.room.trim() {
        "" => DEFAULT_ROOM,
        room => room,
    };
    if !valid_token(room, 32) {
        return Redirect::to("/login?error=room").into_response();
    }
    match pages.auth.check(form.name.trim(), &form.password) {
        Ok(user) => {
            tracing::info!(user = %user.name, "logged in");
            // The room is `[A-Za-z0-9_-]` only, so it needs no URL encoding.
            let to = format!("/chat?room={room}");
            (pages.auth.login(jar, &user), Redirect::to(&to)).into_response()
        }
        Err(e) => {
            tracing::info!(name = %form.name, "login refused");
            Redirect::to(&format!("/login?error={}", e.code())).into_response()
        }
    }
}

async fn logout(jar: SignedCookieJar) -> impl IntoResponse {
    (Auth::logout(jar), Redirect::to("/login"))
}
