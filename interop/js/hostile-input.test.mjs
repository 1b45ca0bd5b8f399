// Hostile input a security review would try, written byte by byte: malformed WebSocket handshakes
// and frames, oversized request heads, a POST body that never completes. Every probe gets the
// answer the reference gives, and two witness clients keep working through all of it.
import assert from "node:assert/strict";
import net from "node:net";
import { describe, test } from "node:test";
import { ENGINE_HEARTBEAT_URL, ENGINE_URL, HANG_GUARD_MS, URL } from "./lib/harness.mjs";
import { bodyOf, eioUrl, joinedRawWs, poll, pollingHandshake, portOf, post, rawTcp, request } from "./lib/raw.mjs";
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

  // Refused WebSocket handshakes: ws-handshake.test.mjs.

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

/**
 * A WebSocket over a plain socket to `base` + `path` that can send any bytes: `frames` collects
 * every server frame ({ opcode, payload }); `ended` resolves once the server closed the socket.
 */
class RawFrames {
  constructor(base, path) {
    this.frames = [];
    this.waiters = [];
    this.buf = Buffer.alloc(0);
    this.sock = net.connect(portOf(base), "127.0.0.1");
    this.sock.on("error", () => {});
    this.ended = new Promise((resolve) => this.sock.on("close", resolve));
    this.upgraded = new Promise((resolve, reject) => {
      let head = true;
      this.sock.on("data", (data) => {
        this.buf = Buffer.concat([this.buf, data]);
        if (head) {
          const end = this.buf.indexOf("\r\n\r\n");
          if (end < 0) return;
          const status = this.buf.subarray(0, end).toString();
          if (!/^HTTP\/1\.1 101 /.test(status)) return reject(new Error(status.slice(0, 80)));
          this.buf = this.buf.subarray(end + 4);
          head = false;
          resolve();
        }
        this.parse();
      });
    });
    this.sock.on("connect", () =>
      this.sock.write(upgradeRequest(GOOD_KEY, "13").replace(`GET ${PATH}`, `GET ${path}`)),
    );
  }

  parse() {
    while (this.buf.length >= 2) {
      const len = this.buf[1] & 0x7f;
      const at = len === 126 ? 4 : len === 127 ? 10 : 2;
      if (this.buf.length < at) return;
      const size = len === 126 ? this.buf.readUInt16BE(2) : len === 127 ? Number(this.buf.readBigUInt64BE(2)) : len;
      if (this.buf.length < at + size) return;
      this.frames.push({ opcode: this.buf[0] & 0x0f, payload: this.buf.subarray(at, at + size) });
      this.buf = this.buf.subarray(at + size);
      this.waiters.forEach((w) => w());
    }
  }

  /** The next text frame (skipping pings `2`), hang-guarded. */
  async nextText() {
    const guard = Date.now() + HANG_GUARD_MS;
    for (;;) {
      const at = this.frames.findIndex((f) => f.opcode === 0x1 && f.payload.toString() !== "2");
      if (at >= 0) return this.frames.splice(0, at + 1).pop().payload.toString();
      if (Date.now() > guard) throw new Error("no text frame (hang guard)");
      await new Promise((resolve) => {
        this.waiters = [resolve];
        setTimeout(resolve, 100);
      });
    }
  }

  write(bytes) {
    this.sock.write(bytes);
  }

  /**
   * Resolves with the code of the server's close frame (null: a close frame without a code, or
   * the socket ended without one), once either arrived.
   */
  async closeCode() {
    const guard = Date.now() + HANG_GUARD_MS;
    let ended = false;
    this.ended.then(() => (ended = true));
    for (;;) {
      const close = this.frames.find((f) => f.opcode === 0x8);
      if (close) return close.payload.length >= 2 ? close.payload.readUInt16BE(0) : null;
      if (ended) return null;
      if (Date.now() > guard) throw new Error("not closed (hang guard)");
      await new Promise((resolve) => {
        this.waiters = [resolve];
        setTimeout(resolve, 100);
      });
    }
  }

  destroy() {
    this.sock.destroy();
  }
}

/** A masked client frame of any size, with `first` as its first byte (FIN, RSV, opcode). */
function bigFrame(first, payload) {
  const mask = Buffer.from([0x5a, 0x01, 0xc3, 0x7e]);
  const len = payload.length;
  const head = len < 126 ? Buffer.from([first, 0x80 | len]) : Buffer.from([first, 0x80 | 126, len >> 8, len & 0xff]);
  return Buffer.concat([head, mask, Buffer.from(payload.map((b, i) => b ^ mask[i % 4]))]);
}

