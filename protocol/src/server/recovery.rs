//! Connection state recovery (the reference's `connectionStateRecovery`): a socket that lost
//! its connection for a recoverable reason keeps its id, rooms and `data` for a while, and
//! the events sent meanwhile are replayed when its client reconnects.
//!
//! As in the reference: every EVENT without an ack and not volatile, to one socket or
//! broadcast, gets an offset appended as its last argument and is kept (with its rooms and
//! exceptions) for `max_disconnection_duration`; the CONNECT answer carries a private session
//! id (`pid`) besides the socket id; the client reconnects with `pid` and the last offset it
//! saw in its CONNECT auth, and gets the missed events before the CONNECT answer. The log is
//! per namespace and per node (a cluster's nodes each keep their own).

use super::event::Payload;
use super::ids::{DisconnectReason, Room, SocketId, SocketKey};
use super::layer::{SocketLayer, Timer};
use crate::hash::IdMap;
use crate::Str;
use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

/// Settings of connection state recovery.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RecoveryConfig {
    /// How long a disconnected socket's state and the events sent meanwhile are kept
    /// (reference default 2 minutes).
    pub max_disconnection_duration: Duration,
    /// A recovered socket joins without the namespace middleware (reference default true).
    pub skip_middlewares: bool,
}

impl Default for RecoveryConfig {
    fn default() -> Self {
        RecoveryConfig {
            max_disconnection_duration: Duration::from_secs(120),
            skip_middlewares: true,
        }
    }
}

impl RecoveryConfig {
    /// The reference's defaults: 2 minutes, middleware skipped.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `max_disconnection_duration`.
    pub fn max_disconnection_duration(mut self, d: Duration) -> Self {
        self.max_disconnection_duration = d;
        self
    }

    /// Sets `skip_middlewares`.
    pub fn skip_middlewares(mut self, skip: bool) -> Self {
        self.skip_middlewares = skip;
        self
    }
}

/// How often expired sessions and events are dropped (the reference's interval).
pub(crate) const PURGE_EVERY: Duration = Duration::from_secs(60);

/// The reasons after which a socket's state is kept (the reference's
/// `RECOVERABLE_DISCONNECT_REASONS`).
pub(crate) fn is_recoverable(reason: DisconnectReason) -> bool {
    matches!(
        reason,
        DisconnectReason::TransportError
            | DisconnectReason::TransportClose
            | DisconnectReason::ForcedClose
            | DisconnectReason::PingTimeout
            | DisconnectReason::ServerShuttingDown
            | DisconnectReason::ForcedServerClose
    )
}

/// A disconnected socket's state.
#[derive(Debug, Clone)]
pub(crate) struct Session {
    pub(crate) id: SocketId,
    pub(crate) pid: Str,
    pub(crate) rooms: Vec<Room>,
    pub(crate) data: serde_json::Value,
    disconnected_at: Instant,
}

/// A session being restored: its state and the events it missed, in order.
#[derive(Debug, Clone)]
pub struct Restored {
    pub(crate) session: Session,
    pub(crate) missed: Vec<Payload>,
}

/// One kept event: to whom it went, and what (offset included).
struct Kept {
    offset: Str,
    at: Instant,
    rooms: Vec<Room>,
    except: Vec<Room>,
    payload: Payload,
}

impl Kept {
    /// Whether a socket in `rooms` was a target (the reference's `shouldIncludePacket`).
    fn reaches(&self, rooms: &[Room]) -> bool {
        let included = self.rooms.is_empty() || rooms.iter().any(|r| self.rooms.contains(r));
        included && !rooms.iter().any(|r| self.except.contains(r))
    }
}

/// One namespace's sessions and events.
#[derive(Default)]
struct Log {
    sessions: HashMap<Str, Session>,
    kept: VecDeque<Kept>,
}

/// A connected socket's recovery identity.
pub(crate) struct Identity {
    pub(crate) pid: Str,
    pub(crate) recovered: bool,
}

/// All recovery state of a layer (only when enabled).
pub(crate) struct RecoveryState {
    pub(crate) config: RecoveryConfig,
    logs: HashMap<Str, Log>,
    /// Connected sockets' pids (and whether they were recovered).
    pub(crate) sockets: IdMap<SocketKey, Identity>,
    next_offset: u64,
    /// The last time the layer was told (app commands carry no time).
    pub(crate) now: Option<Instant>,
    /// A purge is scheduled.
    pub(crate) purge_armed: bool,
}

impl RecoveryState {
    pub(crate) fn new(config: RecoveryConfig) -> Self {
        RecoveryState {
            config,
            logs: HashMap::new(),
            sockets: IdMap::default(),
            next_offset: 0,
            now: None,
            purge_armed: false,
        }
    }

