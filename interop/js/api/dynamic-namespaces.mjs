// Client side of adapter-tokio/tests/dynamic_namespaces.rs: the official socket.io-client
// against a Volley server whose app registers `io.of_dynamic(/^\/room-\d+$/)` (see the Rust
// test for the server side). Run by that test as `node dynamic-namespaces.mjs <base-url>`;
// exits non-zero with the failed assertion.
import assert from "node:assert/strict";
import { io } from "socket.io-client";

const MODES = {
  websocket: { transports: ["websocket"] },
  polling: { transports: ["polling"] },
  upgrade: { transports: ["polling", "websocket"], upgrade: true },
};
const GUARD_MS = 10_000;

function client(base, nsp, mode, auth) {
  return io(base + nsp, { ...MODES[mode], forceNew: true, reconnection: false, auth });
}

/** Every event a socket receives, in order; `wait(n)` resolves once n events arrived. */
function record(socket) {
  const events = [];
  let waiters = [];
  socket.onAny((event, ...args) => {
    events.push([event, ...args]);
    waiters = waiters.filter((w) => !w());
  });
  const wait = (n) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${socket.nsp}: ${events.length} of ${n} events: ${JSON.stringify(events)}`)),
        GUARD_MS,
      );
      const check = () => {
        if (events.length < n) return false;
        clearTimeout(timer);
        resolve(events.slice(0, n));
        return true;
      };
      if (!check()) waiters.push(check);
    });
  return { events, wait };
}

function once(socket, event) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} on ${socket.nsp}`)), GUARD_MS);
    socket.once(event, (...args) => {
      clearTimeout(timer);
      resolve(args);
    });
  });
}

async function scenario(base, mode) {
  const control = client(base, "/", mode);
  await once(control, "connect");
  const controlEvents = record(control);

  // The parent's middleware runs for each child: no token, refused with its message.
  const refused = client(base, "/room-1", mode, {});
  const [err] = await once(refused, "connect_error");
  assert.equal(err.message, "bad token");
  refused.close();

  // A name the pattern does not match is an invalid namespace.
  const other = client(base, "/other", mode, { token: "ok" });
  const [invalid] = await once(other, "connect_error");
  assert.equal(invalid.message, "Invalid namespace");
  other.close();

  const a1 = client(base, "/room-1", mode, { token: "ok" });
  const ra1 = record(a1);
  const a2 = client(base, "/room-1", mode, { token: "ok" });
  const ra2 = record(a2);
  const b = client(base, "/room-2", mode, { token: "ok" });
  const rb = record(b);
  for (const s of [a1, a2, b]) s.on("poll", (ack) => ack(s.nsp));
  // The parent's connection handler runs in each child and sees the child's name.
  assert.deepEqual(await ra1.wait(1), [["welcome", "/room-1"]]);
  assert.deepEqual(await ra2.wait(1), [["welcome", "/room-1"]]);
  assert.deepEqual(await rb.wait(1), [["welcome", "/room-2"]]);

  // Each child has its own sockets: a broadcast from a1 reaches a2 only.
  a1.emit("shout", "hi room 1");
  assert.deepEqual((await ra2.wait(2))[1], ["shout", "hi room 1"]);
  // ... and its own rooms: b joins "vip" in /room-2; the parent's `to("vip")` finds it there.
  assert.deepEqual(await b.emitWithAck("join", "vip"), ["vip"]);
  assert.deepEqual(await control.emitWithAck("vip"), "sent");
  assert.deepEqual((await rb.wait(2))[1], ["vip", "for vip rooms of every child"]);

  // Server-side view: the children, and io.of(child) is the child with its sockets.
  assert.deepEqual(await control.emitWithAck("children"), ["/room-1", "/room-2"]);
  assert.equal(await control.emitWithAck("count", "/room-1"), 2);
  assert.equal(await control.emitWithAck("count", "/room-2"), 1);

  // Emitting on the parent reaches every child, not `/`.
  assert.equal(await control.emitWithAck("announce"), "sent");
  // io.of("/room-1") after creation is the child.
  assert.equal(await control.emitWithAck("only", "/room-1"), "sent");
  assert.deepEqual(await ra1.wait(3), [
    ["welcome", "/room-1"],
    ["announce", "to every child"],
    ["only", "/room-1"],
  ]);
  assert.deepEqual(await ra2.wait(4), [
    ["welcome", "/room-1"],
    ["shout", "hi room 1"],
    ["announce", "to every child"],
    ["only", "/room-1"],
  ]);
  assert.deepEqual(await rb.wait(3), [
    ["welcome", "/room-2"],
    ["vip", "for vip rooms of every child"],
    ["announce", "to every child"],
  ]);
  // A last round trip on every socket, so nothing else could still be on its way.
  for (const s of [a1, a2, b]) assert.equal(await s.emitWithAck("ping"), "pong");
  assert.equal(ra1.events.length, 3, JSON.stringify(ra1.events));
  assert.equal(ra2.events.length, 4, JSON.stringify(ra2.events));
  assert.equal(rb.events.length, 3, JSON.stringify(rb.events));
  assert.deepEqual(controlEvents.events, []);

  // The parent's acknowledged broadcast collects one reply per socket of every child.
  assert.deepEqual(await control.emitWithAck("poll"), ["/room-1", "/room-1", "/room-2"]);

  // disconnect_sockets on the parent disconnects the sockets of every child.
  const gone = [a1, a2, b].map((s) => once(s, "disconnect"));
  assert.equal(await control.emitWithAck("kick"), "sent");
  for (const [reason] of await Promise.all(gone)) assert.equal(reason, "io server disconnect");
  control.close();
}

const base = process.argv[2];
if (!base) {
  console.error("usage: node dynamic-namespaces.mjs <base-url>");
  process.exit(2);
}
for (const mode of Object.keys(MODES)) {
  try {
    await scenario(base, mode);
    console.log(`ok ${mode}`);
  } catch (e) {
    console.error(`FAILED ${mode}: ${e.stack ?? e}`);
    process.exit(1);
  }
}
process.exit(0);
