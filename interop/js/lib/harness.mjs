// Shared helpers for the interop suites: where the servers are, the three ways a client connects,
// and event waiting with hang guards. The guards only stop a hung test; no assertion depends on how
// long anything took.
import { io, Manager } from "socket.io-client";

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the suites through interop/run.mjs`);
  return value;
}

/** Base URL of the Socket.IO conformance server (path /socket.io/). */
export const URL = required("INTEROP_URL");
/** The same Socket.IO contract with the reference's default heartbeat, for the load test. */
export const LOAD_URL = required("INTEROP_LOAD_URL");
/** Base URL of the raw Engine.IO echo server (path /engine.io/). */
export const ENGINE_URL = required("INTEROP_ENGINE_URL");

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
 * upgrade mode, once the upgrade to WebSocket finished).
 */
export async function connect(mode, nsp = "/", extra = {}) {
  const socket = io(URL + nsp, clientOptions(mode, extra));
  const rec = new Recorder(socket);
  try {
    await once(socket, "connect", { rejectOn: ["connect_error"] });
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