    /// Appends a fresh offset to `payload` (an event's `[name, …]`) and keeps it for the
    /// sockets in `rooms` (all when empty) but not in `except`. Returns when a purge should
    /// be scheduled, if none is.
    pub(crate) fn keep(
        &mut self,
        nsp: &Str,
        rooms: Vec<Room>,
        except: Vec<Room>,
        payload: &mut Payload,
    ) -> Option<Instant> {
        let now = self.now?;
        self.next_offset += 1;
        let offset = Str::from(format!("{:x}", self.next_offset));
        payload.data = with_last_argument(&payload.data, &offset);
        self.logs
            .entry(nsp.clone())
            .or_default()
            .kept
            .push_back(Kept {
                offset,
                at: now,
                rooms,
                except,
                payload: payload.clone(),
            });
        self.arm(now)
    }

    /// Keeps a disconnected socket's state under its pid.
    pub(crate) fn persist(
        &mut self,
        nsp: &Str,
        id: SocketId,
        pid: Str,
        rooms: Vec<Room>,
        data: serde_json::Value,
    ) -> Option<Instant> {
        let now = self.now?;
        let session = Session {
            id,
            pid: pid.clone(),
            rooms,
            data,
            disconnected_at: now,
        };
        self.logs
            .entry(nsp.clone())
            .or_default()
            .sessions
            .insert(pid, session);
        self.arm(now)
    }

    fn arm(&mut self, now: Instant) -> Option<Instant> {
        if self.purge_armed {
            return None;
        }
        self.purge_armed = true;
        Some(now + PURGE_EVERY)
    }

    /// Takes the session `pid` of `nsp` with the events after `offset` it should get; `None`
    /// when it is unknown, expired, or `offset` is no longer (or never was) kept.
    pub(crate) fn restore(&mut self, nsp: &str, pid: &str, offset: &str) -> Option<Restored> {
        let now = self.now?;
        let max = self.config.max_disconnection_duration;
        let log = self.logs.get_mut(nsp)?;
        let session = log.sessions.get(pid)?;
        if session.disconnected_at + max < now {
            log.sessions.remove(pid);
            return None;
        }
        let from = log.kept.iter().position(|k| &*k.offset == offset)?;
        let missed = log
            .kept
            .iter()
            .skip(from + 1)
            .filter(|k| k.reaches(&session.rooms))
            .map(|k| k.payload.clone())
            .collect();
        let session = log.sessions.remove(pid)?;
        Some(Restored { session, missed })
    }

    /// Puts back a session whose restoration did not happen (the CONNECT was refused).
    pub(crate) fn put_back(&mut self, nsp: &Str, session: Session) {
        let log = self.logs.entry(nsp.clone()).or_default();
        log.sessions.insert(session.pid.clone(), session);
    }

    /// Drops what expired; returns when to purge next, if anything is left.
    pub(crate) fn purge(&mut self, now: Instant) -> Option<Instant> {
        self.purge_armed = false;
        let Some(threshold) = now.checked_sub(self.config.max_disconnection_duration) else {
            return self.arm_if_kept(now);
        };
        self.logs.retain(|_, log| {
            log.sessions.retain(|_, s| s.disconnected_at >= threshold);
            while log.kept.front().is_some_and(|k| k.at < threshold) {
                log.kept.pop_front();
            }
            !log.sessions.is_empty() || !log.kept.is_empty()
        });
        self.arm_if_kept(now)
    }

    fn arm_if_kept(&mut self, now: Instant) -> Option<Instant> {
        if self.logs.is_empty() {
            None
        } else {
            self.arm(now)
        }
    }
}

/// `["name",…]` with `offset` as one more (last) argument.
fn with_last_argument(data: &Str, offset: &str) -> Str {
    let text = data.as_str();
    let body = text.trim_end();
    let Some(inner) = body.strip_suffix(']') else {
        return data.clone();
    };
    let mut out = String::with_capacity(text.len() + offset.len() + 3);
    out.push_str(inner.trim_end());
    if !out.trim_end().ends_with('[') {
        out.push(',');
    }
    out.push('"');
    out.push_str(offset);
    out.push_str("\"]");
    Str::from(out)
}

impl SocketLayer {
    /// Whether a connected socket was restored by connection state recovery (the
    /// reference's `socket.recovered`); `None` for an unknown socket.
    pub fn socket_recovered(&self, id: &str) -> Option<bool> {
        let key = *self.by_id.get(id)?;
        Some(
            self.recovery
                .as_ref()
                .and_then(|r| r.sockets.get(&key))
                .is_some_and(|i| i.recovered),
        )
    }

    /// Connection state recovery stamps what it keeps with the latest time the layer was
    /// given (app commands carry none).
    pub(crate) fn touch(&mut self, now: Instant) {
        if let Some(r) = self.recovery.as_mut() {
            r.now = Some(now);
        }
    }

