//! A session's outgoing queue: byte-counted, bounded, with volatile messages dropped first.

use super::config::BufferLimit;
use super::packet::{Message, Packet, WsFrame};
use super::payload::SEPARATOR;
use crate::Str;
use bytes::Bytes;
use std::collections::VecDeque;

/// A message ready to queue on one or many sessions: encoded once, cloned cheaply.
///
/// A text message holds its full Engine.IO form (`4…`), which is both a polling item and a
/// WebSocket text frame, so fanning it out to many sessions shares one buffer.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OutMessage(Repr);

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Repr {
    /// `4` followed by the text.
    Text(Str),
    /// Raw bytes (a WebSocket binary frame; `b<base64>` over polling).
    Binary(Bytes),
}

impl OutMessage {
    /// A text message (copies `text` once, behind the `4` type character).
    pub fn text(text: &str) -> Self {
        let mut s = String::with_capacity(text.len() + 1);
        s.push('4');
        s.push_str(text);
        OutMessage(Repr::Text(Str::from(s)))
    }

    /// A text message from its already encoded packet form `4…` (no copy);
    /// `None` if `encoded` does not start with `4`.
    pub fn from_encoded_text(encoded: Str) -> Option<Self> {
        encoded
            .starts_with('4')
            .then_some(OutMessage(Repr::Text(encoded)))
    }

    /// A binary message (no copy).
    pub fn binary(bytes: Bytes) -> Self {
        OutMessage(Repr::Binary(bytes))
    }

    /// The bytes this message counts against a session's buffer limit.
    pub fn byte_len(&self) -> usize {
        match &self.0 {
            Repr::Text(s) => s.len(),
            Repr::Binary(b) => b.len(),
        }
    }

    /// The message as a [`Message`] (shares the buffer).
    pub fn to_message(&self) -> Message {
        match &self.0 {
            Repr::Text(s) => Message::Text(s.slice(1..s.len())),
            Repr::Binary(b) => Message::Binary(b.clone()),
        }
    }
}

impl From<Message> for OutMessage {
    fn from(m: Message) -> Self {
        match m {
            Message::Text(s) => OutMessage::text(&s),
            Message::Binary(b) => OutMessage::binary(b),
        }
    }
}

impl From<&str> for OutMessage {
    fn from(s: &str) -> Self {
        OutMessage::text(s)
    }
}

#[derive(Debug)]
enum Item {
    /// A control packet (open, ping, pong, noop, close).
    Control(Packet),
    Message(OutMessage),
}

#[derive(Debug)]
struct Entry {
    item: Item,
    /// Part of a volatile group: dropped first when the buffer is full.
    volatile: bool,
    /// The next entry belongs to the same group (dropped together).
    more: bool,
}

impl Entry {
    fn byte_len(&self) -> usize {
        match &self.item {
            Item::Control(p) => p.encoded_text_len(),
            Item::Message(m) => m.byte_len(),
        }
    }
}

/// A group of messages offered to a queue: shared with other targets (each message cloned
/// in, a refcount) or held by this target alone (each message moved in, which spares the
/// clone of a just-encoded buffer the allocation that makes it shareable).
pub(crate) enum Group<'a> {
    /// Cloned into the queue.
    Shared(&'a [OutMessage]),
    /// Moved into the queue; what is left in the slice is empty placeholders.
    Owned(&'a mut [OutMessage]),
}

impl Group<'_> {
    fn messages(&self) -> &[OutMessage] {
        match self {
            Group::Shared(m) => m,
            Group::Owned(m) => m,
        }
    }

    fn take(&mut self, i: usize) -> OutMessage {
        match self {
            Group::Shared(m) => m[i].clone(),
            Group::Owned(m) => std::mem::replace(&mut m[i], OutMessage::binary(Bytes::new())),
        }
    }
}

/// What happened to a group of messages offered to a queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Push {
    /// Queued (maybe after dropping older volatile messages).
    Queued,
    /// A volatile group that did not fit; it was dropped.
    DroppedVolatile,
    /// Does not fit even without volatile messages: the session is too far behind.
    Overflow,
}

/// Entries after the first one the list is allocated for at once.
const BURST: usize = 15;

