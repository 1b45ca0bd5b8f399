// Cross-node cluster suite: two Volley nodes (cluster-redis example `cluster_node`, volley1 on
// tokio, volley2 on async-std) and one
// Node.js socket.io node with @socket.io/redis-adapter share a real redis-server started here on a
// free port; socket.io-client clients on each node check that broadcasts (to all, to a room,
// except a room), fetchSockets, serverSideEmit (with and without acks), broadcasts with acks,
// remote join/leave/disconnect, the RemoteSocket actions on fetchSockets results (join, emit,
// emit with an ack, leave, disconnect of a socket held by another node) and
// @socket.io/redis-emitter reach exactly the right clients
// across both languages, and that a Redis restart mid-test recovers.
//
//   node --test interop/redis/cluster.test.mjs
//
// CLUSTER_VOLLEY_CMD overrides the Volley node command of both nodes (default: the release
// build of the example, built first, with `--async-std` for volley2); e.g. `node interop/redis/node-node.mjs` runs the suite on a
// Node-only cluster, which is how the suite itself was checked against the reference.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, openSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { io as connect } from "socket.io-client";
import { Emitter } from "@socket.io/redis-emitter";
import { canConnect, freePort } from "../lib/net.mjs";
import { redisClient, sleep, startRedis } from "./lib.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const TARGET_DIR = process.env.CARGO_TARGET_DIR || path.join(ROOT, "target");
const LOG_DIR = path.join(TARGET_DIR, "interop");
const VOLLEY_BIN = path.join(TARGET_DIR, "release", "examples", "cluster_node");

const NODES = ["node", "volley1", "volley2"];
const CLIENTS = [
  { name: "n-a", node: "node", rooms: ["a"] },
  { name: "n-b", node: "node", rooms: ["b"] },
  { name: "v1-a", node: "volley1", rooms: ["a"] },
  { name: "v1-bc", node: "volley1", rooms: ["b", "c"] },
  { name: "v2-ac", node: "volley2", rooms: ["a", "c"] },
  { name: "v2-x", node: "volley2", rooms: [] },
];
const ALL = CLIENTS.map((c) => c.name);
const inRoom = (room) => CLIENTS.filter((c) => c.rooms.includes(room)).map((c) => c.name);
const SETTLE_MS = 400;

function volleyCommand() {
  if (process.env.CLUSTER_VOLLEY_CMD) return process.env.CLUSTER_VOLLEY_CMD;
  // A no-op when interop/run.mjs built it already; never runs a stale binary.
  const build = spawnSync(
    "cargo",
    ["build", "--release", "--quiet", "-p", "volley-redis", "--example", "cluster_node"],
    { cwd: ROOT, stdio: "inherit" },
  );
  if (build.status !== 0 || !existsSync(VOLLEY_BIN)) {
    throw new Error("cargo build of the cluster_node example failed");
  }
  return VOLLEY_BIN;
}

async function startNode(name, command, redisUrl) {
  const port = await freePort();
  mkdirSync(LOG_DIR, { recursive: true });
  const log = path.join(LOG_DIR, `cluster-${name}.log`);
  const out = openSync(log, "w");
  const child = spawn("sh", ["-c", `exec ${command}`], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), REDIS_URL: redisUrl, NODE_NAME: name, RUST_LOG: "info" },
    stdio: ["ignore", out, out],
    detached: true,
  });
  let exited = null;
  child.on("exit", (code, signal) => (exited = { code, signal }));
  const started = Date.now();
  while (!(await canConnect(port))) {
    if (exited) throw new Error(`${name} exited early: ${JSON.stringify(exited)}\n${readFileSync(log, "utf8")}`);
    if (Date.now() - started > 120_000) throw new Error(`${name} did not listen`);
    await sleep(50);
  }
  return {
    name,
    port,
    log,
    stop() {
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {
        // already gone
      }
    },
  };
}

const state = { redis: null, nodes: {}, clients: {}, emitterClient: null };

function client(name) {
  return state.clients[name];
}

function controller(node) {
  return client(CLIENTS.find((c) => c.node === node).name);
}

async function openClient({ name, node, rooms }) {
  const socket = connect(`http://127.0.0.1:${state.nodes[node].port}`, {
    transports: ["websocket"],
    auth: { name, rooms },
    reconnection: false,
  });
  socket.got = [];
  socket.onAny((event, ...args) => socket.got.push([event, ...args]));
  socket.on("ask", (...args) => args[args.length - 1](name));
  await new Promise((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("connect_error", reject);
  });
  return socket;
}

