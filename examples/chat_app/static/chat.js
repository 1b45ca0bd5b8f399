// The chat page: one Socket.IO connection to the page's own origin. The room comes from the
// page's query (?room=lobby); ?transport=polling keeps the client on HTTP long-polling.
// Every bit of user text goes through textContent, never innerHTML.
"use strict";

const params = new URLSearchParams(location.search);
const room = params.get("room") || "lobby";
const pollingOnly = params.get("transport") === "polling";

const $ = (id) => document.getElementById(id);
const el = (tag, cls, text) => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
};

const socket = io({
  query: { room },
  transports: pollingOnly ? ["polling"] : ["polling", "websocket"],
  // Leaving the page closes the connection at once, so the others see us go right away.
  closeOnBeforeunload: true,
});

let me = null;
let admin = false;

// ---- connection state -------------------------------------------------------------------

function setStatus(state, text) {
  const s = $("status");
  s.dataset.state = state;
  s.textContent = text;
}

function showTransport(name) {
  $("transport").textContent = name;
}

socket.io.on("open", () => {
  const engine = socket.io.engine;
  showTransport(engine.transport.name);
  engine.on("upgrade", (transport) => showTransport(transport.name));
});

socket.on("connect", () => {
  setStatus("connected", `Connected to #${room}`);
});

socket.on("connect_error", (err) => {
  if (socket.active) {
    // A transport problem: the client retries on its own.
    setStatus("connecting", `Cannot reach the server (${err.message}), retrying…`);
    return;
  }
  // The server's middleware refused us; the client does not retry.
  setStatus("refused", `Connection refused: ${err.message}`);
  const link = el("a", null, "Log in");
  link.href = "/login";
  $("status").append(" — ", link);
  document.body.classList.add("offline");
});

socket.on("disconnect", (reason) => {
  $("presence").replaceChildren();
  typingUsers.clear();
  renderTyping();
  if (reason === "io server disconnect") {
    const kicked = $("status").dataset.kickedBy;
    setStatus(
      "disconnected",
      kicked
        ? `You were kicked by ${kicked} (${reason})`
        : `Disconnected by the server (${reason})`,
    );
    document.body.classList.add("offline");
  } else {
    setStatus("connecting", `Disconnected (${reason}), reconnecting…`);
  }
});

socket.on("welcome", (info) => {
  me = info.user;
  admin = info.admin;
  $("me").textContent = me + (admin ? " (admin)" : "");
  $("room-name").textContent = `#${info.room}`;
  document.body.classList.toggle("admin", admin);
});

socket.on("kicked", (info) => {
  $("status").dataset.kickedBy = info.by;
  activity(`You were kicked by ${info.by}`);
});

// ---- messages -----------------------------------------------------------------------------

const TICKS = { pending: "…", sent: "✓", delivered: "✓✓", failed: "✗" };
let nextLocalId = 1;
const outgoing = new Map(); // server message id -> <li>, for delivery ticks
const deliveredEarly = new Map(); // server id -> count, if "delivered" beats the ack callback

function addMessage({ kind, from, text, to }) {
  const li = el("li", `message ${kind}`);
  li.dataset.from = from;
  const head = kind.startsWith("private") ? `${from} → ${to}` : kind === "announcement" ? `${from} → everyone` : from;
  li.append(el("span", "from", head), el("span", "text", text));
  $("messages").append(li);
  li.scrollIntoView({ block: "nearest" });
  return li;
}

function setTicks(li, state, title) {
  let ticks = li.querySelector(".ticks");
  if (!ticks) {
    ticks = el("span", "ticks");
    li.append(ticks);
  }
  li.dataset.ticks = state;
  ticks.textContent = TICKS[state];
  ticks.title = title;
}

function markDelivered(li, count) {
  setTicks(li, "delivered", `delivered to ${count} ${count === 1 ? "reader" : "readers"}`);
}

