// Interop runner: starts the conformance server (Socket.IO mode and --engine mode) on free ports,
// runs the JavaScript suites (node --test interop/js/*.test.mjs) and the python-socketio suite
// against them, then the browser suite (interop/browser/: the chat example in headless Chromium,
// which starts its own server) and the Redis cluster suite (interop/redis/: Volley and Node.js
// nodes on a redis-server it starts itself), stops the servers and prints
// "interop: N passed, N failed".
//
//   node interop/run.mjs                        target Volley (adapter-tokio example `conformance`)
//   INTEROP_SERVER=node node interop/run.mjs    target the Node reference (interop/fixtures/)
//   INTEROP_SERVER_CMD='…' node interop/run.mjs  any command (VOLLEY_CMD works too); PORT is set,
//                                               --engine appended for the Engine.IO server
// Six servers run: Socket.IO and Engine.IO (--engine) each twice, a Socket.IO one with
// connection state recovery, and a Socket.IO one with the MessagePack parser. The "heartbeat" pair keeps the fixture's timing (300/200 ms heartbeat,
// 1000 ms connectTimeout) for the tests about that timing; every other test, and the python suite,
// drives the pair started with the reference defaults (PING_INTERVAL=25000 PING_TIMEOUT=20000
// CONNECT_TIMEOUT=45000), so that a busy machine stalling a client process for a few hundred ms
// cannot close sessions the test is not about. The "recovery" server has those defaults too, plus
// CONNECTION_STATE_RECOVERY=4000 (connectionStateRecovery with a 4000 ms maxDisconnectionDuration;
// the same command with that env set), for recovery.test.mjs only (INTEROP_RECOVERY_URL). The
// "msgpack" server is the same command with PARSER=msgpack (socket.io-msgpack-parser instead of
// the JSON parser), for msgpack.test.mjs only (INTEROP_MSGPACK_URL). A test that shuts a server
// down starts one of its own with the same command (INTEROP_SOCKETIO_CMD, js/lib/own-server.mjs).
// Other knobs: INTEROP_PYTHON (python with python-socketio, default .venv/bin/python or python3),
// INTEROP_FILTER (a --test-name-pattern for the JS suites), INTEROP_SUMMARY_FILE (also write the
// summary line there), INTEROP_CONFORMANCE_ONLY=1 (only the suites that drive the conformance
// server: JS and python, not the browser and cluster suites, which start servers of their own),
// INTEROP_LOG_DIR (where server logs go, default $CARGO_TARGET_DIR/interop), CHAT_BIN (a built chat
// binary, e.g. volley-async-std's, with CHAT_ARGS: run the one-server browser suite against it
// even with INTEROP_CONFORMANCE_ONLY=1; see browser/harness.mjs).
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync, openSync } from "node:fs";
import { canConnect, freePort } from "./lib/net.mjs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const TARGET_DIR = process.env.CARGO_TARGET_DIR || path.join(ROOT, "target");
const LOG_DIR = process.env.INTEROP_LOG_DIR || path.join(TARGET_DIR, "interop");
const CONFORMANCE_ONLY = process.env.INTEROP_CONFORMANCE_ONLY === "1";
const STARTUP_LIMIT_MS = 180_000;

const customCommand = process.env.INTEROP_SERVER_CMD || process.env.VOLLEY_CMD;
const target = customCommand ? "custom" : process.env.INTEROP_SERVER || "volley";

