// Raw Engine.IO access for probes the official clients never make: plain fetch for polling, the
// `ws` package for WebSocket, and net sockets for bytes that are not HTTP at all.
import http from "node:http";
import net from "node:net";
import { WebSocket } from "ws";
import { HANG_GUARD_MS } from "./harness.mjs";

/** `base` + `path` + `?EIO=4&…`; `query` values are appended in order, `null` values skipped. */
export function eioUrl(base, path, query = {}) {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries({ EIO: "4", ...query })) {
    if (v !== null && v !== undefined) params.append(k, v);
  }
  return `${base}${path}?${params}`;
}

/** fetch with a hang guard; resolves with { status, headers, text }. */
export async function request(url, init = {}) {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(HANG_GUARD_MS) });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

/** Splits a polling body into its packets. */
export const packets = (body) => body.split("\x1e");

/** Opens a polling session; resolves with { sid, handshake, raw } (raw is the body text). */
export async function pollingHandshake(base, path) {
  const res = await request(eioUrl(base, path, { transport: "polling" }));
  if (res.status !== 200 || !res.text.startsWith("0")) {
    throw new Error(`handshake failed: ${res.status} ${res.text}`);
  }
  const handshake = JSON.parse(res.text.slice(1));
  return { sid: handshake.sid, handshake, raw: res.text, headers: res.headers };
}

/** One polling GET for `sid`. */
export function poll(base, path, sid) {
  return request(eioUrl(base, path, { transport: "polling", sid }));
}

/**
 * A GET through node:http, which (unlike fetch) neither adds nor undoes a Content-Encoding:
 * resolves with { status, headers, body } (body: the raw Buffer). `headers` are sent as given.
 */
export function rawGet(url, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers, signal: AbortSignal.timeout(HANG_GUARD_MS) }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    req.on("error", reject);
  });
}

/** One polling POST of `body` for `sid`. */
export function post(base, path, sid, body) {
  return request(eioUrl(base, path, { transport: "polling", sid }), {
    method: "POST",
    body,
    headers: { "content-type": "text/plain;charset=UTF-8" },
  });
}

/**
 * A WebSocket with its messages queued, so a test reads them one by one with `next()`;
 * text frames come as strings and binary frames as Buffers. `closed` resolves with the close code.
 */
export class RawWs {
  constructor(url, options = {}) {
    this.ws = new WebSocket(url.replace(/^http/, "ws"), options);
    this.queue = [];
    this.waiting = null;
    this.opened = new Promise((resolve, reject) => {
      this.ws.once("open", resolve);
      this.ws.once("error", reject);
      this.ws.once("unexpected-response", (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
    this.ws.on("error", () => {}); // reported through `closed`
    this.closed = new Promise((resolve) => this.ws.once("close", (code) => resolve(code)));
    this.ws.on("message", (data, isBinary) => {
      this.queue.push(isBinary ? Buffer.from(data) : data.toString());
      this.waiting?.();
    });
    this.closed.then(() => this.waiting?.());
  }

  /** Next message; rejects if the connection closes first. */
  async next() {
    const guard = Date.now() + HANG_GUARD_MS;
    while (this.queue.length === 0) {
      if (this.ws.readyState === WebSocket.CLOSED) throw new Error("closed while waiting for a message");
      if (Date.now() > guard) throw new Error("no message (hang guard)");
      await new Promise((resolve) => {
        this.waiting = resolve;
        setTimeout(resolve, 200);
      });
      this.waiting = null;
    }
    return this.queue.shift();
  }

  /** Next message that is not a heartbeat ping (answering nothing). */
  async nextNonPing() {
    for (;;) {
      const msg = await this.next();
      if (msg !== "2") return msg;
    }
  }

  send(data, options) {
    this.ws.send(data, options);
  }

  /** Resolves with the close code once the server closed the connection (hang-guarded). */
  async waitClosed() {
    let timer;
    const guard = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error("connection not closed (hang guard)")), HANG_GUARD_MS);
    });
    try {
      return await Promise.race([this.closed, guard]);
    } finally {
      clearTimeout(timer);
    }
  }

  close() {
    this.ws.terminate();
  }
}

/**
 * A raw WebSocket session on the Socket.IO server at `base` that has joined namespace `/` (the
 * conformance app answers with its `auth` event); `open` is the Engine.IO open packet's JSON.
 */
export async function joinedRawWs(base) {
  const ws = new RawWs(eioUrl(base, "/socket.io/", { transport: "websocket" }));
  await ws.opened;
  const open = await ws.next();
  if (open[0] !== "0") throw new Error(`expected the open packet, got ${JSON.stringify(open)}`);
  ws.open = JSON.parse(open.slice(1));
  ws.send("40");
  const joined = await ws.nextNonPing();
  if (!/^40\{"sid":"[^"]+"\}$/.test(joined)) throw new Error(`expected 40{"sid":…}, got ${JSON.stringify(joined)}`);
  const auth = await ws.nextNonPing();
  if (auth !== '42["auth",{}]') throw new Error(`expected the auth event, got ${JSON.stringify(auth)}`);
  return ws;
}

/**
 * Sends raw bytes on a TCP connection to `port` and collects what comes back until the server
 * closes the connection; resolves with the received text.
 */
export function rawTcp(port, bytes) {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, "127.0.0.1");
    const chunks = [];
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`connection not closed by the server (hang guard); got ${JSON.stringify(Buffer.concat(chunks).toString())}`));
    }, HANG_GUARD_MS);
    sock.on("connect", () => sock.write(bytes));
    sock.on("data", (d) => chunks.push(d));
    sock.on("error", () => {}); // a reset also ends the connection
    sock.on("close", () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString("latin1"));
    });
  });
}

/** The body of a raw HTTP/1.1 reply (a chunked one decoded, as far as these probes need). */
export function bodyOf(reply) {
  const [head, rest = ""] = reply.split(/\r\n\r\n(.*)/s);
  if (!/^transfer-encoding:\s*chunked/im.test(head)) return rest;
  let out = "";
  for (let at = 0; ; ) {
    const eol = rest.indexOf("\r\n", at);
    const size = parseInt(rest.slice(at, eol), 16);
    if (!(size > 0)) return out;
    out += rest.slice(eol + 2, eol + 2 + size);
    at = eol + 2 + size + 2;
  }
}

/** The port of a base URL such as http://127.0.0.1:1234. */
export const portOf = (base) => Number(new URL(base).port);