/** Opens a raw WebSocket session on the Engine.IO echo server and reads its open packet. */
async function engineFrames() {
  const ws = new RawFrames(ENGINE_URL, "/engine.io/?EIO=4&transport=websocket");
  await ws.upgraded;
  assert.match(await ws.nextText(), /^0\{"sid":/);
  return ws;
}

describe("hostile input: frames, heartbeats, queries", () => {
  withWitnesses();

  test("a frame header announcing 2^63-1 bytes, with no body, closes with 1009", async () => {
    const ws = await engineFrames();
    try {
      const head = Buffer.alloc(14);
      head[0] = 0x81;
      head[1] = 0x80 | 127;
      head.writeBigUInt64BE(2n ** 63n - 1n, 2);
      ws.write(head);
      assert.equal(await ws.closeCode(), 1009);
    } finally {
      ws.destroy();
    }
  });

  test("a message in 5,000 fragments (under maxPayload) is delivered whole", async () => {
    const ws = await engineFrames();
    try {
      const text = `4${"f".repeat(4999)}`;
      const bytes = [...Buffer.from(text)];
      const parts = [bigFrame(0x01, bytes.slice(0, 1))];
      for (let i = 1; i < bytes.length - 1; i++) parts.push(bigFrame(0x00, bytes.slice(i, i + 1)));
      parts.push(bigFrame(0x89, [...Buffer.from("mid")])); // a ping between fragments
      parts.push(bigFrame(0x80, bytes.slice(-1)));
      ws.write(Buffer.concat(parts));
      assert.equal(await ws.nextText(), text);
    } finally {
      ws.destroy();
    }
  });

  const framingErrors = {
    "a reserved bit set (RSV1)": [bigFrame(0xc1, [0x34, 0x78])],
    "a reserved opcode": [bigFrame(0x83, [0x34, 0x78])],
    "a continuation with nothing to continue": [bigFrame(0x80, [0x34, 0x78])],
    "a new text frame inside a fragmented message": [bigFrame(0x01, [0x34]), bigFrame(0x81, [0x34])],
    "a fragmented ping": [bigFrame(0x09, [0x70])],
    "a close frame of one byte": [bigFrame(0x88, [0x03])],
  };
  for (const [name, frames] of Object.entries(framingErrors)) {
    test(`a frame breaking RFC 6455 (${name}) closes with 1002`, async () => {
      const ws = await engineFrames();
      try {
        frames.forEach((f) => ws.write(f));
        assert.equal(await ws.closeCode(), 1002);
      } finally {
        ws.destroy();
      }
    });
  }

  test("an Engine.IO ping from a v4 client over WebSocket closes that session", async () => {
    const ws = await engineFrames();
    try {
      ws.write(bigFrame(0x81, [0x32]));
      await ws.closeCode();
      assert.deepEqual(ws.frames.filter((f) => f.opcode === 0x1).map((f) => f.payload.toString()), []);
    } finally {
      ws.destroy();
    }
  });

  test("an Engine.IO ping from a v4 client over polling closes that session", async () => {
    const { sid } = await pollingHandshake(ENGINE_URL, "/engine.io/");
    const parked = poll(ENGINE_URL, "/engine.io/", sid);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal((await post(ENGINE_URL, "/engine.io/", sid, "2")).status, 200);
    const got = await parked;
    assert.deepEqual([got.status, got.text], [200, "1"]);
    const later = await poll(ENGINE_URL, "/engine.io/", sid);
    assert.deepEqual([later.status, later.text], [400, '{"code":1,"message":"Session ID unknown"}']);
  });

  test("percent-encoded query values are decoded; invalid escapes stay literal", async () => {
    const encoded = await request(`${URL}${PATH}?EIO=%34&%74ransport=%70olling`);
    assert.equal(encoded.status, 200, encoded.text);
    assert.match(encoded.text, /^0\{"sid":/);
    for (const [query, code] of [
      ["EIO=4%&transport=polling", 5],
      ["EIO=%zz&transport=polling", 5],
      ["EIO=4&transport=polling%00", 0],
      ["EIO=4&transport=polling&sid=%zz%", 1],
      ["EIO=4&transport=polling&sid=%E2%82", 1],
    ]) {
      const res = await request(`${URL}${PATH}?${query}`);
      assert.equal(res.status, 400, query);
      assert.equal(JSON.parse(res.text).code, code, query);
    }
  });

  test("1,500 query parameters before EIO and transport: a normal handshake", async () => {
    const pad = Array.from({ length: 1500 }, (_, i) => `p${i % 10}=${i}`).join("&");
    const res = await request(`${URL}${PATH}?${pad}&EIO=4&transport=polling&EIO=4`);
    assert.equal(res.status, 200, res.text.slice(0, 80));
    assert.match(res.text, /^0\{"sid":/);
  });

  test("a session's sid works from any connection (the sid, not the socket, is the session)", async () => {
    const { sid } = await pollingHandshake(URL, PATH);
    const target = `${PATH}?EIO=4&transport=polling&sid=${sid}`;
    // Each request on a new TCP connection.
    const posted = await rawTcp(portOf(URL), `POST ${target} HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\n40`);
    assert.equal(statusOf(posted), 200, posted.slice(0, 80));
    const got = await rawTcp(portOf(URL), `GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    assert.match(bodyOf(got), /^40\{"sid":/);
    await post(URL, PATH, sid, "1");
  });

  test("a Content-Length shorter than the body: the rest is refused, the session goes on", async () => {
    const { sid } = await pollingHandshake(ENGINE_URL, "/engine.io/");
    const reply = await rawTcp(portOf(ENGINE_URL), rawPost(sid, 2, "4a GARBAGE / NOT HTTP\r\n\r\n"));
    // The connection ends (rawTcp resolved). Volley answers the POST (200) and drops the rest
    // (400, or just the close); the reference may refuse the rest (400) before it answers.
    const statuses = [...reply.matchAll(/^HTTP\/1\.1 (\d+)/gm)].map((m) => Number(m[1]));
    assert.ok(statuses.every((s) => s === 200 || s === 400), reply.slice(0, 120));
    // The two body bytes were the session's: their echo is waiting for it.
    const got = await poll(ENGINE_URL, "/engine.io/", sid);
    assert.deepEqual([got.status, got.text], [200, "4a"]);
    await post(ENGINE_URL, "/engine.io/", sid, "1");
  });

  // Request framing a smuggler or a broken proxy would send, on a POST to a live session.
  const framing = {
    "a chunk size past 2^64": ["Transfer-Encoding: chunked\r\n", "FFFFFFFFFFFFFFFFFFFF\r\n4a"],
    "a 1 MB chunk extension": ["Transfer-Encoding: chunked\r\n", `2;${"e".repeat(1 << 20)}\r\n4a\r\n0\r\n\r\n`],
    "two different Content-Lengths": ["Content-Length: 3\r\n", "4ab"],
    "a transfer coding other than chunked": ["Transfer-Encoding: gzip\r\n", "4a"],
    "a NUL byte in a header value": ["X-A: a\u0000b\r\n", "4a"],
  };
  for (const [name, [header, body]] of Object.entries(framing)) {
    test(`a POST with ${name} → 400 and its connection closed`, async () => {
      const { sid } = await pollingHandshake(ENGINE_URL, "/engine.io/");
      const target = `/engine.io/?EIO=4&transport=polling&sid=${sid}`;
      const length = name.startsWith("two") ? "Content-Length: 2\r\n" : "";
      const reply = await rawTcp(
        portOf(ENGINE_URL),
        Buffer.from(`POST ${target} HTTP/1.1\r\nHost: x\r\n${length}${header}\r\n${body}`, "latin1"),
      );
      // Node's parser refuses the 1 MB extension as too large (413).
      assert.ok([400, 413].includes(statusOf(reply)), reply.slice(0, 80));
    });
  }

  test("a POST with both Content-Length and chunked: the chunked body counts", async () => {
    const { sid } = await pollingHandshake(ENGINE_URL, "/engine.io/");
    const target = `/engine.io/?EIO=4&transport=polling&sid=${sid}`;
    const reply = await rawTcp(
      portOf(ENGINE_URL),
      `POST ${target} HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n2\r\n4a\r\n0\r\n\r\n`,
    );
    // Node refuses the ambiguity (400); Volley (hyper) reads the chunked body, as RFC 9112
    // §6.3 allows, and closes the connection after answering.
    if (statusOf(reply) === 200) {
      assert.equal(bodyOf(reply), "ok");
      const got = await poll(ENGINE_URL, "/engine.io/", sid);
      assert.deepEqual([got.status, got.text], [200, "4a"]);
    } else {
      assert.equal(statusOf(reply), 400, reply.slice(0, 80));
    }
  });

  test("a POST announcing 5 MB with Expect: 100-continue → 413, the session stays open", async () => {
    const { sid } = await pollingHandshake(ENGINE_URL, "/engine.io/");
    const target = `/engine.io/?EIO=4&transport=polling&sid=${sid}`;
    // Volley answers 413 at once; Node asks for the body (100 Continue) and refuses it then.
    const reply = await new Promise((resolve, reject) => {
      const sock = net.connect(portOf(ENGINE_URL), "127.0.0.1");
      let text = "";
      const timer = setTimeout(() => reject(new Error(`no answer (hang guard): ${text.slice(0, 80)}`)), HANG_GUARD_MS);
      sock.on("error", () => {});
      sock.on("connect", () =>
        sock.write(`POST ${target} HTTP/1.1\r\nHost: x\r\nContent-Length: 5000000\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n`),
      );
      sock.on("data", (d) => {
        text += d.toString("latin1");
        if (/^HTTP\/1\.1 100 /.test(text) && !sock.sentBody) {
          sock.sentBody = true;
          sock.write("4".repeat(5_000_000));
        }
      });
      sock.on("close", () => {
        clearTimeout(timer);
        resolve(text.replace(/^HTTP\/1\.1 100 [^\r]*\r\n\r\n/, ""));
      });
    });
    assert.equal(statusOf(reply), 413, reply.slice(0, 80));
    assert.equal((await post(ENGINE_URL, "/engine.io/", sid, "4b")).text, "ok");
    assert.equal((await poll(ENGINE_URL, "/engine.io/", sid)).text, "4b");
  });

  test("an HTTP/2 preface on the HTTP/1.1 port is closed, with a 4xx at most", async () => {
    const reply = await rawTcp(portOf(URL), "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
    assert.ok(reply === "" || /^HTTP\/1\.1 4\d\d /.test(reply), reply.slice(0, 80));
  });

  test("a POST body sent as application/octet-stream (v3's binary polling) → bare 400, session closed", async () => {
    const { sid } = await pollingHandshake(ENGINE_URL, "/engine.io/");
    const res = await request(eioUrl(ENGINE_URL, "/engine.io/", { transport: "polling", sid }), {
      method: "POST",
      body: "4abc",
      headers: { "content-type": "application/octet-stream" },
    });
    assert.deepEqual([res.status, res.text], [400, ""]);
    const later = await poll(ENGINE_URL, "/engine.io/", sid);
    assert.deepEqual([later.status, later.text], [400, '{"code":1,"message":"Session ID unknown"}']);
  });

  test("invalid UTF-8 in a POST body is replaced (U+FFFD), as Node decodes it", async () => {
    const { sid } = await pollingHandshake(ENGINE_URL, "/engine.io/");
    const res = await request(eioUrl(ENGINE_URL, "/engine.io/", { transport: "polling", sid }), {
      method: "POST",
      body: Buffer.from([0x34, 0xff, 0xfe, 0x41]),
      headers: { "content-type": "text/plain;charset=UTF-8" },
    });
    assert.deepEqual([res.status, res.text], [200, "ok"]);
    const got = await poll(ENGINE_URL, "/engine.io/", sid);
    assert.deepEqual([got.status, got.text], [200, "4\ufffd\ufffdA"]);
    await post(ENGINE_URL, "/engine.io/", sid, "1");
  });

  test("500 pipelined requests on one keep-alive connection are answered in order", async () => {
    const one = `GET ${PATH}?EIO=4&transport=carrier-pigeon HTTP/1.1\r\nHost: x\r\n\r\n`;
    const last = `GET ${PATH}?EIO=5&transport=polling HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`;
    const reply = await rawTcp(portOf(URL), one.repeat(500) + last);
    const codes = [...reply.matchAll(/\{"code":(\d)/g)].map((m) => Number(m[1]));
    assert.equal(codes.length, 501);
    assert.deepEqual(codes.slice(-2), [0, 5]);
    assert.ok(codes.slice(0, 500).every((c) => c === 0));
  });

  test("namespaces with unicode and control characters are refused as unknown, the session stays", async () => {
    const ws = await joinedRawWs(URL);
    try {
      for (const nsp of ["/ü✓", "/a\u0000b", "/\u0007\u001b[2J", `/${"n".repeat(10_000)}`]) {
        ws.send(`40${nsp},`);
        assert.equal(await ws.nextNonPing(), `44${nsp},{"message":"Invalid namespace"}`);
      }
      ws.send('42["message","still here"]');
      assert.equal(await ws.nextNonPing(), '42["message-back","still here"]');
    } finally {
      ws.close();
    }
  });

  test("ack ids up to 2^53 - 1 (and with leading zeros) are answered with the same number", async () => {
    const ws = await joinedRawWs(URL);
    try {
      for (const [id, back] of [["9007199254740991", "9007199254740991"], ["000012", "12"], ["0", "0"]]) {
        ws.send(`42${id}["message-with-ack","${id}"]`);
        assert.equal(await ws.nextNonPing(), `43${back}["${id}"]`);
      }
    } finally {
      ws.close();
    }
  });

  test("900 KB of JSON whitespace (under maxPayload) around an event's arguments is an ordinary event", async () => {
    const ws = await joinedRawWs(URL);
    try {
      const space = " \n\t\r".repeat(45_000);
      // Not before the array: the reference reads whitespace there as an ack id (of 0).
      ws.send(`42[${space}"message"${space},${space}"spaced"${space}]${space}`);
      assert.equal(await ws.nextNonPing(), '42["message-back","spaced"]');
    } finally {
      ws.close();
    }
  });
});
