// The engine's `initial_headers` and `headers` hooks, seen on the wire (the conformance fixture
// sets `x-initial: 1` on initial headers, `x-every: 1` on all, and echoes the request's Cookie as
// `x-cookie`): which responses carry them, for polling and for the WebSocket `101`, on the
// Socket.IO server and on the raw Engine.IO one.
import assert from "node:assert/strict";
import http from "node:http";
import { describe, test } from "node:test";
import { WebSocket } from "ws";
import { ENGINE_URL, HANG_GUARD_MS, URL } from "./lib/harness.mjs";
import { eioUrl } from "./lib/raw.mjs";

/** One request through node:http (which sends a Cookie header as given); { status, headers, body }. */
function send(url, { method = "GET", headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, signal: AbortSignal.timeout(HANG_GUARD_MS) }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () =>
        resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString() }),
      );
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** Opens a WebSocket and resolves with the headers of its `101`, then closes it. */
function upgradeHeaders(url, headers = {}) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url.replace(/^http/, "ws"), { headers });
    const guard = setTimeout(() => reject(new Error("no 101 in time")), HANG_GUARD_MS);
    ws.once("upgrade", (res) => {
      clearTimeout(guard);
      resolve(res.headers);
    });
    ws.once("open", () => ws.close());
    ws.once("error", (e) => {
      clearTimeout(guard);
      reject(e);
    });
    ws.once("unexpected-response", (_req, res) => {
      clearTimeout(guard);
      reject(new Error(`HTTP ${res.statusCode}`));
    });
  });
}

const SERVERS = [
  // The POST a session answers at once (the Socket.IO CONNECT, an Engine.IO echo), so the
  // GET after it does not wait for a ping.
  { name: "socket.io", base: URL, path: "/socket.io/", message: "40" },
  { name: "engine.io", base: ENGINE_URL, path: "/engine.io/", message: "4echo" },
];

for (const { name, base, path, message } of SERVERS) {
  describe(`headers hooks (${name})`, () => {
    test("the polling handshake gets initial_headers and headers, later requests headers only", async () => {
      const hs = await send(eioUrl(base, path, { transport: "polling" }), { headers: { cookie: "user=7" } });
      assert.equal(hs.status, 200);
      assert.equal(hs.headers["x-initial"], "1");
      assert.equal(hs.headers["x-every"], "1");
      assert.equal(hs.headers["x-cookie"], "user=7");
      assert.equal(hs.headers["access-control-allow-origin"], "*");
      const { sid } = JSON.parse(hs.body.slice(1));
      const url = eioUrl(base, path, { transport: "polling", sid });

      const post = await send(url, {
        method: "POST",
        headers: { "content-type": "text/plain;charset=UTF-8" },
        body: message,
      });
      assert.equal(post.status, 200);
      assert.equal(post.body, "ok");
      assert.equal(post.headers["x-every"], "1");
      assert.equal(post.headers["x-initial"], undefined);
      assert.equal(post.headers["x-cookie"], undefined);

      const get = await send(url, { headers: { cookie: "user=8" } });
      assert.equal(get.status, 200);
      assert.ok(get.body.startsWith(message === "40" ? "40{" : "4echo"), get.body);
      assert.equal(get.headers["x-every"], "1");
      assert.equal(get.headers["x-initial"], undefined);
      assert.equal(get.headers["x-cookie"], "user=8");
      await send(url, { method: "POST", headers: { "content-type": "text/plain;charset=UTF-8" }, body: "1" });
    });

    test("error answers keep CORS but get no hook headers", async () => {
      const res = await send(eioUrl(base, path, { transport: "polling", sid: "nope" }));
      assert.equal(res.status, 400);
      assert.equal(res.headers["access-control-allow-origin"], "*");
      assert.equal(res.headers["x-every"], undefined);
      assert.equal(res.headers["x-initial"], undefined);
      const preflight = await send(eioUrl(base, path, { transport: "polling" }), {
        method: "OPTIONS",
        headers: { origin: "http://example.test", "access-control-request-method": "POST" },
      });
      assert.equal(preflight.status, 204);
      assert.equal(preflight.headers["x-every"], undefined);
    });

    test("the 101 of a WebSocket-first handshake gets CORS and both hooks", async () => {
      const headers = await upgradeHeaders(eioUrl(base, path, { transport: "websocket" }), { cookie: "user=9" });
      assert.equal(headers["x-initial"], "1");
      assert.equal(headers["x-every"], "1");
      assert.equal(headers["x-cookie"], "user=9");
      assert.equal(headers["access-control-allow-origin"], "*");
    });

    test("the 101 of an upgrade gets headers only", async () => {
      const hs = await send(eioUrl(base, path, { transport: "polling" }));
      const { sid } = JSON.parse(hs.body.slice(1));
      const headers = await upgradeHeaders(eioUrl(base, path, { transport: "websocket", sid }));
      assert.equal(headers["x-every"], "1");
      assert.equal(headers["x-initial"], undefined);
      assert.equal(headers["x-cookie"], undefined);
      assert.equal(headers["access-control-allow-origin"], "*");
      const close = eioUrl(base, path, { transport: "polling", sid });
      await send(close, { method: "POST", headers: { "content-type": "text/plain;charset=UTF-8" }, body: "1" });
    });
  });
}
