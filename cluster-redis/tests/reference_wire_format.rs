//! The wire format against bytes the reference published (fixtures recorded from a real
//! Redis by `interop/redis/gen-fixtures.mjs`: socket.io 4.8 + @socket.io/redis-adapter 8.3 +
//! @socket.io/redis-emitter 5.1). Every message Volley also sends must re-encode to exactly
//! the reference's bytes; everything must decode to what it means.

use bytes::Bytes;
use serde_json::Value as Json;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use volley_protocol::server::{BroadcastOptions, ClusterBody, ClusterMessage, Payload};
use volley_protocol::Str;
use volley_redis::wire::{self, ChannelKind, Channels};

struct Fixture {
    json: Json,
}

struct Msg {
    channel: String,
    bytes: Bytes,
}

impl Fixture {
    fn load() -> Self {
        let text = include_str!("fixtures/reference.json");
        Fixture {
            json: serde_json::from_str(text).unwrap(),
        }
    }

    fn id(&self, name: &str) -> String {
        self.json["ids"][name].as_str().unwrap().to_owned()
    }

    fn step(&self, name: &str) -> Vec<Msg> {
        let step = self.json["steps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["step"] == name)
            .unwrap_or_else(|| panic!("no step {name}"));
        step["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| Msg {
                channel: m["channel"].as_str().unwrap().to_owned(),
                bytes: Bytes::from(hex(m["hex"].as_str().unwrap())),
            })
            .collect()
    }
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn kind_of(channel: &str) -> ChannelKind {
    if channel.starts_with("socket.io-request#") {
        ChannelKind::Request
    } else if channel.starts_with("socket.io-response#") {
        ChannelKind::Response
    } else {
        ChannelKind::Broadcast
    }
}

fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_800_000_000)
}

fn decode(m: &Msg, nsp: &str) -> ClusterMessage {
    wire::decode(kind_of(&m.channel), &Str::from(nsp), &m.bytes, now())
        .unwrap_or_else(|e| panic!("{}: {e}", m.channel))
        .unwrap_or_else(|| panic!("{}: ignored", m.channel))
}

/// Decodes, then re-encodes and checks the exact bytes and channel.
fn same_bytes(m: &Msg, nsp: &str) -> ClusterMessage {
    let msg = decode(m, nsp);
    let out = wire::encode(&Channels::default(), &msg, now()).unwrap();
    assert_eq!(out.channel, m.channel);
    assert_eq!(
        Bytes::from(out.payload),
        m.bytes,
        "re-encoding of {:?} differs from the reference",
        msg.body
    );
    msg
}

fn payload(data: &str) -> Payload {
    Payload::new(data)
}

fn broadcast(msg: &ClusterMessage) -> (&BroadcastOptions, &Payload, &Option<Str>) {
    match &msg.body {
        ClusterBody::Broadcast {
            opts,
            payload,
            request,
        } => (opts, payload, request),
        other => panic!("not a broadcast: {other:?}"),
    }
}

