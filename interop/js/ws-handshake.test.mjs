// WebSocket opening handshakes refused, written byte by byte. A request Node's HTTP parser takes
// for an upgrade (an `Upgrade` header and `Connection: upgrade`) goes the reference's upgrade
// path: engine.io's checks (transport, sid, method, protocol), then its `ws` library's (method,
// Upgrade, key, version, subprotocols). Each refusal there is plain text with
// `Connection: close`, and the server closes the connection (rawTcp resolves only then: the
// requests below never ask for the close themselves). Without `Connection: upgrade` the request
// is an ordinary one and gets the JSON error on a kept connection. Two witness clients keep
// working through all of it.
import assert from "node:assert/strict";
import net from "node:net";
import { describe, test } from "node:test";
import { HANG_GUARD_MS, URL } from "./lib/harness.mjs";
import { pollingHandshake, portOf, rawTcp } from "./lib/raw.mjs";
import { withWitnesses } from "./lib/witnesses.mjs";

const PATH = "/socket.io/";
const GOOD_KEY = "dGhlIHNhbXBsZSBub25jZQ==";
const GOOD = {
  Upgrade: "websocket",
  Connection: "Upgrade",
  "Sec-WebSocket-Key": GOOD_KEY,
  "Sec-WebSocket-Version": "13",
};

/**
 * The bytes of a request for `query` with the good handshake headers changed by `change`: a
 * value replaces the header, null removes it; `extra` lines are appended as they are.
 */
function handshake({ method = "GET", query = "EIO=4&transport=websocket", change = {}, extra = [] } = {}) {
  const headers = Object.entries({ ...GOOD, ...change })
    .filter(([, v]) => v !== null)
    .map(([k, v]) => `${k}: ${v}`);
  const lines = [`${method} ${PATH}?${query} HTTP/1.1`, "Host: 127.0.0.1", ...headers, ...extra];
  return lines.join("\r\n") + "\r\n\r\n";
}

/** Splits one raw reply into { status, headers (lowercase names), body }. */
function parse(reply) {
  const end = reply.indexOf("\r\n\r\n");
  const [statusLine, ...lines] = reply.slice(0, end).split("\r\n");
  const headers = {};
  for (const line of lines) {
    const at = line.indexOf(":");
    headers[line.slice(0, at).trim().toLowerCase()] = line.slice(at + 1).trim();
  }
  return { status: Number(statusLine.split(" ")[1]), statusLine, headers, body: reply.slice(end + 4) };
}

/** Asserts the reference's plain-text refusal: status, Connection: close, text/html, message. */
function assertRefusal(reply, status, message, name) {
  const r = parse(reply);
  assert.equal(r.status, status, `${name}: ${reply.slice(0, 120)}`);
  assert.equal(r.headers.connection?.toLowerCase(), "close", name);
  assert.equal(r.headers["content-type"], "text/html", name);
  assert.equal(r.headers["content-length"], String(Buffer.byteLength(message)), name);
  assert.equal(r.body, message, name);
  return r;
}

/**
 * Sends `bytes` and collects the reply until `done(buffer)` says so (then the socket is dropped)
 * or the server closes; resolves with { reply (a Buffer), closed }.
 */
function exchange(bytes, done) {
  return new Promise((resolve, reject) => {
    const sock = net.connect(portOf(URL), "127.0.0.1");
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`no complete reply (hang guard); got ${JSON.stringify(buf.toString("latin1"))}`));
    }, HANG_GUARD_MS);
    const finish = (closed) => {
      clearTimeout(timer);
      sock.destroy();
      resolve({ reply: buf, closed });
    };
    sock.on("connect", () => sock.write(bytes));
    sock.on("error", () => {});
    sock.on("close", () => finish(true));
    sock.on("data", (d) => {
      buf = Buffer.concat([buf, d]);
      if (done(buf)) finish(false);
    });
  });
}

