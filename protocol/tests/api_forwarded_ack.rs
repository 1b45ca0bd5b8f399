//! Through the user API, sans IO: `AckResponder::send_forward` answers with the client's
//! arguments unchanged, written straight into the reply's buffer — in a namespace other than
//! `/`, with binary attachments, and with no arguments at all.

mod api_common;

use api_common::{frames, text};

use api_common::TestRuntime;
use bytes::Bytes;
use std::sync::Arc;
use std::time::Instant;
use volley_protocol::api::{Endpoint, Io, Options, SocketRef, WsLink};
use volley_protocol::engine::WsFrame;

fn connected(nsp: &str) -> (Endpoint, WsLink) {
    let io = Io::new(Options::default(), Arc::new(TestRuntime(Instant::now())));
    io.of(nsp).on_connection(|socket: SocketRef| {
        socket.on("echo", |_socket, mut event| {
            if let Some(ack) = event.take_ack() {
                ack.send_forward(event.forward_args());
            }
        });
    });
    let endpoint: Endpoint = io.into();
    let link = api_common::open_websocket(&endpoint);
    assert_eq!(frames(&link).len(), 1, "the open packet");
    link.handle_message(text(&format!("40{nsp},")));
    let got = frames(&link);
    assert!(
        matches!(&got[..], [WsFrame::Text(t)] if t.starts_with(&format!("40{nsp},{{\"sid\":"))),
        "{got:?}"
    );
    (endpoint, link)
}

#[test]
fn forwarded_acks_in_a_namespace_keep_their_arguments_and_attachments() {
    let (_endpoint, link) = connected("/chat");
    link.handle_message(text(r#"42/chat,5["echo",1,{"a":[2,"é\""]}]"#));
    assert_eq!(frames(&link), vec![text(r#"43/chat,5[1,{"a":[2,"é\""]}]"#)]);

    link.handle_message(text(r#"42/chat,6["echo"]"#));
    assert_eq!(frames(&link), vec![text("43/chat,6[]")]);

    link.handle_message(text(
        r#"452-/chat,12["echo",{"_placeholder":true,"num":0},"x",{"_placeholder":true,"num":1}]"#,
    ));
    link.handle_message(WsFrame::Binary(Bytes::from_static(&[1, 2])));
    link.handle_message(WsFrame::Binary(Bytes::from_static(&[3])));
    assert_eq!(
        frames(&link),
        vec![
            text(
                r#"462-/chat,12[{"_placeholder":true,"num":0},"x",{"_placeholder":true,"num":1}]"#
            ),
            WsFrame::Binary(Bytes::from_static(&[1, 2])),
            WsFrame::Binary(Bytes::from_static(&[3])),
        ]
    );
}

#[test]
fn forwarded_arguments_are_the_same_text_with_or_without_blanks() {
    let (_endpoint, link) = connected("/chat");
    // Without blanks the checked text after the name is copied in one piece; with blanks
    // the arguments are found one by one and the blanks between them dropped. Either way
    // each argument is its text as it came.
    link.handle_message(text(r#"42/chat,1["echo",1,"a,b",{"c":[]},[]]"#));
    assert_eq!(
        frames(&link),
        vec![text(r#"43/chat,1[1,"a,b",{"c":[]},[]]"#)]
    );
    link.handle_message(text("42/chat,2[ \"echo\" ,\t1 , \"a b\" ,{\"c\" : [ ]} ]"));
    assert_eq!(
        frames(&link),
        vec![text("43/chat,2[1,\"a b\",{\"c\" : [ ]}]")]
    );
    // A blank inside a string only: the same text.
    link.handle_message(text(r#"42/chat,3["echo","a b"]"#));
    assert_eq!(frames(&link), vec![text(r#"43/chat,3["a b"]"#)]);

    // No arguments, with blanks before the end: nothing but the brackets.
    link.handle_message(text("42/chat,4[\"echo\" \n]"));
    assert_eq!(frames(&link), vec![text("43/chat,4[]")]);

    // An escaped name: the same.
    link.handle_message(text(r#"42/chat,5["ech\u006f",2]"#));
    assert_eq!(frames(&link), vec![text("43/chat,5[2]")]);
}

#[test]
fn forwarded_events_keep_their_arguments() {
    let io = Io::new(Options::default(), Arc::new(TestRuntime(Instant::now())));
    io.of("/").on_connection(|socket: SocketRef| {
        socket.on("echo", |socket, event| {
            let _ = socket.emit_forward("back", event.forward_args());
        });
    });
    let endpoint: Endpoint = io.into();
    let link = api_common::open_websocket(&endpoint);
    assert_eq!(frames(&link).len(), 1, "the open packet");
    link.handle_message(text("40"));
    assert_eq!(frames(&link).len(), 1, "the CONNECT answer");

    link.handle_message(text(r#"42["echo",1,"x"]"#));
    assert_eq!(frames(&link), vec![text(r#"42["back",1,"x"]"#)]);
    link.handle_message(text(r#"42["echo", 1,"x"]"#));
    assert_eq!(frames(&link), vec![text(r#"42["back",1,"x"]"#)]);
    link.handle_message(text(r#"42["echo" ]"#));
    assert_eq!(frames(&link), vec![text(r#"42["back"]"#)]);
}