    /// Puts back the session a CONNECT was restoring when it is not admitted after all.
    pub(crate) fn put_back(&mut self, nsp: &Str, restored: Option<Box<Restored>>) {
        if let (Some(r), Some(restored)) = (self.recovery.as_mut(), restored) {
            r.put_back(nsp, restored.session);
        }
    }

    /// Keeps an event for connection state recovery (appending its offset) when recovery is
    /// on and the event has no ack and is not volatile.
    pub(crate) fn keep_for_recovery(
        &mut self,
        nsp: &Str,
        rooms: Vec<super::ids::Room>,
        except: Vec<super::ids::Room>,
        payload: &mut Payload,
    ) {
        if let Some(r) = self.recovery.as_mut() {
            if let Some(at) = r.keep(nsp, rooms, except, payload) {
                self.timers.insert(at, Timer::RecoveryPurge);
            }
        }
    }
}

/// The session a CONNECT's auth names (`pid` and `offset`, both strings, as the official
/// client sends them), if it can be restored.
pub(crate) fn restore_from_auth(r: &mut RecoveryState, nsp: &Str, auth: &str) -> Option<Restored> {
    #[derive(serde::Deserialize)]
    struct Resume<'a> {
        #[serde(borrow)]
        pid: Option<std::borrow::Cow<'a, str>>,
        #[serde(borrow)]
        offset: Option<std::borrow::Cow<'a, str>>,
    }
    let parsed: Resume<'_> = crate::json::from_str(auth).ok()?;
    r.restore(nsp, &parsed.pid?, &parsed.offset?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_offset_becomes_the_last_argument() {
        assert_eq!(
            with_last_argument(&Str::from(r#"["a",1,{"b":[2]}]"#), "f"),
            r#"["a",1,{"b":[2]},"f"]"#
        );
        assert_eq!(
            with_last_argument(&Str::from(r#"["a"]"#), "1"),
            r#"["a","1"]"#
        );
        assert_eq!(with_last_argument(&Str::from("[]"), "1"), r#"["1"]"#);
    }

    fn room(r: &str) -> Room {
        Room::from(r)
    }

    #[test]
    fn a_kept_event_reaches_its_rooms_but_not_its_exceptions() {
        let kept = |rooms: &[&str], except: &[&str]| Kept {
            offset: Str::from("1"),
            at: Instant::now(),
            rooms: rooms.iter().map(|r| room(r)).collect(),
            except: except.iter().map(|r| room(r)).collect(),
            payload: Payload::new(r#"["e"]"#),
        };
        let mine = [room("me"), room("r")];
        assert!(kept(&[], &[]).reaches(&mine));
        assert!(kept(&["r", "x"], &[]).reaches(&mine));
        assert!(!kept(&["x"], &[]).reaches(&mine));
        assert!(!kept(&[], &["me"]).reaches(&mine));
        assert!(!kept(&["r"], &["r"]).reaches(&mine));
    }

    #[test]
    fn restore_returns_what_came_after_the_offset_once_and_not_when_expired() {
        let t0 = Instant::now();
        let nsp = Str::from("/");
        let mut st = RecoveryState::new(RecoveryConfig::new());
        st.now = Some(t0);
        let p = |st: &mut RecoveryState, rooms: &[&str]| {
            let mut payload = Payload::new(r#"["e"]"#);
            st.keep(
                &nsp,
                rooms.iter().map(|r| room(r)).collect(),
                vec![],
                &mut payload,
            );
            payload
        };
        let first = p(&mut st, &[]);
        let offset = first.data.as_str()[6..first.data.len() - 2].to_owned();
        let second = p(&mut st, &["r"]);
        let _other = p(&mut st, &["elsewhere"]);
        st.persist(
            &nsp,
            SocketId::new(Str::from("s1")),
            Str::from("p1"),
            vec![room("s1"), room("r")],
            serde_json::json!({"k": 1}),
        );
        let third = p(&mut st, &[]);
        assert!(st.restore("/", "p1", "nope").is_none(), "unknown offset");
        let r = st.restore("/", "p1", &offset).expect("restored");
        assert_eq!(r.missed, vec![second, third]);
        assert_eq!(r.session.rooms, vec![room("s1"), room("r")]);
        assert!(st.restore("/", "p1", &offset).is_none(), "taken");
        // Expiry.
        st.persist(
            &nsp,
            SocketId::new(Str::from("s2")),
            Str::from("p2"),
            vec![],
            serde_json::Value::Null,
        );
        st.now = Some(t0 + Duration::from_secs(121));
        assert!(st.restore("/", "p2", &offset).is_none());
        // The purge drops the rest.
        assert_eq!(st.purge(t0 + Duration::from_secs(300)), None);
        assert!(st.logs.is_empty());
    }
}
