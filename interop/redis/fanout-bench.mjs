// Cross-node fan-out latency: a two-node cluster on one redis-server; one sender client on node 1
// emits `broadcast` (the bench fixture re-broadcasts it to all of `/`), RECEIVERS clients on node 2
// record when each copy arrives. Latency = arrival − send, on this process's clock, for every
// (message, receiver) pair. Runs a Volley cluster (adapter-tokio example `bench` with REDIS_URL,
// volley-redis) and a Node cluster (benches/node/bench-server.mjs with @socket.io/redis-adapter)
// on the same machine, one after the other, each on a fresh redis-server.
//
//   cargo build --release -p volley-tokio --example bench
//   node interop/redis/fanout-bench.mjs          # MESSAGES=2000 RECEIVERS=50 INTERVAL_MS=2
//
// Prints one line per cluster (p50/p90/p99/max in ms, copies delivered) and writes
// target/interop/fanout.json. Bounded: every run stops by itself.
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { io as connect } from "socket.io-client";
import { canConnect, freePort } from "../lib/net.mjs";
import { sleep, startRedis } from "./lib.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const TARGET_DIR = process.env.CARGO_TARGET_DIR || path.join(ROOT, "target");
const MESSAGES = Number(process.env.MESSAGES ?? 2000);
const RECEIVERS = Number(process.env.RECEIVERS ?? 50);
const INTERVAL_MS = Number(process.env.INTERVAL_MS ?? 2);
const WARMUP = 200;

const CLUSTERS = {
  volley: [path.join(TARGET_DIR, "release", "examples", "bench")],
  node: [process.execPath, path.join(ROOT, "benches", "node", "bench-server.mjs")],
};

async function listening(port) {
  for (let i = 0; i < 200; i++) {
    if (await canConnect(port)) return;
    await sleep(50);
  }
  throw new Error(`nothing listens on ${port}`);
}

async function run(kind) {
  const redis = await startRedis();
  const ports = [await freePort(), await freePort()];
  const [cmd, ...args] = CLUSTERS[kind];
  const procs = ports.map((port) =>
    spawn(cmd, args, {
      env: { ...process.env, PORT: String(port), REDIS_URL: redis.url },
      stdio: "ignore",
    }),
  );
  try {
    await Promise.all(ports.map(listening));
    await sleep(1500); // both nodes subscribed and counted
    const open = (port) =>
      new Promise((resolve, reject) => {
        const s = connect(`http://127.0.0.1:${port}`, { transports: ["websocket"], reconnection: false });
        s.once("connect", () => resolve(s));
        s.once("connect_error", reject);
      });
    const sender = await open(ports[0]);
    const receivers = [];
    for (let i = 0; i < RECEIVERS; i++) receivers.push(await open(ports[1]));
    const sent = new Map();
    const latencies = [];
    let delivered = 0;
    for (const r of receivers) {
      r.on("broadcast", (seq) => {
        const t0 = sent.get(seq);
        if (t0 === undefined) return;
        delivered++;
        if (seq >= WARMUP) latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
      });
    }
    const total = WARMUP + MESSAGES;
    for (let seq = 0; seq < total; seq++) {
      sent.set(seq, process.hrtime.bigint());
      sender.emit("broadcast", seq, "fan-out payload");
      await sleep(INTERVAL_MS);
    }
    const deadline = Date.now() + 5000;
    while (delivered < total * RECEIVERS && Date.now() < deadline) await sleep(20);
    sender.close();
    receivers.forEach((r) => r.close());
    latencies.sort((a, b) => a - b);
    const q = (p) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))];
    return {
      kind,
      messages: MESSAGES,
      receivers: RECEIVERS,
      interval_ms: INTERVAL_MS,
      delivered,
      expected: total * RECEIVERS,
      p50_ms: q(0.5),
      p90_ms: q(0.9),
      p99_ms: q(0.99),
      max_ms: latencies[latencies.length - 1],
    };
  } finally {
    procs.forEach((p) => p.kill("SIGTERM"));
    await redis.stop();
  }
}

const results = [];
for (const kind of (process.env.CLUSTERS ?? "volley,node").split(",")) {
  const r = await run(kind);
  results.push(r);
  const f = (x) => x.toFixed(2);
  console.log(
    `${kind.padEnd(6)} p50 ${f(r.p50_ms)} ms  p90 ${f(r.p90_ms)} ms  p99 ${f(r.p99_ms)} ms  max ${f(r.max_ms)} ms  delivered ${r.delivered}/${r.expected}`,
  );
}
mkdirSync(path.join(TARGET_DIR, "interop"), { recursive: true });
writeFileSync(path.join(TARGET_DIR, "interop", "fanout.json"), JSON.stringify(results, null, 1) + "\n");
process.exit(0);