function serverCommand(engine) {
  const extra = engine ? " --engine" : "";
  switch (target) {
    case "custom":
      return customCommand + extra;
    case "node":
      return `node interop/fixtures/conformance.js${extra}`;
    case "volley":
      return `cargo run --quiet --release -p volley-tokio --example conformance --${extra}`;
    default:
      throw new Error(`INTEROP_SERVER must be volley or node, not ${target}`);
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Starts one server in its own process group; resolves once its port accepts connections. */
async function startServer(name, engine, extraEnv = {}) {
  const port = await freePort();
  const logFile = path.join(LOG_DIR, `${name}.log`);
  const out = openSync(logFile, "w");
  const command = serverCommand(engine);
  const child = spawn("sh", ["-c", `exec ${command}`], {
    cwd: ROOT,
    env: { ...process.env, ...extraEnv, PORT: String(port) },
    stdio: ["ignore", out, out],
    detached: true,
  });
  let exited = null;
  child.on("exit", (code, signal) => (exited = { code, signal }));
  const started = Date.now();
  while (!(await canConnect(port))) {
    if (exited) {
      throw new Error(`${name} server (${command}) exited (${JSON.stringify(exited)}) before listening; log:\n${tail(logFile)}`);
    }
    if (Date.now() - started > STARTUP_LIMIT_MS) {
      stopServer({ child });
      throw new Error(`${name} server (${command}) did not listen on port ${port}; log:\n${tail(logFile)}`);
    }
    await sleep(100);
  }
  const envText = Object.entries({ ...extraEnv, PORT: port }).map(([k, v]) => `${k}=${v}`).join(" ");
  console.log(`[interop] ${name}: ${envText} ${command}, log ${path.relative(ROOT, logFile)}`);
  return { name, child, port, logFile, exited: () => exited };
}

async function stopServer(server) {
  const { child } = server;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((r) => child.once("exit", r));
  try {
    process.kill(-child.pid, "SIGTERM");
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }, 5000);
  await gone;
  clearTimeout(timer);
}

function tail(file, lines = 40) {
  try {
    return readFileSync(file, "utf8").split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

/**
 * Runs node's test runner on the suites in interop/<suite>/ (js, browser) whose file names pass
 * `only`; returns { passed, failed } from its TAP summary.
 */
function runJsSuites(env, suite = "js", only = () => true) {
  const dir = path.join(ROOT, "interop", suite);
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".test.mjs") && only(f))
    .sort()
    .map((f) => path.join("interop", suite, f));
  const tapFile = path.join(LOG_DIR, `${suite}.tap`);
  const args = [
    "--test",
    "--test-concurrency=1",
    "--test-timeout=120000",
    "--test-reporter=spec",
    "--test-reporter-destination=stdout",
    "--test-reporter=tap",
    `--test-reporter-destination=${tapFile}`,
  ];
  if (process.env.INTEROP_FILTER) args.push(`--test-name-pattern=${process.env.INTEROP_FILTER}`);
  const res = spawnSync(process.execPath, [...args, ...files], { cwd: ROOT, env, stdio: "inherit" });
  const tap = existsSync(tapFile) ? readFileSync(tapFile, "utf8") : "";
  const count = (key) => Number((tap.match(new RegExp(`^# ${key} (\\d+)$`, "m")) || [0, 0])[1]);
  let passed = count("pass");
  let failed = count("fail") + count("cancelled");
  if (res.status !== 0 && failed === 0) failed = 1; // the runner itself failed
  if (passed + failed === 0) failed = 1; // ran nothing: that is a failure too
  return { passed, failed };
}

/** Runs the python-socketio suite; its last line is "python: N passed, N failed". */
function runPythonSuite(env) {
  const venvPython = path.join(ROOT, ".venv", "bin", "python");
  const python = process.env.INTEROP_PYTHON || (existsSync(venvPython) ? venvPython : "python3");
  const res = spawnSync(python, [path.join("interop", "python", "run.py")], {
    cwd: ROOT,
    env,
    stdio: ["ignore", "pipe", "inherit"],
    encoding: "utf8",
  });
  process.stdout.write(res.stdout || "");
  const m = (res.stdout || "").match(/^python: (\d+) passed, (\d+) failed$/m);
  if (!m) return { passed: 0, failed: 1 };
  const result = { passed: Number(m[1]), failed: Number(m[2]) };
  if (res.status !== 0 && result.failed === 0) result.failed = 1;
  return result;
}

async function main() {
  mkdirSync(LOG_DIR, { recursive: true });
  console.log(`[interop] target: ${target}`);
  if (target === "volley") {
    console.log("[interop] building the conformance example (release)");
    const build = spawnSync(
      "cargo",
      ["build", "--release", "-p", "volley-tokio", "--example", "conformance"],
      { cwd: ROOT, stdio: "inherit" },
    );
    if (build.status !== 0) throw new Error("cargo build of the conformance example failed");
  }

  const servers = [];
  let results = [];
  try {
    // The reference's defaults: the tests that drive these are not about timing.
    const relaxed = { PING_INTERVAL: "25000", PING_TIMEOUT: "20000", CONNECT_TIMEOUT: "45000" };
    servers.push(await startServer("socketio", false, relaxed));
    servers.push(await startServer("engineio", true, relaxed));
    servers.push(await startServer("socketio-heartbeat", false));
    servers.push(await startServer("engineio-heartbeat", true));
    servers.push(await startServer("socketio-recovery", false, { ...relaxed, CONNECTION_STATE_RECOVERY: "4000" }));
    servers.push(await startServer("socketio-msgpack", false, { ...relaxed, PARSER: "msgpack" }));
    const [sio, eio, sioHeartbeat, eioHeartbeat, sioRecovery, sioMsgpack] = servers;
    const env = {
      ...process.env,
      INTEROP_URL: `http://127.0.0.1:${sio.port}`,
      INTEROP_ENGINE_URL: `http://127.0.0.1:${eio.port}`,
      INTEROP_HEARTBEAT_URL: `http://127.0.0.1:${sioHeartbeat.port}`,
      INTEROP_ENGINE_HEARTBEAT_URL: `http://127.0.0.1:${eioHeartbeat.port}`,
      INTEROP_RECOVERY_URL: `http://127.0.0.1:${sioRecovery.port}`,
      INTEROP_MSGPACK_URL: `http://127.0.0.1:${sioMsgpack.port}`,
      INTEROP_TARGET: target,
      // For the tests that start a Socket.IO server of their own (to shut it down): the same
      // command, which they run with PORT and the relaxed timing set.
      INTEROP_SOCKETIO_CMD: serverCommand(false),
    };
    console.log("\n[interop] JavaScript suites (socket.io-client, engine.io-client, raw sockets)");
    results.push(runJsSuites(env));
    console.log("\n[interop] python-socketio suite");
    results.push(runPythonSuite(env));
    if (process.env.CHAT_BIN) {
      // A chat binary built elsewhere (volley-async-std's): the one-server browser suite against it.
      console.log(`\n[interop] browser suite (${process.env.CHAT_BIN} ${process.env.CHAT_ARGS || ""} in headless Chromium)`);
      results.push(runJsSuites(env, "browser", (f) => f === "chat.test.mjs"));
    } else if (!CONFORMANCE_ONLY && existsSync(path.join(ROOT, "adapter-tokio", "examples", "chat.rs"))) {
      // The chat example in headless Chromium; built here (outside any test timeout), started by
      // the suite itself.
      console.log("\n[interop] browser suite (chat example in headless Chromium)");
      const build = spawnSync("cargo", ["build", "--release", "-p", "volley-tokio", "--example", "chat"], {
        cwd: ROOT,
        stdio: "inherit",
      });
      results.push(build.status === 0 ? runJsSuites(env, "browser") : { passed: 0, failed: 1 });
    }
    // Cross-node cluster: two Volley nodes and a Node.js node with @socket.io/redis-adapter on a
    // redis-server the suite starts itself; on the Node target all three nodes are Node.js.
    if (!CONFORMANCE_ONLY) {
      console.log("\n[interop] Redis cluster suite (Volley and Node.js nodes, @socket.io/redis-emitter)");
      const clusterEnv = target === "node" ? { ...env, CLUSTER_VOLLEY_CMD: "node interop/redis/node-node.mjs" } : env;
      const clusterBuild =
        target === "node"
          ? { status: 0 }
          : spawnSync("cargo", ["build", "--release", "-p", "volley-redis", "--example", "cluster_node"], {
              cwd: ROOT,
              stdio: "inherit",
            });
      results.push(clusterBuild.status === 0 ? runJsSuites(clusterEnv, "redis") : { passed: 0, failed: 1 });
    }
    for (const s of servers) {
      if (s.exited()) {
        console.log(`[interop] ${s.name} server died during the run: ${JSON.stringify(s.exited())}\n${tail(s.logFile)}`);
        results.push({ passed: 0, failed: 1 });
      }
    }
  } finally {
    await Promise.all(servers.map(stopServer));
  }
  const passed = results.reduce((n, r) => n + r.passed, 0);
  const failed = results.reduce((n, r) => n + r.failed, 0);
  const summary = `interop: ${passed} passed, ${failed} failed`;
  if (process.env.INTEROP_SUMMARY_FILE) writeFileSync(process.env.INTEROP_SUMMARY_FILE, summary + "\n");
  console.log(`\n${summary}`);
  return failed === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`[interop] ${err.message}`);
    const summary = "interop: 0 passed, 1 failed";
    if (process.env.INTEROP_SUMMARY_FILE) writeFileSync(process.env.INTEROP_SUMMARY_FILE, summary + "\n");
    console.log(summary);
    process.exit(1);
  },
);
