//! In-memory Engine.IO clients for the [`Harness`](super::Harness).

use super::{Driver, Harness};
use crate::engine::{
    payload, ConnId, Handshake, HttpResponse, Method, Packet, ReqId, RequestHead, WsFrame,
};
use crate::Str;
use bytes::Bytes;

/// Decodes a polling response body into packets (panics if it is not a valid payload).
#[track_caller]
pub fn decode_payload(response: &HttpResponse) -> Vec<Packet> {
    payload::decode(response.body.clone(), usize::MAX)
        .unwrap_or_else(|e| panic!("undecodable polling body {:?}: {e}", response.body))
}

fn handshake_of(packet: &Packet) -> Handshake {
    match packet {
        Packet::Open(json) => Handshake::from_json(json).expect("handshake JSON"),
        other => panic!("expected an open packet, got {other:?}"),
    }
}

/// A client on the polling transport.
#[derive(Debug, Clone)]
pub struct PollingClient {
    /// Its session id.
    pub sid: Str,
    /// The handshake the server sent.
    pub handshake: Handshake,
    /// Packets that arrived with the handshake, after the `open` packet.
    pub first: Vec<Packet>,
}

impl PollingClient {
    /// Opens a polling session; panics unless the handshake succeeds right away.
    #[track_caller]
    pub fn connect<D: Driver>(h: &mut Harness<D>) -> PollingClient {
        let req = h.request_to(Method::Get, "EIO=4&transport=polling", Bytes::new());
        let response = h.expect_response(req);
        Self::from_handshake_response(&response)
    }

    /// Reads the handshake response of a polling handshake request.
    #[track_caller]
    pub fn from_handshake_response(response: &HttpResponse) -> PollingClient {
        assert_eq!(response.status, 200, "handshake failed: {response:?}");
        let mut packets = decode_payload(response).into_iter();
        let handshake = handshake_of(&packets.next().expect("an open packet"));
        PollingClient {
            sid: handshake.sid.clone(),
            handshake,
            first: packets.collect(),
        }
    }

    /// The query string of this session's polling requests.
    pub fn query(&self) -> String {
        format!("EIO=4&transport=polling&sid={}", self.sid)
    }

    /// Starts a long-poll GET (it may stay pending).
    pub fn get<D: Driver>(&self, h: &mut Harness<D>) -> ReqId {
        h.request_to(Method::Get, &self.query(), Bytes::new())
    }

    /// A GET that must be answered at once with `200`; returns its packets.
    #[track_caller]
    pub fn poll<D: Driver>(&self, h: &mut Harness<D>) -> Vec<Packet> {
        let req = self.get(h);
        let response = h.expect_response(req);
        assert_eq!(response.status, 200, "poll failed: {response:?}");
        decode_payload(&response)
    }

    /// Finishes a GET started with [`PollingClient::get`], which must be answered by now.
    #[track_caller]
    pub fn packets_of<D: Driver>(h: &mut Harness<D>, req: ReqId) -> Vec<Packet> {
        let response = h.expect_response(req);
        assert_eq!(response.status, 200, "poll failed: {response:?}");
        decode_payload(&response)
    }

    /// POSTs `packets` and returns the response.
    pub fn post<D: Driver>(&self, h: &mut Harness<D>, packets: &[Packet]) -> HttpResponse {
        self.post_body(h, payload::encode(packets))
    }

    /// POSTs a raw body and returns the response.
    #[track_caller]
    pub fn post_body<D: Driver>(&self, h: &mut Harness<D>, body: impl Into<Bytes>) -> HttpResponse {
        let req = h.request_to(Method::Post, &self.query(), body);
        h.expect_response(req)
    }

    /// Starts a POST whose body has not arrived yet (finish it with
    /// [`Harness::request_body`]).
    pub fn post_head<D: Driver>(&self, h: &mut Harness<D>) -> ReqId {
        let target = format!("{}?{}", h.path, self.query());
        h.request_head(RequestHead::new(Method::Post, &target))
    }

    /// Opens a WebSocket for this sid without probing yet; `Err` carries a refusal.
    pub fn open_upgrade<D: Driver>(&self, h: &mut Harness<D>) -> Result<WsClient, HttpResponse> {
        self.open_upgrade_with(h, "")
    }

