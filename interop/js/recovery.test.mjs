// Connection state recovery (the reference's connectionStateRecovery, socket.io 4.6+), over
// WebSocket and over polling, on the recovery server (maxDisconnectionDuration
// RECOVERY_MAX_DISCONNECTION_MS, skipMiddlewares): a client whose transport is lost comes back
// with the same id, its rooms, its data and the room messages it missed, in order and once; a
// clean disconnect from either side, or a gap longer than maxDisconnectionDuration, starts afresh.
//
// What the reference does on the wire, and these tests hold the server to:
// - every stored emit (an event without ack, not volatile, to a room or to the socket itself:
//   `auth`, `hello`, `room-message`) carries its offset as an extra trailing string argument;
// - the CONNECT answer carries a `pid`; the client sends `pid` and its last `offset` in the auth
//   of its next CONNECT (the fixture echoes that auth in `auth`);
// - on recovery the missed events are written before the CONNECT answer, so the client delivers
//   them before its "connect" event, and then the connection handler's `auth` and `hello` follow.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { HANG_GUARD_MS, RECOVERY_MAX_DISCONNECTION_MS, RECOVERY_URL, connect, once } from "./lib/harness.mjs";

const RECOVERY_MODES = ["websocket", "polling"];

/** Reconnects by itself 300 ms after a transport loss: well within maxDisconnectionDuration. */
const QUICK_RECONNECT = { reconnection: true, reconnectionDelay: 300, reconnectionDelayMax: 300, randomizationFactor: 0 };

/** Reconnects by itself only after maxDisconnectionDuration has run out. */
const LATE_RECONNECT_MS = RECOVERY_MAX_DISCONNECTION_MS + 500;
const LATE_RECONNECT = {
  reconnection: true,
  reconnectionDelay: LATE_RECONNECT_MS,
  reconnectionDelayMax: LATE_RECONNECT_MS,
  randomizationFactor: 0,
};

/** Clean disconnects (neither is a transport loss): recovery does not restore the socket after them. */
const CLEAN_DISCONNECTS = [
  { who: "a client's own disconnect()", reason: "io client disconnect", close: (socket) => socket.disconnect() },
  // socket.disconnect(true) on the server: a DISCONNECT packet, then the connection is closed.
  { who: "a disconnect by the server", reason: "io server disconnect", close: (socket) => socket.emit("server-disconnect") },
];

/** Emits `event` with `args` and an ack; resolves with the ack's arguments (bounded wait). */
function ask(socket, event, ...args) {
  return new Promise((resolve, reject) => {
    socket.timeout(HANG_GUARD_MS).emit(event, ...args, (err, ...reply) => {
      if (err) reject(new Error(`no ack for "${event}" (${err.message})`));
      else resolve(reply);
    });
  });
}

/** Splits the args of a stored event into [value, offset], checking the offset is there. */
function withOffset(args, what) {
  assert.equal(args.length, 2, `${what}: one value and a trailing offset, got ${JSON.stringify(args)}`);
  assert.equal(typeof args[1], "string", `${what}: the trailing offset is a string`);
  assert.ok(args[1].length > 0, `${what}: the offset is not empty`);
  return args;
}

/** Every event, "connect" and "disconnect" of `socket` in the order the application sees them. */
function timeline(socket) {
  const log = [];
  socket.onAny((event) => log.push(event));
  socket.on("connect", () => log.push("<connect>"));
  socket.on("disconnect", () => log.push("<disconnect>"));
  return log;
}

/** Closes the transport under `socket` without a clean disconnect; resolves once it noticed. */
async function cutTransport(socket) {
  const disconnected = once(socket, "disconnect");
  socket.io.engine.close();
  const [reason] = await disconnected;
  assert.equal(reason, "forced close");
}

/** Connects to the recovery server; resolves with { socket, rec, hello, helloOffset }. */
async function connectRecovery(mode, extra = {}) {
  const client = await connect(mode, "/", extra, RECOVERY_URL);
  try {
    const [helloArgs] = await client.rec.wait("hello");
    const [hello, helloOffset] = withOffset(helloArgs, "hello");
    return { ...client, hello, helloOffset };
  } catch (err) {
    client.socket.disconnect();
    throw err;
  }
}

/**
 * After `socket` (connected before as `oldId`) connected again without recovery: a new id,
 * `recovered` false on both sides, and none of the old socket's data, although the client did
 * ask for recovery (its CONNECT auth, echoed in `auth`, carried pid and offset).
 */
async function assertFresh(socket, rec, oldId) {
  assert.equal(socket.recovered, false, "the client's socket.recovered");
  assert.notEqual(socket.id, oldId, "a new socket id");
  const [, [hello]] = await rec.wait("hello", 2);
  assert.deepEqual(hello, { id: socket.id, recovered: false });
  const [, [auth]] = await rec.wait("auth", 2);
  assert.equal(typeof auth.pid, "string", "the client asked for recovery with its pid");
  assert.equal(typeof auth.offset, "string", "and its last offset");
  assert.deepEqual(await ask(socket, "get-data"), [null], "the old socket's data is gone");
}