/// What one queued entry costs beyond its wire bytes, about: the entry itself and the small
/// buffer a message of its own holds (measured: ≈66 bytes per queued 5-byte ack). Bounds the
/// number of entries under a byte limit (see [`BufferLimit::max_items`]).
const ENTRY_COST: usize = 64;

/// Outgoing packets of one session, with a running byte count.
///
/// The oldest entry is held inline: a session that queues one packet between drains (a
/// request answered, then written) never allocates the list, and an idle one holds none.
#[derive(Debug, Default)]
pub(crate) struct OutQueue {
    /// The oldest entry; `None` only when the queue is empty.
    first: Option<Entry>,
    /// The entries after `first`, in order.
    rest: VecDeque<Entry>,
    bytes: usize,
    volatile_bytes: usize,
    /// Entries of volatile groups.
    volatile_len: usize,
}

impl OutQueue {
    pub(crate) fn is_empty(&self) -> bool {
        self.first.is_none()
    }

    /// Number of entries queued.
    fn len(&self) -> usize {
        usize::from(self.first.is_some()) + self.rest.len()
    }

    /// Bytes currently queued.
    pub(crate) fn bytes(&self) -> usize {
        self.bytes
    }

    /// Queues a control packet; those are never dropped and not bounded.
    pub(crate) fn push_control(&mut self, p: Packet) {
        self.push_entry(Entry {
            item: Item::Control(p),
            volatile: false,
            more: false,
        });
    }

    /// Queues a control packet ahead of everything (the handshake).
    pub(crate) fn push_control_front(&mut self, p: Packet) {
        let e = Entry {
            item: Item::Control(p),
            volatile: false,
            more: false,
        };
        self.bytes += e.byte_len();
        if let Some(old) = self.first.replace(e) {
            self.rest.push_front(old);
        }
    }

    fn push_entry(&mut self, e: Entry) {
        let n = e.byte_len();
        self.bytes += n;
        if e.volatile {
            self.volatile_bytes += n;
            self.volatile_len += 1;
        }
        if self.first.is_none() {
            self.first = Some(e);
        } else {
            if self.rest.capacity() == 0 {
                // A burst (a fan-out to a client that is a few broadcasts behind) gets its
                // list in one allocation rather than in doubling steps from four; the list
                // is freed again once drained.
                self.rest.reserve(BURST);
            }
            self.rest.push_back(e);
        }
    }

    /// Queues `msgs` as one group (all or nothing) under the byte `limit`, which also bounds
    /// the number of entries ([`BufferLimit::max_items`]), so tiny or empty messages cannot
    /// hold far more memory than the limit.
    pub(crate) fn push_group(
        &mut self,
        mut msgs: Group<'_>,
        volatile: bool,
        limit: Option<usize>,
    ) -> Push {
        let size: usize = msgs.messages().iter().map(OutMessage::byte_len).sum();
        let n = msgs.messages().len();
        if let Some(limit) = limit {
            let over = (self.bytes + size).saturating_sub(limit);
            let max_len = BufferLimit::max_items(limit, ENTRY_COST);
            let over_len = (self.len() + n).saturating_sub(max_len);
            if over > 0 || over_len > 0 {
                if volatile {
                    return Push::DroppedVolatile;
                }
                if self.volatile_bytes < over || self.volatile_len < over_len {
                    return Push::Overflow;
                }
                self.drop_volatile(over, over_len);
            }
        }
        for i in 0..n {
            self.push_entry(Entry {
                item: Item::Message(msgs.take(i)),
                volatile,
                more: i + 1 < n,
            });
        }
        Push::Queued
    }

    /// Drops the oldest volatile groups until at least `need` bytes and `need_len` entries
    /// are freed.
    fn drop_volatile(&mut self, need: usize, need_len: usize) {
        let (mut freed, mut freed_len) = (0, 0);
        let mut in_group = false;
        let (mut bytes, mut vbytes) = (self.bytes, self.volatile_bytes);
        let mut keep = |e: &Entry| {
            let drop = in_group || (e.volatile && (freed < need || freed_len < need_len));
            if drop {
                let n = e.byte_len();
                freed += n;
                freed_len += 1;
                bytes -= n;
                vbytes -= n;
                in_group = e.more;
            }
            !drop
        };
        if self.first.as_ref().is_some_and(|e| !keep(e)) {
            self.first = None;
        }
        self.rest.retain(keep);
        if self.first.is_none() {
            self.first = self.rest.pop_front();
        }
        self.bytes = bytes;
        self.volatile_bytes = vbytes;
        self.volatile_len -= freed_len;
    }

