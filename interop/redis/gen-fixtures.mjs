// Records what the reference cluster publishes on Redis, as wire-format fixtures for
// cluster-redis's unit tests (cluster-redis/tests/fixtures/reference.json).
//
//   node interop/redis/gen-fixtures.mjs [out.json]
//
// Starts its own redis-server, two socket.io nodes with @socket.io/redis-adapter (A and B, with
// socket.io-client clients on each) and a @socket.io/redis-emitter, captures every message with
// PSUBSCRIBE *, and writes one entry per message: { step, channel, hex } (hex = exact bytes).
// Each step also lists the ids it depends on (node uids, socket ids) so tests can rebuild the
// expected values; random parts (uids, request ids, dates) are taken from the capture.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { io as connect } from "socket.io-client";
import { Emitter } from "@socket.io/redis-emitter";
import { redisClient, sleep, startNodeNode, startRedis } from "./lib.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const out = process.argv[2] || path.join(ROOT, "cluster-redis/tests/fixtures/reference.json");

const redis = await startRedis();
const captured = [];
const spy = await redisClient(redis.url);
await spy.pSubscribe(
  "*",
  (message, channel) => captured.push({ channel: channel.toString(), bytes: Buffer.from(message) }),
  true,
);

const a = await startNodeNode(redis.url);
const b = await startNodeNode(redis.url);
a.io.of("/custom");
b.io.of("/custom");

// Clients: one on A, one on B (with auth, query, data and rooms, for fetchSockets).
const clientA = connect(`http://127.0.0.1:${a.port}`, { transports: ["websocket"] });
const clientB = connect(`http://127.0.0.1:${b.port}?foo=bar`, {
  transports: ["websocket"],
  auth: { token: "abc" },
});
b.io.on("connection", (socket) => {
  socket.data = { user: "u1", n: 2 };
  socket.join(["r2", "r4"]);
});
a.io.on("connection", (socket) => {
  socket.on("trigger", () => socket.broadcast.emit("from-socket", 7));
});
clientB.on("ask", (n, cb) => cb({ got: n, bin: Buffer.from([9, 8]) }));
clientA.on("ask", (n, cb) => cb("local", n));
b.io.on("sse-ack", (n, cb) => cb(`pong-${n}`));
await Promise.all([clientA, clientB].map((c) => new Promise((r) => c.on("connect", r))));
await sleep(200);

const steps = [];
async function step(name, expect, action) {
  const start = captured.length;
  const result = await action();
  const deadline = Date.now() + 3000;
  while (captured.length - start < expect && Date.now() < deadline) await sleep(20);
  await sleep(150);
  const messages = captured.slice(start);
  if (messages.length !== expect) {
    throw new Error(`${name}: expected ${expect} messages, captured ${messages.length}`);
  }
  steps.push({
    step: name,
    result: result === undefined ? null : result,
    messages: messages.map((m) => ({ channel: m.channel, hex: m.bytes.toString("hex") })),
  });
}

const ids = { uidA: a.io.of("/").adapter.uid, uidB: b.io.of("/").adapter.uid };
ids.uidCustomA = a.io.of("/custom").adapter.uid;
ids.socketA = [...a.io.of("/").sockets.keys()][0];
ids.socketB = [...b.io.of("/").sockets.keys()][0];

await step("emit_all", 1, () => a.io.emit("hello", 1, "two", { three: [3, 4.5] }, null, true, false));
await step("emit_room", 1, () => a.io.to("room1").emit("news", "x"));
await step("emit_rooms_except", 1, () => a.io.to(["a", "b"]).except("c").emit("multi", [1, 2]));
await step("emit_binary", 1, () =>
  a.io.emit("bin", Buffer.from([1, 2, 3]), { nested: Buffer.alloc(300, 7) }),
);
await step("emit_volatile", 1, () => a.io.volatile.emit("vol", "v"));
await step("emit_numbers_strings", 1, () =>
  a.io.emit(
    "nums",
    -1,
    -33,
    -200,
    -40000,
    -3000000000,
    127,
    128,
    255,
    256,
    65536,
    4294967296,
    1.5,
    -0.25,
    2 ** 53,
    -(2 ** 40),
    "héllo ✓ 😀",
    "x".repeat(40),
    "y".repeat(300),
    "z".repeat(70000),
    { "": 0 },
  ),
);
await step("emit_custom_nsp", 1, () => a.io.of("/custom").emit("c", 1));
await step("socket_broadcast", 1, async () => {
  clientA.emit("trigger");
});
await step("emit_with_ack", 3, async () => {
  const responses = await a.io.timeout(2000).emitWithAck("ask", 5);
  return { responses };
});
await step("fetch_sockets", 2, async () => {
  const sockets = await a.io.fetchSockets();
  return { count: sockets.length };
});
await step("fetch_sockets_rooms", 2, async () => {
  const sockets = await a.io.in("r2").except("r3").fetchSockets();
  return { count: sockets.length };
});
await step("all_rooms", 2, async () => {
  const rooms = await a.io.of("/").adapter.allRooms();
  return { rooms: [...rooms].sort() };
});
await step("sockets_join", 1, () => a.io.in("r2").socketsJoin(["j1", "j2"]));
await step("sockets_leave", 1, () => a.io.socketsLeave("j1"));
await step("disconnect_sockets", 1, () => a.io.in("nobody").disconnectSockets(true));
await step("server_side_emit", 1, () => a.io.serverSideEmit("sse", 1, { a: "b" }));
await step("server_side_emit_ack", 2, async () => {
  const replies = await a.io.serverSideEmitWithAck("sse-ack", 2);
  return { replies };
});

const emitter = new Emitter(await redisClient(redis.url));
await step("emitter_emit", 1, () => emitter.emit("em", 1, Buffer.from([0xff])));
await step("emitter_room_except_volatile", 1, () =>
  emitter.of("/custom").to("room1").except("x").volatile.emit("em2", "two"),
);
await step("emitter_sockets_join", 1, () => emitter.in("r2").socketsJoin("ej"));
await step("emitter_sockets_leave", 1, () => emitter.socketsLeave(["ej"]));
await step("emitter_disconnect", 1, () => emitter.in("nobody").disconnectSockets());
await step("emitter_server_side_emit", 1, () => emitter.serverSideEmit("esse", { k: [1] }));

const numsub = await spy.duplicate().connect().then(async (c) => {
  const r = await c.pubSubNumSub(["socket.io-request#/#", "socket.io-request#/custom#"]);
  await c.quit();
  return r;
});

writeFileSync(
  out,
  JSON.stringify(
    { generator: "interop/redis/gen-fixtures.mjs", versions: versions(), ids, numsub, steps },
    null,
    1,
  ) + "\n",
);
console.log(`wrote ${steps.length} steps to ${path.relative(ROOT, out)}`);

clientA.close();
clientB.close();
await Promise.allSettled([a.close(), b.close(), spy.quit(), emitter.redisClient.quit()]);
await redis.stop();
process.exit(0);

function versions() {
  const v = {};
  for (const p of ["socket.io", "@socket.io/redis-adapter", "@socket.io/redis-emitter", "notepack.io"]) {
    const file = path.join(ROOT, "node_modules", p, "package.json");
    v[p] = JSON.parse(readFileSync(file, "utf8")).version;
  }
  return v;
}
