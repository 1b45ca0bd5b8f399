// Hostile input a security review would try, written byte by byte: malformed WebSocket handshakes
// and frames, oversized request heads, a POST body that never completes. Every probe gets the
// answer the reference gives, and two witness clients keep working through all of it.
import assert from "node:assert/strict";
import net from "node:net";
import { describe, test } from "node:test";
import { ENGINE_HEARTBEAT_URL, ENGINE_URL, HANG_GUARD_MS, URL } from "./lib/harness.mjs";
import { eioUrl, poll, pollingHandshake, portOf, rawTcp } from "./lib/raw.mjs";
import { withWitnesses } from "./lib/witnesses.mjs";

const PATH = "/socket.io/";
const GOOD_KEY = "dGhlIHNhbXBsZSBub25jZQ==";

/** The bytes of a WebSocket upgrade request with the given key and version (null leaves one out). */
function upgradeRequest(key, version) {
  const lines = [
    `GET ${PATH}?EIO=4&transport=websocket HTTP/1.1`,
    "Host: 127.0.0.1",
    "Upgrade: websocket",
    "Connection: Upgrade",
  ];
  if (key !== null) lines.push(`Sec-WebSocket-Key: ${key}`);
  if (version !== null) lines.push(`Sec-WebSocket-Version: ${version}`);
  return lines.join("\r\n") + "\r\n\r\n";
}

/** A masked client frame. */
function frame(opcode, payload) {
  const mask = Buffer.from([0x11, 0x22, 0x33, 0x44]);
  const masked = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]));
  return Buffer.concat([Buffer.from([0x80 | opcode, 0x80 | payload.length]), mask, masked]);
}

/**
 * Opens a WebSocket over a plain socket, sends `frames` once the server answered 101, and resolves
 * with the code of the close frame the server sends (null if it closes without one).
 */
function closeCodeAfter(frames) {
  return new Promise((resolve, reject) => {
    const sock = net.connect(portOf(URL), "127.0.0.1");
    let buf = Buffer.alloc(0);
    let upgraded = false;
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error("no close from the server (hang guard)"));
    }, HANG_GUARD_MS);
    const finish = (code) => {
      clearTimeout(timer);
      sock.destroy();
      resolve(code);
    };
    sock.on("connect", () => sock.write(upgradeRequest(GOOD_KEY, "13")));
    sock.on("error", () => {});
    sock.on("close", () => finish(null));
    sock.on("data", (data) => {
      buf = Buffer.concat([buf, data]);
      if (!upgraded) {
        const end = buf.indexOf("\r\n\r\n");
        if (end < 0) return;
        assert.match(buf.subarray(0, end).toString(), /^HTTP\/1\.1 101 /);
        buf = buf.subarray(end + 4);
        upgraded = true;
        frames.forEach((f) => sock.write(f));
      }
      // Server frames are unmasked and short here (open packet, pings, close).
      while (buf.length >= 2) {
        const len = buf[1] & 0x7f;
        const at = len === 126 ? 4 : 2;
        const size = len === 126 ? buf.readUInt16BE(2) : len;
        if (buf.length < at + size) return;
        const [opcode, payload] = [buf[0] & 0x0f, buf.subarray(at, at + size)];
        buf = buf.subarray(at + size);
        if (opcode === 0x8) return finish(payload.length >= 2 ? payload.readUInt16BE(0) : null);
      }
    });
  });
}

const statusOf = (reply) => Number(reply.split(" ")[1]);