    /// Takes everything as one polling body (`\x1e`-joined); empty queue → empty body.
    pub(crate) fn take_payload(&mut self) -> Bytes {
        // One text message (a reply answering a parked GET, the usual case) is its own body:
        // its buffer already holds the `4…` form, so it is handed over, not copied.
        if self.rest.is_empty() {
            if let Some(Entry {
                item: Item::Message(OutMessage(Repr::Text(s))),
                ..
            }) = self
                .first
                .take_if(|e| matches!(e.item, Item::Message(OutMessage(Repr::Text(_)))))
            {
                self.release();
                return s.into_bytes();
            }
        }
        let mut out = Vec::with_capacity(self.bytes + self.len());
        let entries = self.first.take().into_iter().chain(self.rest.drain(..));
        for (i, e) in entries.enumerate() {
            if i > 0 {
                out.push(SEPARATOR);
            }
            match e.item {
                Item::Control(p) => p.write_text(&mut out),
                Item::Message(OutMessage(Repr::Text(s))) => out.extend_from_slice(s.as_bytes()),
                Item::Message(OutMessage(Repr::Binary(b))) => {
                    Packet::Message(Message::Binary(b)).write_text(&mut out)
                }
            }
        }
        self.release();
        Bytes::from(out)
    }

    /// Takes everything as WebSocket frames, one per packet.
    pub(crate) fn take_frames(&mut self, out: &mut Vec<WsFrame>) {
        out.reserve(self.len());
        for e in self.first.take().into_iter().chain(self.rest.drain(..)) {
            out.push(match e.item {
                Item::Control(p) => p.encode_ws(),
                Item::Message(OutMessage(Repr::Text(s))) => WsFrame::Text(s),
                Item::Message(OutMessage(Repr::Binary(b))) => WsFrame::Binary(b),
            });
        }
        self.release();
    }

    /// After draining: counters back to zero and the entry buffer freed, so an idle session
    /// holds no queue memory (the next burst allocates it again).
    fn release(&mut self) {
        self.first = None;
        self.rest = VecDeque::new();
        self.bytes = 0;
        self.volatile_bytes = 0;
        self.volatile_len = 0;
    }