    /// [`open_upgrade`](Self::open_upgrade) with `extra` appended to the query (e.g.
    /// `"&b64=1"`).
    pub fn open_upgrade_with<D: Driver>(
        &self,
        h: &mut Harness<D>,
        extra: &str,
    ) -> Result<WsClient, HttpResponse> {
        let head = RequestHead::new(
            Method::Get,
            &format!(
                "{}?EIO=4&transport=websocket&sid={}{extra}",
                h.path, self.sid
            ),
        )
        .with_header("Connection", "Upgrade")
        .with_header("Upgrade", "websocket");
        let req = h.request(head, Bytes::new());
        match h.ws_conn(req) {
            Some(conn) => Ok(WsClient {
                conn,
                sid: self.sid.clone(),
            }),
            None => Err(h.expect_response(req)),
        }
    }

    /// The whole upgrade as the official client does it: WebSocket, `2probe` → `3probe`,
    /// then `5`. Panics if the server does not answer the probe.
    #[track_caller]
    pub fn upgrade<D: Driver>(&self, h: &mut Harness<D>) -> WsClient {
        let ws = self.probe(h);
        ws.send(h, Packet::Upgrade);
        ws
    }

    /// The first half of an upgrade: a WebSocket for this sid, `2probe` sent and `3probe`
    /// received (panics otherwise). The client would now pause polling and send `5`.
    #[track_caller]
    pub fn probe<D: Driver>(&self, h: &mut Harness<D>) -> WsClient {
        let ws = self.open_upgrade(h).expect("upgrade request refused");
        ws.send(h, Packet::Ping(Str::from_static("probe")));
        assert_eq!(
            ws.recv(h),
            vec![Packet::Pong(Str::from_static("probe"))],
            "probe not answered"
        );
        ws
    }
}

/// A client on a WebSocket.
#[derive(Debug, Clone)]
pub struct WsClient {
    /// The connection.
    pub conn: ConnId,
    /// Its session id.
    pub sid: Str,
}

impl WsClient {
    /// Opens a WebSocket-first session; returns the client and its handshake.
    #[track_caller]
    pub fn connect<D: Driver>(h: &mut Harness<D>) -> (WsClient, Handshake) {
        Self::connect_with(h, "")
    }

    /// [`connect`](Self::connect) with `extra` appended to the query (e.g. `"&b64=1"`).
    #[track_caller]
    pub fn connect_with<D: Driver>(h: &mut Harness<D>, extra: &str) -> (WsClient, Handshake) {
        let head = RequestHead::new(
            Method::Get,
            &format!("{}?EIO=4&transport=websocket{extra}", h.path),
        )
        .with_header("Connection", "Upgrade")
        .with_header("Upgrade", "websocket");
        let req = h.request(head, Bytes::new());
        let conn = h
            .ws_conn(req)
            .unwrap_or_else(|| panic!("WebSocket handshake refused: {:?}", h.response(req)));
        let mut frames = h.ws_recv(conn).into_iter();
        let first = frames.next().expect("an open frame");
        let handshake = handshake_of(&Packet::decode_ws(first).expect("decodable open"));
        assert_eq!(frames.next(), None, "more than the open frame arrived");
        let client = WsClient {
            conn,
            sid: handshake.sid.clone(),
        };
        (client, handshake)
    }

    /// Sends a packet as one frame.
    pub fn send<D: Driver>(&self, h: &mut Harness<D>, packet: Packet) {
        h.ws_send(self.conn, packet.encode_ws());
    }

    /// Sends a raw frame.
    pub fn send_frame<D: Driver>(&self, h: &mut Harness<D>, frame: WsFrame) {
        h.ws_send(self.conn, frame);
    }

    /// Packets received since the last call.
    #[track_caller]
    pub fn recv<D: Driver>(&self, h: &mut Harness<D>) -> Vec<Packet> {
        h.ws_recv(self.conn)
            .into_iter()
            .map(|f| Packet::decode_ws(f).expect("server frames decode"))
            .collect()
    }

    /// Raw frames received since the last call.
    pub fn recv_frames<D: Driver>(&self, h: &mut Harness<D>) -> Vec<WsFrame> {
        h.ws_recv(self.conn)
    }

    /// The client closes the connection.
    pub fn close<D: Driver>(&self, h: &mut Harness<D>) {
        h.ws_close(self.conn);
    }

    /// True once the connection is closed.
    pub fn is_closed<D: Driver>(&self, h: &Harness<D>) -> bool {
        h.ws_closed(self.conn)
    }
}