async function command(node, event, payload) {
  const args = payload === undefined ? [] : [payload];
  return controller(node).timeout(8000).emitWithAck(event, ...args);
}

/** Waits until every client of `expected` got `event`, then checks nobody else did, once each. */
async function receivedExactly(event, expected, { limit = 4000 } = {}) {
  const count = (name) => client(name).got.filter((e) => e[0] === event).length;
  const deadline = Date.now() + limit;
  while (Date.now() < deadline && !expected.every((n) => count(n) >= 1)) await sleep(20);
  await sleep(SETTLE_MS);
  const got = ALL.filter((n) => count(n) > 0).sort();
  assert.deepEqual(got, [...expected].sort(), `who received ${event}`);
  for (const n of expected) assert.equal(count(n), 1, `${n} received ${event} once`);
  return Object.fromEntries(expected.map((n) => [n, client(n).got.find((e) => e[0] === event).slice(1)]));
}

async function clusterSettled(expected = 3, limit = 20_000) {
  const deadline = Date.now() + limit;
  let counts = [];
  while (Date.now() < deadline) {
    counts = await Promise.all(NODES.map((n) => command(n, "do-count").catch(() => 0)));
    if (counts.every((c) => c === expected)) return;
    await sleep(100);
  }
  assert.fail(`nodes count ${counts} servers, expected ${expected}`);
}

let seq = 0;
const unique = (what) => `${what}-${++seq}`;

before(async () => {
  const volley = volleyCommand();
  state.redis = await startRedis();
  state.nodes.node = await startNode("node", "node interop/redis/node-node.mjs", state.redis.url);
  state.nodes.volley1 = await startNode("volley1", volley, state.redis.url);
  const volley2 = process.env.CLUSTER_VOLLEY_CMD ? volley : `${volley} --async-std`;
  state.nodes.volley2 = await startNode("volley2", volley2, state.redis.url);
  for (const c of CLIENTS) state.clients[c.name] = await openClient(c);
  await clusterSettled();
});

after(async () => {
  for (const c of Object.values(state.clients)) c.close();
  if (state.emitterClient) await state.emitterClient.quit().catch(() => {});
  for (const n of Object.values(state.nodes)) n.stop();
  if (state.redis) await state.redis.stop();
});

