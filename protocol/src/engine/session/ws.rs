//! A session's WebSocket: opening one for a WebSocket-first session, the probe by which a
//! WebSocket takes over from polling, its frames, and its end.

use super::*;

impl Session {
    /// The WebSocket of a WebSocket-first session is open.
    pub(crate) fn attach_ws(&mut self, ctx: &mut Shared, conn: ConnId, base64: bool) {
        if let Transport::WebSocket { conn: slot @ None } = &mut self.transport {
            *slot = Some(conn);
            self.ws_base64 = base64;
            ctx.conns.insert(conn, self.key);
            self.notify_queued(ctx);
        } else {
            ctx.transmits.push_back(Transmit::WsClose { conn });
        }
    }

    /// A WebSocket opened with this session's sid: it may probe and take over.
    pub(crate) fn start_upgrade(
        &mut self,
        now: Instant,
        ctx: &mut Shared,
        conn: ConnId,
        base64: bool,
    ) {
        let can_upgrade = self.phase == Phase::Open
            && self.upgrade.is_none()
            && !self.upgraded
            && matches!(self.transport, Transport::Polling { .. });
        if !can_upgrade {
            ctx.transmits.push_back(Transmit::WsClose { conn });
            return;
        }
        ctx.conns.insert(conn, self.key);
        self.upgrade = Some(Box::new(Upgrade {
            conn,
            deadline: now + ctx.config.upgrade_timeout,
            probed: false,
            probe_reply: false,
            base64,
        }));
    }

    /// Abandons a started upgrade; polling carries on.
    pub(super) fn cancel_upgrade(&mut self, ctx: &mut Shared, close_conn: bool) {
        if let Some(u) = self.upgrade.take() {
            ctx.conns.remove(&u.conn);
            if close_conn {
                ctx.transmits.push_back(Transmit::WsClose { conn: u.conn });
            }
        }
    }

    /// A frame on a connection that belongs to this session.
    pub(crate) fn handle_ws_frame(
        &mut self,
        now: Instant,
        ctx: &mut Shared,
        conn: ConnId,
        frame: WsFrame,
    ) {
        if self.phase != Phase::Open {
            return;
        }
        let len = match &frame {
            WsFrame::Text(s) => s.len(),
            WsFrame::Binary(b) => b.len(),
        };
        let decoded = Packet::decode_ws(frame);
        if self.upgrade.as_ref().is_some_and(|u| u.conn == conn) {
            self.on_probe_packet(ctx, decoded.ok());
            return;
        }
        if !matches!(self.transport, Transport::WebSocket { conn: Some(c) } if c == conn) {
            return;
        }
        if len > ctx.config.max_payload {
            self.close(now, ctx, CloseReason::TransportError, Farewell::Close);
            return;
        }
        match decoded {
            Ok(p) => self.on_packet(now, ctx, p),
            Err(_) => self.close(now, ctx, CloseReason::ParseError, Farewell::Close),
        }
    }

    /// A packet on the probing WebSocket: `2probe`, then `5`; anything else ends the probe.
    fn on_probe_packet(&mut self, ctx: &mut Shared, packet: Option<Packet>) {
        let Some(u) = self.upgrade.as_mut() else {
            return;
        };
        match packet {
            Some(Packet::Ping(data)) if data == "probe" => {
                u.probed = true;
                u.probe_reply = true;
                ctx.transmits.push_back(Transmit::WsReady { conn: u.conn });
                // Release the parked GET so the client can pause polling and finish.
                if self.queue.is_empty() {
                    self.release_parked(ctx);
                }
            }
            Some(Packet::Upgrade) => {
                let conn = u.conn;
                let probe_reply = u.probe_reply;
                self.ws_base64 = u.base64;
                self.upgrade = None;
                if let Some(p) = self.take_parked(ctx) {
                    Self::respond(
                        ctx,
                        p.req,
                        HttpResponse::payload(p.headers, Bytes::from_static(b"6")),
                    );
                }
                if probe_reply {
                    self.queue
                        .push_control_front(Packet::Pong(Str::from_static("probe")));
                }
                self.transport = Transport::WebSocket { conn: Some(conn) };
                self.upgraded = true;
                ctx.events.push_back(EngineEvent::Upgraded {
                    sid: self.sid.clone(),
                });
                self.notify_queued(ctx);
            }
            _ => self.cancel_upgrade(ctx, true),
        }
    }

    /// A connection of this session closed.
    pub(crate) fn handle_ws_closed(&mut self, now: Instant, ctx: &mut Shared, conn: ConnId) {
        if self.upgrade.as_ref().is_some_and(|u| u.conn == conn) {
            self.cancel_upgrade(ctx, false);
            return;
        }
        if matches!(self.transport, Transport::WebSocket { conn: Some(c) } if c == conn) {
            ctx.conns.remove(&conn);
            match self.phase {
                Phase::Open => {
                    self.transport = Transport::WebSocket { conn: None };
                    self.close(now, ctx, CloseReason::TransportClose, Farewell::Close);
                }
                Phase::Draining { .. } | Phase::Gone => self.phase = Phase::Gone,
            }
        }
    }

    /// The WebSocket-first handshake request went away before the upgrade completed.
    pub(crate) fn handle_ws_open_failed(&mut self, now: Instant, ctx: &mut Shared) {
        if matches!(self.transport, Transport::WebSocket { conn: None }) {
            self.close(now, ctx, CloseReason::TransportError, Farewell::Close);
        }
    }
}