$("message-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const input = $("message-input");
  const text = input.value.trim();
  if (!text) return;
  input.value = "";
  stopTyping();
  const li = addMessage({ kind: "mine", from: me || "me", text });
  li.dataset.localId = String(nextLocalId++);
  setTicks(li, "pending", "sending");
  socket.timeout(10000).emit("message", text, (err, res) => {
    if (err || !res || res.error) {
      setTicks(li, "failed", err ? "no answer from the server" : res && res.error);
      return;
    }
    li.dataset.id = res.id;
    outgoing.set(res.id, li);
    if (deliveredEarly.has(res.id)) {
      markDelivered(li, deliveredEarly.get(res.id));
      deliveredEarly.delete(res.id);
    } else {
      setTicks(li, "sent", "the server has it");
    }
  });
});

socket.on("message", (msg, ack) => {
  typingUsers.delete(msg.from);
  renderTyping();
  const li = addMessage({ kind: "theirs", from: msg.from, text: msg.text });
  li.dataset.id = msg.id;
  // Acknowledging is what gives the sender its second tick.
  if (typeof ack === "function") ack({ ok: true });
});

socket.on("delivered", ({ id, count }) => {
  const li = outgoing.get(id);
  if (li) markDelivered(li, count);
  else deliveredEarly.set(id, count);
});

socket.on("announcement", ({ from, text }) => {
  addMessage({ kind: "announcement", from, text });
});

socket.on("private", ({ from, to, text }) => {
  addMessage({ kind: "private", from, to, text });
});

$("announce-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const input = $("announce-input");
  const text = input.value.trim();
  if (!text) return;
  input.value = "";
  socket.emit("announce", text);
});

$("private-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const to = $("private-to").value.trim();
  const input = $("private-input");
  const text = input.value.trim();
  if (!to || !text) return;
  input.value = "";
  const li = addMessage({ kind: "private mine", from: me || "me", to, text });
  setTicks(li, "pending", "sending");
  socket.timeout(10000).emit("private", { to, text }, (err, res) => {
    if (err || !res || res.error) {
      setTicks(li, "failed", err ? "no answer from the server" : res && res.error);
    } else if (res.online === 0) {
      setTicks(li, "failed", `${to} is not online`);
    } else {
      setTicks(li, "sent", `sent to ${to}`);
    }
  });
});

// ---- typing indicator -------------------------------------------------------------------------

const typingUsers = new Set();
let typing = false;
let typingTimer = null;

function renderTyping() {
  const names = [...typingUsers].sort();
  const t = $("typing");
  t.dataset.users = names.join(",");
  t.textContent =
    names.length === 0 ? "" : `${names.join(", ")} ${names.length === 1 ? "is" : "are"} typing…`;
}

function stopTyping() {
  clearTimeout(typingTimer);
  if (typing) {
    typing = false;
    socket.emit("typing", false);
  }
}

$("message-input").addEventListener("input", () => {
  if (!typing) {
    typing = true;
    socket.emit("typing", true);
  }
  clearTimeout(typingTimer);
  // Idle for a while: no longer typing (a UI nicety, not something the tests wait on).
  typingTimer = setTimeout(stopTyping, 3000);
});

socket.on("typing", ({ user, typing: on }) => {
  if (on) typingUsers.add(user);
  else typingUsers.delete(user);
  renderTyping();
});

// ---- presence and kicking ---------------------------------------------------------------------

function activity(text) {
  const li = el("li", null, text);
  $("activity").append(li);
}

socket.on("presence", ({ users, change }) => {
  const list = $("presence");
  list.replaceChildren(
    ...users.map(({ name, rooms }) => {
      const li = el("li");
      li.dataset.user = name;
      li.append(el("span", "name", name), el("span", "rooms", rooms.map((r) => `#${r}`).join(" ")));
      if (admin && name !== me) {
        const kick = el("button", "kick", "Kick");
        kick.type = "button";
        kick.dataset.user = name;
        kick.addEventListener("click", () => {
          socket.emit("kick", name, (res) =>
            activity(res.error ? `Cannot kick ${name}: ${res.error}` : `Kicked ${name}: ${res.kicked} connection(s)`),
          );
        });
        li.append(kick);
      }
      return li;
    }),
  );
  if (change) {
    if (change.kind === "joined") {
      activity(`${change.user} joined #${change.room}`);
    } else {
      typingUsers.delete(change.user);
      renderTyping();
      activity(`${change.user} left #${change.room} (${change.reason})`);
    }
  }
});