for (const origin of NODES) {
  describe(`from ${origin}`, () => {
    test("a broadcast to all reaches every client of the three nodes once", async () => {
      const event = unique("all");
      await command(origin, "do-broadcast", { event, args: [origin, { n: 1 }] });
      const got = await receivedExactly(event, ALL);
      for (const args of Object.values(got)) assert.deepEqual(args, [origin, { n: 1 }]);
    });

    test("a broadcast to a room reaches exactly its members", async () => {
      const event = unique("room");
      await command(origin, "do-broadcast", { to: ["a"], event, args: [1] });
      await receivedExactly(event, inRoom("a"));
    });

    test("a broadcast except a room skips exactly its members", async () => {
      const event = unique("except");
      await command(origin, "do-broadcast", { except: ["c"], event, args: [] });
      await receivedExactly(event, ALL.filter((n) => !inRoom("c").includes(n)));
    });

    test("a broadcast to two rooms except a third reaches each target once", async () => {
      const event = unique("rooms-except");
      await command(origin, "do-broadcast", { to: ["a", "b"], except: ["c"], event, args: [] });
      await receivedExactly(event, ["n-a", "n-b", "v1-a"]);
    });

    test("binary arguments stay binary across nodes", async () => {
      const event = unique("binary");
      const bytes = Buffer.from([0, 1, 2, 254, 255]);
      await command(origin, "do-broadcast", { event, args: [bytes, { nested: bytes }] });
      const got = await receivedExactly(event, ALL);
      for (const [name, [a, b]] of Object.entries(got)) {
        assert.ok(Buffer.isBuffer(a) || a instanceof ArrayBuffer, `${name}: binary`);
        assert.deepEqual(Buffer.from(a), bytes);
        assert.deepEqual(Buffer.from(b.nested), bytes);
      }
    });

    test("fetchSockets lists the sockets of every node, with rooms and data", async () => {
      const all = await command(origin, "do-fetch", {});
      assert.ok(Array.isArray(all), JSON.stringify(all));
      const byName = Object.fromEntries(all.map((s) => [s.data?.name, s]));
      assert.deepEqual(Object.keys(byName).sort(), [...ALL].sort());
      for (const c of CLIENTS) {
        assert.equal(byName[c.name].id, client(c.name).id, `${c.name} id`);
        assert.deepEqual(byName[c.name].rooms, [client(c.name).id, ...c.rooms].sort(), `${c.name} rooms`);
      }
      const inC = await command(origin, "do-fetch", { to: ["c"], except: ["b"] });
      assert.deepEqual(inC.map((s) => s.data.name), ["v2-ac"]);
    });

    test("serverSideEmit reaches the other nodes only", async () => {
      const data = unique("hello");
      await command(origin, "do-sse", { event: "sse-hello", args: [data] });
      const others = CLIENTS.filter((c) => c.node !== origin);
      const deadline = Date.now() + 4000;
      const seen = (c) => client(c.name).got.filter((e) => e[0] === "sse-got" && e[2] === data);
      while (Date.now() < deadline && !others.every((c) => seen(c).length > 0)) await sleep(20);
      await sleep(SETTLE_MS);
      for (const c of CLIENTS) {
        const got = seen(c);
        if (c.node === origin) assert.equal(got.length, 0, `${c.name} is on the sender`);
        else assert.deepEqual(got, [["sse-got", c.node, data]], `${c.name}`);
      }
    });

    test("serverSideEmitWithAck collects one answer per other node", async () => {
      const res = await command(origin, "do-sse-ack", { event: "sse-ping", args: [1] });
      const expected = NODES.filter((n) => n !== origin).map((n) => `pong-${n}`).sort();
      assert.deepEqual(res, { replies: expected });
    });

    test("a broadcast with acks collects the answer of every client in the room", async () => {
      const res = await command(origin, "do-broadcast-ack", { to: ["a"], event: "ask", timeout: 3000 });
      assert.deepEqual(res, { timedOut: false, responses: inRoom("a").sort() });
    });

    test("remote join and leave apply on every node", async () => {
      const room = unique("joined");
      await command(origin, "do-join", { to: ["b"], room });
      await sleep(SETTLE_MS);
      const event = unique("to-joined");
      await command(origin, "do-broadcast", { to: [room], event, args: [] });
      await receivedExactly(event, inRoom("b"));
      await command(origin, "do-leave", { to: ["b"], room });
      await sleep(SETTLE_MS);
      const none = await command(origin, "do-fetch", { to: [room] });
      assert.deepEqual(none, []);
    });
  });
}

describe("@socket.io/redis-emitter", () => {
  test("an emit through the emitter reaches every client, binary included", async () => {
    state.emitterClient = await redisClient(state.redis.url);
    const emitter = new Emitter(state.emitterClient);
    const event = unique("emitter");
    emitter.emit(event, 1, Buffer.from([7, 8]));
    const got = await receivedExactly(event, ALL);
    for (const [a, b] of Object.values(got)) {
      assert.equal(a, 1);
      assert.deepEqual(Buffer.from(b), Buffer.from([7, 8]));
    }
    const toC = unique("emitter-c");
    emitter.to("c").except("b").emit(toC);
    await receivedExactly(toC, ["v2-ac"]);
  });
});

describe("remote disconnect", () => {
  test("disconnectSockets from each node disconnects the selected clients of other nodes", async () => {
    for (const [origin, victimNode] of [["node", "volley1"], ["volley1", "node"], ["volley2", "volley1"]]) {
      const name = unique("victim");
      const victim = await openClient({ name, node: victimNode, rooms: [`kick-${name}`] });
      const reason = new Promise((resolve) => victim.once("disconnect", resolve));
      await sleep(SETTLE_MS);
      await command(origin, "do-disconnect", { to: [`kick-${name}`] });
      assert.equal(await Promise.race([reason, sleep(4000).then(() => "no disconnect")]), "io server disconnect");
    }
  });
});

