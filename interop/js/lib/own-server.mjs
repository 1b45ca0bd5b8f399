// A Socket.IO conformance server of a test's own, for the tests that shut the server down (the
// shared ones must outlive every suite). run.mjs passes the command it runs the shared
// Socket.IO server with (INTEROP_SOCKETIO_CMD: Volley's conformance example, the Node fixture,
// or a custom command); this starts it once more on a free port with the reference's default
// timing, in a process group of its own.
import { spawn } from "node:child_process";
import { mkdirSync, openSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { canConnect, freePort } from "../../lib/net.mjs";
import { HANG_GUARD_MS } from "./harness.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const LOG_DIR = process.env.INTEROP_LOG_DIR || path.join(process.env.CARGO_TARGET_DIR || path.join(ROOT, "target"), "interop");

/**
 * Starts the server as `name` (its log: `<name>.log` next to run.mjs's). Resolves once it
 * listens, with { url, interrupt(), exited, stop() }: `interrupt` sends SIGINT (a graceful
 * shutdown on every target), `exited` resolves with { code, signal } when the process ends,
 * `stop` kills it if it still runs.
 */
export async function startOwnServer(name) {
  const command = process.env.INTEROP_SOCKETIO_CMD;
  if (!command) throw new Error("INTEROP_SOCKETIO_CMD is not set: run the suites through interop/run.mjs");
  const port = await freePort();
  mkdirSync(LOG_DIR, { recursive: true });
  const logFile = path.join(LOG_DIR, `${name}.log`);
  const out = openSync(logFile, "w");
  const env = { ...process.env, PORT: String(port), PING_INTERVAL: "25000", PING_TIMEOUT: "20000", CONNECT_TIMEOUT: "45000" };
  const child = spawn("sh", ["-c", `exec ${command}`], { cwd: ROOT, env, stdio: ["ignore", out, out], detached: true });
  const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  let ended = null;
  exited.then((e) => (ended = e));
  const signal = (sig) => {
    try {
      process.kill(-child.pid, sig);
    } catch {
      // gone already
    }
  };
  const started = Date.now();
  while (!(await canConnect(port))) {
    if (ended || Date.now() - started > HANG_GUARD_MS) {
      signal("SIGKILL");
      throw new Error(`${name} (${command}) did not start (${JSON.stringify(ended)}); log:\n${readFileSync(logFile, "utf8")}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url: `http://127.0.0.1:${port}`,
    interrupt: () => signal("SIGINT"),
    exited,
    stop: async () => {
      if (!ended) signal("SIGKILL");
      await exited;
    },
  };
}
