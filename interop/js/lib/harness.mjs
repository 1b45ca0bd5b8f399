// Shared helpers for the interop suites: where the servers are, the three ways a client connects,
// and event waiting with hang guards. The guards only stop a hung test; no assertion depends on how
// long anything took.
import { monitorEventLoopDelay } from "node:perf_hooks";
import { io, Manager } from "socket.io-client";

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the suites through interop/run.mjs`);
  return value;
}

/**
 * Base URL of the Socket.IO conformance server (path /socket.io/) with the reference's default
 * heartbeat and connectTimeout: for every test that is not about that timing.
 */
export const URL = required("INTEROP_URL");
/** Base URL of the raw Engine.IO echo server (path /engine.io/), reference timing too. */
export const ENGINE_URL = required("INTEROP_ENGINE_URL");
/** The Socket.IO server with the fixture's 300/200 ms heartbeat, for the heartbeat tests. */
export const HEARTBEAT_URL = required("INTEROP_HEARTBEAT_URL");
/** The Engine.IO server with the fixture's 300/200 ms heartbeat. */
export const ENGINE_HEARTBEAT_URL = required("INTEROP_ENGINE_HEARTBEAT_URL");
/**
 * The Socket.IO server with connection state recovery on (maxDisconnectionDuration
 * `RECOVERY_MAX_DISCONNECTION_MS`, skipMiddlewares) and the reference's default timing.
 */
export const RECOVERY_URL = required("INTEROP_RECOVERY_URL");
/** The recovery server's maxDisconnectionDuration, in ms (run.mjs: CONNECTION_STATE_RECOVERY). */
export const RECOVERY_MAX_DISCONNECTION_MS = 4000;
/** The fixture's pingTimeout on the heartbeat servers, in ms. */
export const PING_TIMEOUT_MS = 200;

/** The three ways a client reaches the server. */
export const MODES = {
  websocket: { transports: ["websocket"] },
  polling: { transports: ["polling"] },
  upgrade: { transports: ["polling", "websocket"], upgrade: true },
};

/** Upper bound for one wait; only there so a broken server fails a test instead of hanging it. */
export const HANG_GUARD_MS = 20_000;

/** Resolves with the args of the next `event` on `emitter`, rejects if `rejectOn` fires first. */
export function once(emitter, event, { rejectOn = [], guardMs = HANG_GUARD_MS } = {}) {
  return new Promise((resolve, reject) => {
    const cleanups = [];
    const done = () => cleanups.forEach((f) => f());
    const timer = setTimeout(() => {
      done();
      reject(new Error(`no "${event}" event (gave up after ${guardMs} ms)`));
    }, guardMs);
    cleanups.push(() => clearTimeout(timer));
    const onEvent = (...args) => {
      done();
      resolve(args);
    };
    emitter.on(event, onEvent);
    cleanups.push(() => emitter.off(event, onEvent));
    for (const bad of rejectOn) {
      const onBad = (...args) => {
        done();
        const detail = args.map((a) => (a instanceof Error ? a.message : JSON.stringify(a))).join(", ");
        reject(new Error(`"${bad}" (${detail}) while waiting for "${event}"`));
      };
      emitter.on(bad, onBad);
      cleanups.push(() => emitter.off(bad, onBad));
    }
  });
}

/**
 * Records every event a socket receives, in order, from the moment it is created, so a test can
 * wait for events that may already have arrived (e.g. `auth`, emitted right on connect).
 */
export class Recorder {
  constructor(socket) {
    this.events = [];
    this.waiters = [];
    this.disconnects = [];
    socket.onAny((event, ...args) => {
      this.events.push({ event, args });
      this.waiters = this.waiters.filter((w) => !w.check());
    });
    socket.on("disconnect", (reason) => {
      this.disconnects.push(reason);
      // A wait cannot succeed once the socket is gone: fail it now with the reason.
      const waiters = this.waiters;
      this.waiters = [];
      waiters.forEach((w) => w.fail(new Error(`disconnected (${reason}) while waiting for "${w.event}"`)));
    });
  }

  /** All args lists received so far for `event`. */
  all(event) {
    return this.events.filter((e) => e.event === event).map((e) => e.args);
  }

  /** Resolves with the args lists of the first `count` `event`s once that many arrived. */
  wait(event, count = 1, guardMs = HANG_GUARD_MS) {
    return new Promise((resolve, reject) => {
      const waiter = {
        event,
        fail: (err) => {
          clearTimeout(waiter.timer);
          reject(err);
        },
        check: () => {
          const got = this.all(event);
          if (got.length < count) return false;
          clearTimeout(waiter.timer);
          resolve(got.slice(0, count));
          return true;
        },
      };
      if (waiter.check()) return;
      waiter.timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`got ${this.all(event).length} of ${count} "${event}" events (gave up after ${guardMs} ms)`));
      }, guardMs);
      this.waiters.push(waiter);
    });
  }

  /** Resolves with the args of the next `event` after everything recorded so far. */
  async next(event) {
    const seen = this.all(event).length;
    const got = await this.wait(event, seen + 1);
    return got[seen];
  }
}

/** Options for a client that never reconnects on its own and shares nothing with other tests. */
export function clientOptions(mode, extra = {}) {
  return { ...MODES[mode], forceNew: true, reconnection: false, timeout: HANG_GUARD_MS, ...extra };
}

/** Resolves once the engine of `socket` runs on WebSocket (returns at once if it already does). */
export async function upgraded(socket) {
  const engine = socket.io.engine;
  if (engine.transport.name === "websocket") return;
  await once(engine, "upgrade", { rejectOn: ["close", "upgradeError"] });
}

/**
 * Connects a socket to `nsp` in `mode`; resolves with { socket, rec } once connected (and, in
 * upgrade mode, once the upgrade to WebSocket finished). `url` is the server (default `URL`).
 */
export async function connect(mode, nsp = "/", extra = {}, url = URL) {
  const socket = io(url + nsp, clientOptions(mode, extra));
  const rec = new Recorder(socket);
  try {
    // A session closed before the CONNECT was answered ends in `disconnect`, not `connect_error`.
    await once(socket, "connect", { rejectOn: ["connect_error", "disconnect"] });
    if (mode === "upgrade") await upgraded(socket);
  } catch (err) {
    socket.disconnect();
    throw err;
  }
  return { socket, rec };
}

/** A Manager (one Engine.IO connection) for multiplexing; its sockets connect only when told. */
export function manager(mode, extra = {}) {
  return new Manager(URL, { ...MODES[mode], autoConnect: false, reconnection: false, timeout: HANG_GUARD_MS, ...extra });
}

/** Emits `message` with `args` and resolves with the args of the matching `message-back`. */
export async function roundTrip(socket, rec, ...args) {
  const pending = rec.next("message-back");
  socket.emit("message", ...args);
  return pending;
}

/** Emits `message-with-ack` with `args` and resolves with the ack's arguments. */
export function ackRoundTrip(socket, ...args) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no ack (hang guard)")), HANG_GUARD_MS);
    socket.emit("message-with-ack", ...args, (...reply) => {
      clearTimeout(timer);
      resolve(reply);
    });
  });
}

/**
 * Turns every binary value (ArrayBuffer, typed array, Buffer) into a Buffer, at any depth, so a
 * received value can be compared with what was sent whatever binary type the transport produced.
 */
export function normalizeBinary(value) {
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof ArrayBuffer) return Buffer.from(value);
  if (ArrayBuffer.isView(value)) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (Array.isArray(value)) return value.map(normalizeBinary);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalizeBinary(v)]));
  }
  return value;
}

/** Bytes 0..255 repeated to `length`, so corruption anywhere shows. */
export function patternBuffer(length, seed = 0) {
  const buf = Buffer.alloc(length);
  for (let i = 0; i < length; i++) buf[i] = (i * 31 + seed) & 0xff;
  return buf;
}

/** Runs `fn` with the sockets it creates closed afterwards, whatever happens. */
export async function withSockets(fn) {
  const sockets = [];
  const track = (s) => (sockets.push(s), s);
  try {
    return await fn(track);
  } finally {
    for (const s of sockets) s.disconnect?.() ?? s.close?.();
  }
}

/**
 * Runs `attempt` (a test body against a heartbeat server) and returns its result. The fixture's
 * 200 ms pingTimeout is a promise about the client as much as the server: while this process
 * is stalled (a busy machine) it can neither answer a ping nor see one in time, so an attempt
 * that fails while the event loop was stalled for longer than `stallMs` shows nothing about the
 * server and runs again, up to `attempts` times. A failure without such a stall fails at once;
 * a pass is a pass, so nothing the test asserts is loosened.
 */
export async function withoutStalls(attempt, { attempts = 4, stallMs = PING_TIMEOUT_MS * 0.75 } = {}) {
  for (let n = 1; ; n++) {
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    try {
      return await attempt();
    } catch (err) {
      delay.disable();
      const stalled = Math.round(delay.max / 1e6);
      if (stalled <= stallMs || n === attempts) {
        err.message += ` (attempt ${n} of ${attempts}; longest event-loop stall ${stalled} ms)`;
        throw err;
      }
      console.log(`# attempt ${n} inconclusive: this process stalled ${stalled} ms (${err.message}); again`);
    } finally {
      delay.disable();
    }
  }
}