/** The body of a raw HTTP/1.1 reply (a chunked one decoded, as far as these probes need). */
function bodyOf(reply) {
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

/** A raw POST request for `sid` on the Engine.IO server, with `extra` headers and `body`. */
function rawPost(sid, contentLength, body, extra = "") {
  const target = new globalThis.URL(eioUrl(ENGINE_URL, "/engine.io/", { transport: "polling", sid }));
  return (
    `POST ${target.pathname}${target.search} HTTP/1.1\r\nHost: x\r\n` +
    `Content-Type: text/plain;charset=UTF-8\r\nContent-Length: ${contentLength}\r\n${extra}\r\n${body}`
  );
}

describe("hostile input", () => {
  withWitnesses();

  const badHandshakes = {
    "no Sec-WebSocket-Key": [null, "13"],
    "a key that is not 16 bytes of base64": ["abc", "13"],
    "no Sec-WebSocket-Version": [GOOD_KEY, null],
    "version 7": [GOOD_KEY, "7"],
  };
  for (const [name, [key, version]] of Object.entries(badHandshakes)) {
    test(`a WebSocket handshake with ${name} → 400`, async () => {
      const reply = await rawTcp(portOf(URL), upgradeRequest(key, version).replace("Connection: Upgrade", "Connection: Upgrade, close"));
      assert.equal(statusOf(reply), 400, reply.slice(0, 80));
    });
  }

  test("a 300 KB header → 431", async () => {
    const reply = await rawTcp(
      portOf(URL),
      `GET ${PATH}?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\nX-Pad: ${"a".repeat(300_000)}\r\nConnection: close\r\n\r\n`,
    );
    assert.equal(statusOf(reply), 431, reply.slice(0, 80));
  });

  test("invalid UTF-8 in a text frame closes with 1007", async () => {
    assert.equal(await closeCodeAfter([frame(0x1, [0x34, 0xff, 0xfe])]), 1007);
  });

  test("a close frame with a reserved code is answered with 1002", async () => {
    assert.equal(await closeCodeAfter([frame(0x8, [0x03, 0xe7])]), 1002);
  });

  test("a client's close frame is answered with a close frame", async () => {
    assert.equal(await closeCodeAfter([frame(0x8, [0x03, 0xe8])]), 1000);
  });

  test("a POST body that never completes is ended by the heartbeat budget", async () => {
    const { sid } = await pollingHandshake(ENGINE_HEARTBEAT_URL, "/engine.io/");
    // Announces 1000 bytes, sends 2: the reference drops the request with its session (no pong
    // can arrive while it is in flight); Volley ends it with its session too (400), or answers
    // 408 once pingInterval + pingTimeout have passed.
    const reply = await rawTcp(
      portOf(ENGINE_HEARTBEAT_URL),
      `POST /engine.io/?EIO=4&transport=polling&sid=${sid} HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n4a`,
    );
    assert.ok(reply === "" || /^HTTP\/1\.1 4\d\d /.test(reply), reply.slice(0, 80));
  });

  test("a second POST while the first one's body is still arriving → bare 400, session closed", async () => {
    const { sid } = await pollingHandshake(ENGINE_URL, "/engine.io/");
    const port = portOf(ENGINE_URL);
    // The first POST announces 10 bytes and sends 3: it stays in flight.
    const first = rawTcp(port, rawPost(sid, 10, "4he"));
    // Until the server has read the first head, a second POST is an ordinary one (200 ok).
    let second;
    for (let attempt = 1; attempt <= 20; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
      second = await rawTcp(port, rawPost(sid, 2, "4x", "Connection: close\r\n"));
      if (statusOf(second) !== 200) break;
    }
    assert.equal(statusOf(second), 400, second.slice(0, 80));
    assert.equal(bodyOf(second), "", "the reference's 400 has no body");
    assert.doesNotMatch(second.split("\r\n\r\n")[0], /^content-type:/im);
    // The first request ends with the session: the reference drops its connection, Volley
    // answers it (400) and closes.
    const ended = await first;
    assert.ok(ended === "" || statusOf(ended) === 400, ended.slice(0, 80));
    const later = await poll(ENGINE_URL, "/engine.io/", sid);
    assert.deepEqual([later.status, later.text], [400, '{"code":1,"message":"Session ID unknown"}']);
  });

  test("two GETs at once → one gets a bare 400, the other the close packet; session closed", async () => {
    const { sid } = await pollingHandshake(ENGINE_URL, "/engine.io/");
    const target = new globalThis.URL(eioUrl(ENGINE_URL, "/engine.io/", { transport: "polling", sid }));
    const get = `GET ${target.pathname}${target.search} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`;
    const first = rawTcp(portOf(ENGINE_URL), get);
    await new Promise((resolve) => setTimeout(resolve, 50));
    // Whichever the server sees second is the overlapping one.
    const replies = await Promise.all([first, rawTcp(portOf(ENGINE_URL), get)]);
    const refused = replies.find((r) => statusOf(r) === 400);
    const released = replies.find((r) => statusOf(r) === 200);
    assert.ok(refused && released, replies.map((r) => r.slice(0, 40)).join(" | "));
    assert.equal(bodyOf(refused), "", "the reference's 400 has no body");
    assert.equal(bodyOf(released), "1");
    const later = await poll(ENGINE_URL, "/engine.io/", sid);
    assert.deepEqual([later.status, later.text], [400, '{"code":1,"message":"Session ID unknown"}']);
  });
});