describe("WebSocket handshake refusals", () => {
  withWitnesses();

  const KEY = "Missing or invalid Sec-WebSocket-Key header";
  const VERSION = "Missing or invalid Sec-WebSocket-Version header";
  const UPGRADE = "Invalid Upgrade header";
  const PROTOCOL = "Invalid Sec-WebSocket-Protocol header";
  // The `ws` checks, on a handshake engine.io let through.
  const wsChecks = {
    "no Sec-WebSocket-Key": [{ change: { "Sec-WebSocket-Key": null } }, KEY],
    "a key that is not 16 bytes of base64": [{ change: { "Sec-WebSocket-Key": "abc" } }, KEY],
    "a 24-character key not ending in ==": [{ change: { "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=A" } }, KEY],
    "two Sec-WebSocket-Key headers": [{ extra: [`Sec-WebSocket-Key: ${GOOD_KEY}`] }, KEY],
    "no Sec-WebSocket-Version": [{ change: { "Sec-WebSocket-Version": null } }, VERSION],
    "version 7": [{ change: { "Sec-WebSocket-Version": "7" } }, VERSION],
    "an empty version": [{ change: { "Sec-WebSocket-Version": "" } }, VERSION],
    "two Sec-WebSocket-Version headers": [{ extra: ["Sec-WebSocket-Version: 13"] }, VERSION],
    "Upgrade: foo": [{ change: { Upgrade: "foo" } }, UPGRADE],
    "Upgrade: websocket, foo": [{ change: { Upgrade: "websocket, foo" } }, UPGRADE],
    "two Upgrade headers": [{ extra: ["Upgrade: websocket"] }, UPGRADE],
    "subprotocols 'a b'": [{ change: { "Sec-WebSocket-Protocol": "a b" } }, PROTOCOL],
    "subprotocols 'a, a'": [{ change: { "Sec-WebSocket-Protocol": "a, a" } }, PROTOCOL],
    "subprotocols 'a,'": [{ change: { "Sec-WebSocket-Protocol": "a," } }, PROTOCOL],
    "an empty subprotocol list": [{ change: { "Sec-WebSocket-Protocol": "" } }, PROTOCOL],
    "subprotocol a in two headers": [{ change: { "Sec-WebSocket-Protocol": "a" }, extra: ["Sec-WebSocket-Protocol: a"] }, PROTOCOL],
    // engine.io checks EIO only after `ws` accepted the handshake.
    "EIO=3 and a bad key": [{ query: "EIO=3&transport=websocket", change: { "Sec-WebSocket-Key": "abc" } }, KEY],
    "the polling transport and a bad key": [{ query: "EIO=4&transport=polling", change: { "Sec-WebSocket-Key": "abc" } }, KEY],
  };
  for (const [name, [request, message]] of Object.entries(wsChecks)) {
    test(`an upgrade with ${name} → 400 ${JSON.stringify(message)}, connection closed`, async () => {
      const r = assertRefusal(await rawTcp(portOf(URL), handshake(request)), 400, message, name);
      if (message === VERSION) assert.equal(r.headers["sec-websocket-version"], "13, 8");
    });
  }

  // engine.io's checks come first, whatever the handshake headers say.
  const engineChecks = {
    "an unknown transport": [{ query: "EIO=4&transport=foo" }, "Transport unknown"],
    "no transport (and a bad key)": [{ query: "EIO=4", change: { "Sec-WebSocket-Key": "abc" } }, "Transport unknown"],
    "an unknown sid (and a bad key)": [
      { query: "EIO=4&transport=websocket&sid=nope", change: { "Sec-WebSocket-Key": "abc" } },
      "Session ID unknown",
    ],
    "POST without a sid": [{ method: "POST", extra: ["Content-Length: 0"] }, "Bad handshake method"],
  };
  for (const [name, [request, message]] of Object.entries(engineChecks)) {
    test(`an upgrade with ${name} → 400 ${JSON.stringify(message)}, connection closed`, async () => {
      assertRefusal(await rawTcp(portOf(URL), handshake(request)), 400, message, name);
    });
  }

  test("an upgrade for a live sid with another EIO (or none) → 400 \"Bad request\"; the session goes on", async () => {
    const { sid } = await pollingHandshake(URL, PATH);
    for (const eio of ["EIO=3&", ""]) {
      const query = `${eio}transport=websocket&sid=${sid}`;
      assertRefusal(await rawTcp(portOf(URL), handshake({ query })), 400, "Bad request", query);
    }
    const res = await fetch(`${URL}${PATH}?EIO=4&transport=polling&sid=${sid}`, { method: "POST", body: "40" });
    assert.equal(res.status, 200);
  });

  test("a non-GET upgrade for a live sid → 405 \"Invalid HTTP method\", connection closed", async () => {
    const { sid } = await pollingHandshake(URL, PATH);
    const request = { method: "POST", query: `EIO=4&transport=websocket&sid=${sid}`, extra: ["Content-Length: 0"] };
    assertRefusal(await rawTcp(portOf(URL), handshake(request)), 405, "Invalid HTTP method", "POST");
  });

  test("a WebSocket handshake with EIO=3 or none → the 400 \"Unsupported protocol version\" refusal, connection closed", async () => {
    // The reference writes it after a `101` (its EIO check follows the WebSocket checks); Volley
    // refuses before switching. Either way the refusal ends what the client gets, and no session
    // opens.
    for (const query of ["EIO=3&transport=websocket", "transport=websocket", "EIO=5&transport=websocket"]) {
      const reply = await rawTcp(portOf(URL), handshake({ query }));
      const at = reply.lastIndexOf("HTTP/1.1 400 ");
      assert.ok(at === 0 || reply.slice(0, 13) === "HTTP/1.1 101 ", `${query}: ${reply.slice(0, 80)}`);
      assertRefusal(reply.slice(at), 400, "Unsupported protocol version", query);
      assert.ok(!reply.includes('0{"sid"'), query);
    }
  });

  test("an upgrade for the polling transport is switched, then closed with a close frame", async () => {
    const { sid } = await pollingHandshake(URL, PATH);
    for (const query of ["EIO=4&transport=polling", `EIO=4&transport=polling&sid=${sid}`]) {
      const { reply } = await exchange(handshake({ query }), (buf) => {
        const end = buf.indexOf("\r\n\r\n");
        return end >= 0 && buf.length > end + 4;
      });
      const end = reply.indexOf("\r\n\r\n");
      assert.match(reply.subarray(0, end).toString(), /^HTTP\/1\.1 101 /, query);
      assert.equal(reply[end + 4], 0x88, `${query}: a close frame follows the 101`);
    }
  });

  test("allowRequest is asked about upgrade requests that open no session: its refusal is the plain 400", async () => {
    // The reference's verify asks it about every request without a sid, before the WebSocket
    // handshake turns these away (the polling transport; EIO 3).
    for (const query of ["EIO=4&transport=polling", "EIO=3&transport=websocket"]) {
      const reply = await rawTcp(portOf(URL), handshake({ query: `${query}&deny=not%20you` }));
      assertRefusal(reply, 400, "not you", query);
      assert.ok(!reply.includes("101 Switching"), query);
    }
  });

  test("without Connection: upgrade (or with an empty Upgrade) it is an ordinary request: JSON 400, connection kept", async () => {
    const next = `GET ${PATH}?EIO=4&transport=polling HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`;
    for (const change of [{ Connection: null }, { Connection: "keep-alive" }, { Upgrade: "" }, { Upgrade: null }]) {
      const name = JSON.stringify(change);
      const reply = await rawTcp(portOf(URL), handshake({ change }) + next);
      const first = parse(reply);
      assert.equal(first.status, 400, `${name}: ${reply.slice(0, 120)}`);
      assert.equal(first.headers["content-type"], "application/json", name);
      assert.ok(reply.includes('{"code":3,"message":"Bad request"}'), name);
      // The same connection then serves the next request.
      assert.match(reply.slice(12), /HTTP\/1\.1 200 [\s\S]*0\{"sid"/, name);
    }
  });

  test("handshakes the reference's ws accepts open a session (versions as numbers, Upgrade in any case, subprotocols)", async () => {
    const cases = [
      { "Sec-WebSocket-Version": "8" },
      { "Sec-WebSocket-Version": "13.0" },
      { "Sec-WebSocket-Version": "0x0D" },
      { Upgrade: "WebSocket", Connection: "keep-alive, Upgrade" },
      { "Sec-WebSocket-Protocol": "chat, superchat" },
    ];
    for (const change of cases) {
      const name = JSON.stringify(change);
      const { reply } = await exchange(handshake({ change }), (buf) => buf.includes('0{"sid"'));
      const head = parse(reply.toString("latin1"));
      assert.equal(head.status, 101, name);
      assert.equal(head.headers["sec-websocket-accept"], "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", name);
      // Without a protocol choice of its own, the reference's ws confirms the first offered.
      assert.equal(head.headers["sec-websocket-protocol"], change["Sec-WebSocket-Protocol"] && "chat", name);
    }
  });
});