describe("RemoteSocket (fetchSockets results)", () => {
  // [acting node, node holding the socket]: Volley on Volley (both runtimes), Volley on the
  // reference and back, and a node on its own socket.
  const PAIRS = [
    ["volley1", "volley2"],
    ["volley2", "node"],
    ["node", "volley1"],
    ["volley1", "volley1"],
  ];
  for (const [origin, holder] of PAIRS) {
    test(`${origin} makes a socket of ${holder} join, receive, answer, leave and disconnect`, async () => {
      const name = unique(`remote-${holder}`);
      const target = await openClient({ name, node: holder, rooms: [] });
      const id = target.id; // the client forgets it once disconnected
      await sleep(SETTLE_MS);
      const remote = (action, extra = {}) => command(origin, "do-remote", { name, action, ...extra });
      const gotEvent = async (event) => {
        const deadline = Date.now() + 4000;
        while (Date.now() < deadline && !target.got.some((e) => e[0] === event)) await sleep(20);
        return target.got.filter((e) => e[0] === event);
      };
      const members = async (room) => (await command(origin, "do-fetch", { to: [room] })).map((s) => s.id);
      const [room1, room2] = [unique("remote-room"), unique("remote-room")];

      assert.deepEqual(await remote("join", { rooms: [room1, room2] }), { id });
      await sleep(SETTLE_MS);
      assert.deepEqual(await members(room1), [id]);
      const toRoom = unique("to-remote-room");
      await command(origin, "do-broadcast", { to: [room1], event: toRoom, args: [] });
      assert.deepEqual(await gotEvent(toRoom), [[toRoom]], "the joined room reaches it");
      await receivedExactly(toRoom, []);

      const direct = unique("remote-emit");
      assert.deepEqual(await remote("emit", { event: direct, args: [1, { x: "y" }] }), { id });
      assert.deepEqual(await gotEvent(direct), [[direct, 1, { x: "y" }]]);
      await receivedExactly(direct, []);

      assert.deepEqual(await remote("ack", { event: "ask", timeout: 3000 }), { id, response: name });
      assert.deepEqual(await remote("ack", { event: "no-answer", timeout: 300 }), { id, error: "timeout" });

      assert.deepEqual(await remote("leave", { room: room1 }), { id });
      await sleep(SETTLE_MS);
      assert.deepEqual(await members(room1), []);
      assert.deepEqual(await members(room2), [id], "the other room is kept");
      const afterLeave = unique("after-leave");
      await command(origin, "do-broadcast", { to: [room1, room2], event: afterLeave, args: [] });
      await command(origin, "do-broadcast", { to: [room1], event: `${afterLeave}-1`, args: [] });
      assert.equal((await gotEvent(afterLeave)).length, 1);
      await sleep(SETTLE_MS);
      assert.deepEqual(target.got.filter((e) => e[0] === `${afterLeave}-1`), [], "left room1");

      const reason = new Promise((resolve) => target.once("disconnect", resolve));
      assert.deepEqual(await remote("disconnect"), { id });
      assert.equal(await Promise.race([reason, sleep(4000).then(() => "no disconnect")]), "io server disconnect");
      assert.deepEqual(await remote("emit", { event: "gone", args: [] }), { error: "not found" });
    });
  }

  test("disconnect(close) from Volley closes the connection of a socket of another node", async () => {
    for (const [origin, holder] of [["volley1", "node"], ["volley2", "volley1"]]) {
      const name = unique("remote-close");
      const target = await openClient({ name, node: holder, rooms: [] });
      const id = target.id;
      await sleep(SETTLE_MS);
      const reason = new Promise((resolve) => target.once("disconnect", resolve));
      assert.deepEqual(await command(origin, "do-remote", { name, action: "disconnect", close: true }), { id });
      assert.equal(await Promise.race([reason, sleep(4000).then(() => "no disconnect")]), "io server disconnect");
    }
  });
});

describe("Redis restart", () => {
  test("local delivery goes on while Redis is down and cluster delivery resumes after", async () => {
    const port = state.redis.port;
    await state.redis.stop();
    await sleep(300);
    const during = unique("during-outage");
    await command("volley1", "do-broadcast", { event: during, args: [] });
    await receivedExactly(during, ["v1-a", "v1-bc"]);

    state.redis = await startRedis(port);
    await clusterSettled(3, 30_000);
    for (const origin of NODES) {
      const event = unique("after-restart");
      await command(origin, "do-broadcast", { event, args: [origin] });
      await receivedExactly(event, ALL, { limit: 8000 });
    }
  });
});