    /// Forgets everything queued.
    pub(crate) fn clear(&mut self) {
        self.release();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(q: &mut OutQueue) -> Vec<WsFrame> {
        let mut v = Vec::new();
        q.take_frames(&mut v);
        v
    }

    fn t(s: &'static str) -> WsFrame {
        WsFrame::Text(Str::from_static(s))
    }

    #[test]
    fn polling_body_joins_items_with_record_separator() {
        let mut q = OutQueue::default();
        q.push_control(Packet::Ping(Str::new()));
        q.push_group(Group::Shared(&[OutMessage::text("hi")]), false, None);
        q.push_group(
            Group::Shared(&[OutMessage::binary(Bytes::from_static(&[1, 2, 3]))]),
            false,
            None,
        );
        assert_eq!(q.bytes(), 1 + 3 + 3);
        assert_eq!(&q.take_payload()[..], b"2\x1e4hi\x1ebAQID");
        assert_eq!(q.bytes(), 0);
        assert!(q.is_empty());
        assert_eq!(q.rest.capacity(), 0, "a drained queue keeps no buffer");
    }

    #[test]
    fn a_lone_text_message_is_its_own_polling_body() {
        let mut q = OutQueue::default();
        let msg = OutMessage::text("[\"echo\",\"poll\"]");
        let Repr::Text(buf) = &msg.0 else {
            unreachable!()
        };
        let at = buf.as_ptr();
        q.push_group(Group::Shared(std::slice::from_ref(&msg)), false, None);
        let body = q.take_payload();
        assert_eq!(&body[..], b"4[\"echo\",\"poll\"]");
        assert_eq!(body.as_ptr(), at, "the message's buffer, not a copy");
        assert!(q.is_empty());
        assert_eq!(q.bytes(), 0);
        // Alone but not text: encoded as before.
        q.push_control(Packet::Noop);
        assert_eq!(&q.take_payload()[..], b"6");
        q.push_group(
            Group::Shared(&[OutMessage::binary(Bytes::from_static(&[1, 2, 3]))]),
            false,
            None,
        );
        assert_eq!(&q.take_payload()[..], b"bAQID");
        assert_eq!(q.bytes(), 0);
    }

    #[test]
    fn one_packet_between_drains_needs_no_list() {
        let mut q = OutQueue::default();
        q.push_group(Group::Shared(&[OutMessage::text("a")]), false, None);
        assert_eq!(q.rest.capacity(), 0);
        q.push_control_front(Packet::Noop);
        assert_eq!(frames(&mut q), vec![t("6"), t("4a")]);
        q.push_control(Packet::Noop);
        assert_eq!(q.rest.capacity(), 0);
        assert_eq!(frames(&mut q), vec![t("6")]);
    }

    #[test]
    fn a_volatile_group_at_the_head_is_dropped_whole() {
        let mut q = OutQueue::default();
        let limit = Some(8);
        let group = [OutMessage::text("v1"), OutMessage::text("v2")];
        assert_eq!(
            q.push_group(Group::Shared(&group), true, limit),
            Push::Queued
        );
        assert_eq!(
            q.push_group(Group::Shared(&[OutMessage::text("a")]), false, limit),
            Push::Queued
        );
        assert_eq!(
            q.push_group(Group::Shared(&[OutMessage::text("bcd")]), false, limit),
            Push::Queued
        );
        assert_eq!(q.bytes(), 2 + 4);
        assert_eq!(frames(&mut q), vec![t("4a"), t("4bcd")]);
    }

    #[test]
    fn an_owned_group_moves_in_and_leaves_placeholders() {
        let mut q = OutQueue::default();
        let mut group = [
            OutMessage::text("a"),
            OutMessage::binary(Bytes::from_static(b"b")),
        ];
        assert_eq!(
            q.push_group(Group::Owned(&mut group), false, None),
            Push::Queued
        );
        assert_eq!(q.bytes(), 2 + 1);
        assert!(group.iter().all(|m| m.byte_len() == 0));
        assert_eq!(
            frames(&mut q),
            vec![t("4a"), WsFrame::Binary(Bytes::from_static(b"b"))]
        );
    }

    #[test]
    fn volatile_groups_are_dropped_first_and_whole() {
        let mut q = OutQueue::default();
        let limit = Some(10);
        assert_eq!(
            q.push_group(Group::Shared(&[OutMessage::text("a")]), false, limit),
            Push::Queued
        );
        let group = [OutMessage::text("v1"), OutMessage::text("v2")];
        assert_eq!(
            q.push_group(Group::Shared(&group), true, limit),
            Push::Queued
        );
        assert_eq!(
            q.push_group(Group::Shared(&[OutMessage::text("b")]), true, limit),
            Push::Queued
        );
        assert_eq!(q.bytes(), 2 + 6 + 2);
        // A volatile message that does not fit is itself dropped.
        assert_eq!(
            q.push_group(Group::Shared(&[OutMessage::text("c")]), true, limit),
            Push::DroppedVolatile
        );
        // A regular one pushes out the oldest volatile group, both of its messages.
        assert_eq!(
            q.push_group(Group::Shared(&[OutMessage::text("dd")]), false, limit),
            Push::Queued
        );
        assert_eq!(frames(&mut q), vec![t("4a"), t("4b"), t("4dd")]);
        assert_eq!(q.rest.capacity(), 0, "a drained queue keeps no buffer");
    }

    #[test]
    fn overflow_when_volatile_drops_cannot_make_room() {
        let mut q = OutQueue::default();
        let limit = Some(7);
        assert_eq!(
            q.push_group(Group::Shared(&[OutMessage::text("abcd")]), false, limit),
            Push::Queued
        );
        assert_eq!(
            q.push_group(Group::Shared(&[OutMessage::text("x")]), true, limit),
            Push::Queued
        );
        assert_eq!(
            q.push_group(Group::Shared(&[OutMessage::text("yy")]), false, limit),
            Push::Overflow
        );
        assert_eq!(q.bytes(), 7);
        assert_eq!(frames(&mut q), vec![t("4abcd"), t("4x")]);
    }
}
