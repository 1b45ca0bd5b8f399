//! Namespace admission: the app sees each CONNECT (auth, request head) and accepts or
//! refuses it; a refusal is a CONNECT_ERROR and the session stays open.

mod sio_common;

use sio_common::Harness;
use volley_protocol::server::ServerError;
use volley_protocol::socket::ConnectError;

#[test]
fn a_refused_connect_gets_connect_error_with_message_and_data_and_the_session_stays() {
    let mut h = Harness::new();
    h.layer.add_namespace("/admin").unwrap();
    h.open("A");
    h.send("A", r#"0/admin,{"token":"bad"}"#);
    let req = h.take_connect();
    assert_eq!(req.auth(), r#"{"token":"bad"}"#);
    assert_eq!(req.request().header("cookie").unwrap(), "k=v");
    h.layer.refuse_connect(
        req,
        ConnectError::new("not authorized").with_data(r#"{"code":401}"#.into()),
    );
    h.pump();
    assert_eq!(
        h.take("A"),
        vec![r#"4/admin,{"message":"not authorized","data":{"code":401}}"#]
    );
    assert!(h.closed.is_empty());
    assert_eq!(h.layer.socket_count(), 0);
    // The client may try again, and be accepted.
    h.send("A", r#"0/admin,{"token":"good"}"#);
    let req = h.take_connect();
    let id = h.layer.accept_connect(h.now, req).unwrap();
    h.pump();
    assert_eq!(h.take("A"), vec![format!("0/admin,{{\"sid\":\"{id}\"}}")]);
    assert_eq!(
        h.layer.socket(&id).unwrap().handshake().auth(),
        r#"{"token":"good"}"#
    );
}

#[test]
fn refusal_data_that_is_not_json_goes_out_as_a_string_the_client_can_read() {
    let mut h = Harness::new();
    h.open("A");
    for (data, wire) in [
        ("login required", r#""login required""#),
        ("{\"code\":", r#""{\"code\":""#),
        (" [1, 2] ", " [1, 2] "),
    ] {
        h.send("A", "0");
        let req = h.take_connect();
        h.layer
            .refuse_connect(req, ConnectError::new("nope").with_data(data.into()));
        h.pump();
        assert_eq!(
            h.take("A"),
            vec![format!(r#"4{{"message":"nope","data":{wire}}}"#)]
        );
    }
}

#[test]
fn handshake_data_is_kept_per_socket() {
    let mut h = Harness::new();
    h.layer.add_namespace("/custom").unwrap();
    h.open("A");
    h.send("A", "0");
    let req = h.take_connect();
    assert_eq!(req.auth(), "{}", "no payload means empty auth");
    let main = h.layer.accept_connect(h.now, req).unwrap();
    h.pump();
    assert_eq!(h.take("A"), vec![format!("0{{\"sid\":\"{main}\"}}")]);
    let opened = h.now;
    h.advance(std::time::Duration::from_secs(3));
    let custom = h.connect("A", "/custom");
    assert_eq!(
        h.layer.socket(&custom).unwrap().handshake().issued(),
        h.now,
        "a namespace joined later is issued when it was joined"
    );
    assert_ne!(main, custom);
    assert_ne!(main.as_str(), "A", "socket ids are not the engine sid");
    let s = h.layer.socket(&main).unwrap();
    let hs = s.handshake();
    assert_eq!(hs.query_param("user").as_deref(), Some("al ice"));
    assert_eq!(hs.header("Origin").unwrap(), "http://example.test");
    assert!(hs.xdomain());
    assert_eq!(
        hs.url(),
        "/socket.io/?EIO=4&transport=polling&user=al%20ice"
    );
    assert_eq!(hs.issued(), opened);
    assert_eq!(s.engine_sid(), "A");
    assert_eq!(s.nsp(), "/");
    assert_eq!(s.data(), &serde_json::json!({}));
    *h.layer.socket_data_mut(&main).unwrap() = serde_json::json!({"user": 7});
    assert_eq!(h.layer.socket(&main).unwrap().data()["user"], 7);
    assert_eq!(
        h.layer.socket(&custom).unwrap().data(),
        &serde_json::json!({})
    );
}

#[test]
fn deciding_after_the_client_left_is_reported_not_panicked() {
    let mut h = Harness::new();
    h.open("A");
    h.send("A", "0");
    let req = h.take_connect();
    h.engine_closed(
        "A",
        volley_protocol::server::DisconnectReason::TransportClose,
    );
    assert_eq!(
        h.layer.accept_connect(h.now, req),
        Err(ServerError::ClientGone)
    );
    assert_eq!(h.layer.socket_count(), 0);
}

#[test]
fn a_second_connect_while_one_is_pending_closes_the_client() {
    let mut h = Harness::new();
    h.open("A");
    h.send("A", "0");
    let _pending = h.take_connect();
    h.send("A", "0");
    assert_eq!(h.closed, vec!["A"]);
}