for (const mode of RECOVERY_MODES) {
  describe(`connection state recovery (${mode})`, () => {
    test("a fresh connection is not recovered, and its events carry offsets", async () => {
      const { socket, rec, hello } = await connectRecovery(mode);
      try {
        assert.deepEqual(hello, { id: socket.id, recovered: false });
        // `false`, not undefined: the CONNECT answer carried a pid (recovery is on).
        assert.equal(socket.recovered, false);
        const [authArgs] = await rec.wait("auth");
        assert.deepEqual(withOffset(authArgs, "auth")[0], {}, "no pid or offset on a first CONNECT");
        assert.deepEqual(await ask(socket, "get-data"), [null]);
      } finally {
        socket.disconnect();
      }
    });

    test("after a transport loss the client is recovered: same id, rooms, data, missed messages", async () => {
      const a = await connectRecovery(mode, QUICK_RECONNECT);
      const b = await connectRecovery(mode);
      try {
        const idA = a.socket.id;
        assert.equal(a.hello.id, idA);
        const log = timeline(a.socket);

        assert.deepEqual(await ask(a.socket, "join", "r"), []);
        assert.deepEqual(await ask(b.socket, "to-room", "r", 1), []);
        const [firstArgs] = await a.rec.wait("room-message");
        const [first, firstOffset] = withOffset(firstArgs, "room-message 1");
        assert.equal(first, 1);
        assert.deepEqual(await ask(a.socket, "set-data", "kept"), []);

        await cutTransport(a.socket);
        const reconnected = once(a.socket, "connect", { rejectOn: ["connect_error"] });
        // Missed by A: acknowledged while A is away (the server stores them for its session).
        assert.deepEqual(await ask(b.socket, "to-room", "r", 2), []);
        assert.deepEqual(await ask(b.socket, "to-room", "r", 3), []);
        assert.equal(a.socket.connected, false, "both sent before A came back (else it missed nothing)");
        await reconnected;

        assert.equal(a.socket.recovered, true, "the client's socket.recovered");
        assert.equal(a.socket.id, idA, "the same socket id");
        const [, [hello]] = await a.rec.wait("hello", 2);
        assert.deepEqual(hello, { id: idA, recovered: true });
        // The reference writes the missed events before the CONNECT answer: the client hands them
        // to the application before "connect"; the connection handler's events come after it.
        assert.deepEqual(log, ["room-message", "<disconnect>", "room-message", "room-message", "<connect>", "auth", "hello"]);
        const [, [auth]] = await a.rec.wait("auth", 2);
        assert.equal(typeof auth.pid, "string", "the client's CONNECT auth carried its pid");
        assert.equal(auth.offset, firstOffset, "and the offset of the last event it got");

        assert.deepEqual(await ask(a.socket, "get-data"), ["kept"], "socket.data is restored");
        assert.deepEqual(await ask(b.socket, "to-room", "r", 4), []);
        const all = (await a.rec.wait("room-message", 4)).map((args, i) => withOffset(args, `room-message ${i + 1}`));
        assert.deepEqual(
          all.map(([value]) => value),
          [1, 2, 3, 4],
          "each missed message once and in order, none repeated, and the room is kept",
        );
        const offsets = [a.helloOffset, ...all.map(([, offset]) => offset)];
        assert.equal(new Set(offsets).size, offsets.length, "every offset is distinct");
        assert.deepEqual(a.rec.disconnects, ["forced close"]);
        assert.deepEqual(b.rec.all("room-message"), [], "B is not in the room");
      } finally {
        a.socket.disconnect();
        b.socket.disconnect();
      }
    });

    for (const { who, reason, close } of CLEAN_DISCONNECTS) {
      test(`${who} is not recoverable: the next connection starts afresh`, async () => {
        const { socket, rec } = await connectRecovery(mode);
        try {
          const oldId = socket.id;
          assert.deepEqual(await ask(socket, "set-data", "lost"), []);
          const disconnected = once(socket, "disconnect");
          close(socket);
          assert.equal((await disconnected)[0], reason);
          socket.connect();
          await once(socket, "connect", { rejectOn: ["connect_error"] });
          await assertFresh(socket, rec, oldId);
        } finally {
          socket.disconnect();
        }
      });
    }

    test(`a client back only after maxDisconnectionDuration (${RECOVERY_MAX_DISCONNECTION_MS} ms) is not recovered`, async () => {
      const { socket, rec } = await connectRecovery(mode, LATE_RECONNECT);
      try {
        const oldId = socket.id;
        assert.deepEqual(await ask(socket, "set-data", "lost"), []);
        await cutTransport(socket);
        const away = Date.now();
        await once(socket, "connect", { rejectOn: ["connect_error"] });
        assert.ok(Date.now() - away > RECOVERY_MAX_DISCONNECTION_MS, "the client stayed away long enough");
        await assertFresh(socket, rec, oldId);
      } finally {
        socket.disconnect();
      }
    });
  });
}