#[test]
fn broadcasts_to_all_to_one_room_and_to_rooms_except_match_the_reference_bytes() {
    let f = Fixture::load();
    let uid = f.id("uidA");

    let all = same_bytes(&f.step("emit_all")[0], "/");
    assert_eq!(all.uid, uid.as_str());
    let (opts, p, req) = broadcast(&all);
    assert_eq!(*opts, BroadcastOptions::new());
    assert_eq!(
        *p,
        payload(r#"["hello",1,"two",{"three":[3,4.5]},null,true,false]"#)
    );
    assert!(req.is_none());

    let room = &f.step("emit_room")[0];
    assert_eq!(room.channel, "socket.io#/#room1#");
    let room = same_bytes(room, "/");
    let (opts, p, _) = broadcast(&room);
    assert_eq!(*opts, BroadcastOptions::new().to("room1"));
    assert_eq!(*p, payload(r#"["news","x"]"#));

    let except = same_bytes(&f.step("emit_rooms_except")[0], "/");
    assert_eq!(
        *broadcast(&except).0,
        BroadcastOptions::new().to("a").to("b").except("c")
    );

    let vol = same_bytes(&f.step("emit_volatile")[0], "/");
    assert_eq!(*broadcast(&vol).0, BroadcastOptions::new().volatile());

    let sender = same_bytes(&f.step("socket_broadcast")[0], "/");
    assert_eq!(
        *broadcast(&sender).0,
        BroadcastOptions::new().except(f.id("socketA"))
    );
}

#[test]
fn binary_arguments_are_msgpack_bin_and_become_attachments() {
    let f = Fixture::load();
    let msg = same_bytes(&f.step("emit_binary")[0], "/");
    let (_, p, _) = broadcast(&msg);
    assert_eq!(
        p.data,
        r#"["bin",{"_placeholder":true,"num":0},{"nested":{"_placeholder":true,"num":1}}]"#
    );
    assert_eq!(p.attachments[0], Bytes::from_static(&[1, 2, 3]));
    assert_eq!(p.attachments[1], Bytes::from(vec![7u8; 300]));
}

#[test]
fn numbers_and_strings_take_the_reference_encodings() {
    let f = Fixture::load();
    let msg = same_bytes(&f.step("emit_numbers_strings")[0], "/");
    let (_, p, _) = broadcast(&msg);
    assert!(p.data.starts_with(
        r#"["nums",-1,-33,-200,-40000,-3000000000,127,128,255,256,65536,4294967296,1.5,-0.25,9007199254740992,-1099511627776,"héllo ✓ 😀","#
    ));
    assert!(p.data.ends_with(r#"{"":0}]"#));
}

#[test]
fn a_broadcast_of_another_namespace_is_ignored() {
    let f = Fixture::load();
    let m = &f.step("emit_custom_nsp")[0];
    assert_eq!(m.channel, "socket.io#/custom#");
    let custom = same_bytes(m, "/custom");
    assert_eq!(custom.uid, f.id("uidCustomA").as_str());
    let other = wire::decode(ChannelKind::Broadcast, &Str::from("/"), &m.bytes, now()).unwrap();
    assert!(other.is_none());
}

#[test]
fn broadcast_with_acks_request_client_count_and_ack_match_the_reference_bytes() {
    let f = Fixture::load();
    let msgs = f.step("emit_with_ack");
    let req = same_bytes(&msgs[0], "/");
    let (opts, p, request) = broadcast(&req);
    assert_eq!(opts.flags.timeout, Some(Duration::from_millis(2000)));
    assert_eq!(*p, payload(r#"["ask",5]"#));
    let request = request.clone().expect("a request id");

    let count = same_bytes(&msgs[1], "/");
    assert_eq!(count.uid, "");
    assert_eq!(
        count.body,
        ClusterBody::BroadcastClientCount {
            request: request.clone(),
            count: 1
        }
    );
    let ack = same_bytes(&msgs[2], "/");
    match ack.body {
        ClusterBody::BroadcastAck {
            request: r,
            payload,
        } => {
            assert_eq!(r, request);
            assert_eq!(
                payload.data,
                r#"[{"got":5,"bin":{"_placeholder":true,"num":0}}]"#
            );
            assert_eq!(payload.attachments, vec![Bytes::from_static(&[9, 8])]);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn fetch_sockets_requests_and_node_shaped_answers_match_the_reference_bytes() {
    let f = Fixture::load();
    let msgs = f.step("fetch_sockets");
    let req = same_bytes(&msgs[0], "/");
    let ClusterBody::FetchSockets { opts, request } = &req.body else {
        panic!("{:?}", req.body)
    };
    assert_eq!(*opts, BroadcastOptions::new());
    // `SocketInfo::data` is a serde_json::Value, which does not keep key order: the answer
    // is the same JSON, byte-identical up to the data object.
    let res = decode(&msgs[1], "/");
    let out = wire::encode(&Channels::default(), &res, now()).unwrap();
    assert_eq!(out.channel, msgs[1].channel);
    let data_at = out
        .payload
        .windows(7)
        .position(|w| w == b"\"data\":")
        .unwrap();
    assert_eq!(out.payload[..data_at], msgs[1].bytes[..data_at]);
    assert_eq!(
        serde_json::from_slice::<Json>(&out.payload).unwrap(),
        serde_json::from_slice::<Json>(&msgs[1].bytes).unwrap()
    );
    let ClusterBody::FetchSocketsResponse {
        request: r,
        sockets,
    } = &res.body
    else {
        panic!("{:?}", res.body)
    };
    assert_eq!(r, request);
    assert_eq!(sockets.len(), 1);
    let s = &sockets[0];
    let id = f.id("socketB");
    assert_eq!(s.id.as_str(), id);
    let rooms: Vec<&str> = s.rooms.iter().map(|r| r.as_str()).collect();
    assert_eq!(rooms, [id.as_str(), "r2", "r4"]);
    assert_eq!(s.data, serde_json::json!({"user": "u1", "n": 2}));
    assert_eq!(s.query, "foo=bar&EIO=4&transport=websocket");
    assert_eq!(s.auth, r#"{"token":"abc"}"#);
    assert_eq!(s.address, Some("127.0.0.1:0".parse().unwrap()));
    assert_eq!(s.url, "/socket.io/?foo=bar&EIO=4&transport=websocket");
    assert!(s
        .headers
        .iter()
        .any(|(k, v)| k == "upgrade" && v == "websocket"));

    let rooms = same_bytes(&f.step("fetch_sockets_rooms")[0], "/");
    let ClusterBody::FetchSockets { opts, .. } = &rooms.body else {
        panic!()
    };
    assert_eq!(*opts, BroadcastOptions::new().to("r2").except("r3"));
}

#[test]
fn all_rooms_join_leave_and_disconnect_match_the_reference_bytes() {
    let f = Fixture::load();
    let msgs = f.step("all_rooms");
    let req = same_bytes(&msgs[0], "/");
    assert!(matches!(req.body, ClusterBody::AllRooms { .. }));
    let res = same_bytes(&msgs[1], "/");
    let ClusterBody::AllRoomsResponse { rooms, .. } = &res.body else {
        panic!()
    };
    assert_eq!(rooms.len(), 3);

    let join = same_bytes(&f.step("sockets_join")[0], "/");
    assert_eq!(
        join.body,
        ClusterBody::SocketsJoin {
            opts: BroadcastOptions::new().to("r2"),
            rooms: vec!["j1".into(), "j2".into()]
        }
    );
    let leave = same_bytes(&f.step("sockets_leave")[0], "/");
    assert_eq!(
        leave.body,
        ClusterBody::SocketsLeave {
            opts: BroadcastOptions::new(),
            rooms: vec!["j1".into()]
        }
    );
    let disconnect = same_bytes(&f.step("disconnect_sockets")[0], "/");
    assert_eq!(
        disconnect.body,
        ClusterBody::DisconnectSockets {
            opts: BroadcastOptions::new().to("nobody"),
            close: true
        }
    );
}

#[test]
fn server_side_emit_with_and_without_ack_match_the_reference_bytes() {
    let f = Fixture::load();
    let plain = same_bytes(&f.step("server_side_emit")[0], "/");
    assert_eq!(
        plain.body,
        ClusterBody::ServerSideEmit {
            payload: payload(r#"["sse",1,{"a":"b"}]"#),
            request: None
        }
    );
    let msgs = f.step("server_side_emit_ack");
    let req = same_bytes(&msgs[0], "/");
    let ClusterBody::ServerSideEmit {
        request: Some(request),
        ..
    } = &req.body
    else {
        panic!("{:?}", req.body)
    };
    let res = same_bytes(&msgs[1], "/");
    assert_eq!(
        res.body,
        ClusterBody::ServerSideEmitResponse {
            request: request.clone(),
            payload: payload(r#"["pong-2"]"#)
        }
    );
}

#[test]
fn emitter_messages_decode() {
    let f = Fixture::load();
    let emit = decode(&f.step("emitter_emit")[0], "/");
    assert_eq!(emit.uid, "emitter");
    let (_, p, _) = broadcast(&emit);
    assert_eq!(p.data, r#"["em",1,{"_placeholder":true,"num":0}]"#);
    assert_eq!(p.attachments, vec![Bytes::from_static(&[0xff])]);

    let m = &f.step("emitter_room_except_volatile")[0];
    assert_eq!(m.channel, "socket.io#/custom#room1#");
    let custom = decode(m, "/custom");
    assert_eq!(
        *broadcast(&custom).0,
        BroadcastOptions::new().to("room1").except("x").volatile()
    );

    let join = decode(&f.step("emitter_sockets_join")[0], "/");
    assert_eq!(join.uid, "emitter");
    assert_eq!(
        join.body,
        ClusterBody::SocketsJoin {
            opts: BroadcastOptions::new().to("r2"),
            rooms: vec!["ej".into()]
        }
    );
    let leave = decode(&f.step("emitter_sockets_leave")[0], "/");
    assert!(matches!(leave.body, ClusterBody::SocketsLeave { .. }));
    let disconnect = decode(&f.step("emitter_disconnect")[0], "/");
    assert_eq!(
        disconnect.body,
        ClusterBody::DisconnectSockets {
            opts: BroadcastOptions::new().to("nobody"),
            close: false
        }
    );
    let sse = decode(&f.step("emitter_server_side_emit")[0], "/");
    assert_eq!(
        sse.body,
        ClusterBody::ServerSideEmit {
            payload: payload(r#"["esse",{"k":[1]}]"#),
            request: None
        }
    );
}

#[test]
fn truncated_or_corrupted_messages_are_errors_never_panics() {
    let f = Fixture::load();
    for step in f.json["steps"].as_array().unwrap() {
        for m in f.step(step["step"].as_str().unwrap()) {
            if m.bytes.len() > 4096 {
                continue;
            }
            let kind = kind_of(&m.channel);
            for cut in 0..m.bytes.len() {
                let short = m.bytes.slice(..cut);
                let _ = wire::decode(kind, &Str::from("/"), &short, now());
                let mut flipped = m.bytes.to_vec();
                flipped[cut] ^= 0xa5;
                let _ = wire::decode(kind, &Str::from("/"), &Bytes::from(flipped), now());
            }
        }
    }
}
