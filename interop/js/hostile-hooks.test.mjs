// The newest ways in, probed as a hostile client would, byte by byte: the allowRequest hook
// (the fixture refuses with the message its query names, or decides 20 ms later), the headers
// hooks (the fixture echoes the request's Cookie as `x-cookie`) and the CONNECT auth that
// connection state recovery reads (`pid`, `offset`). Every probe gets the answer the reference
// gives; nothing invalid reaches the wire; two witness clients keep working through all of it.
import assert from "node:assert/strict";
import net from "node:net";
import { describe, test } from "node:test";
import { RECOVERY_URL, URL } from "./lib/harness.mjs";
import { RawWs, bodyOf, eioUrl, pollingHandshake, portOf, rawTcp } from "./lib/raw.mjs";
import { withWitnesses } from "./lib/witnesses.mjs";

const PATH = "/socket.io/";
const UPGRADE =
  "Upgrade: websocket\r\nConnection: Upgrade\r\n" +
  "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n";
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A raw handshake GET with `query` (raw, appended) and `headers` (raw lines); the reply text. */
function handshake(query, { websocket = false, headers = "" } = {}) {
  const transport = websocket ? "websocket" : "polling";
  const upgrade = websocket ? UPGRADE : "Connection: close\r\n";
  const head = `GET ${PATH}?EIO=4&transport=${transport}${query} HTTP/1.1\r\nHost: x\r\n${upgrade}${headers}\r\n`;
  return rawTcp(portOf(URL), Buffer.from(head, "latin1"));
}

const statusOf = (reply) => Number(reply.split(" ")[1]);
/** The reply's body, its bytes read as UTF-8. */
const utf8Body = (reply) => Buffer.from(bodyOf(reply), "latin1").toString("utf8");
/** The header lines of a reply. */
const headLines = (reply) => reply.split("\r\n\r\n")[0].split("\r\n").slice(1);

describe("allowRequest, probed raw", () => {
  withWitnesses();

  const messages = {
    "a NUL": "%00",
    "quotes and backslashes": "%22%5c",
    "CR LF": "a%0d%0aX-Evil:%201",
    "bytes that are not UTF-8": "%FF%FE",
    "an encoded surrogate": "%ED%A0%80",
    "an emoji": "%F0%9F%98%80",
    "a broken escape": "%ZZ",
    "6000 characters": "x".repeat(6000),
  };
  for (const [what, raw] of Object.entries(messages)) {
    test(`a refusal message with ${what} is sent JSON-escaped, in the body only`, async () => {
      const expected = new URLSearchParams(`deny=${raw}`).get("deny");
      for (const key of ["deny", "deny-later"]) {
        const reply = await handshake(`&${key}=${raw}`);
        assert.equal(statusOf(reply), 403, reply.slice(0, 80));
        assert.deepEqual(JSON.parse(utf8Body(reply)), { code: 4, message: expected }, key);
        assert.ok(!headLines(reply).some((l) => /^x-evil/i.test(l)), key);
      }
    });
  }

  test("an empty refusal message is the default one, Forbidden", async () => {
    for (const key of ["deny", "deny-later"]) {
      const polling = await handshake(`&${key}=`);
      assert.equal(statusOf(polling), 403, key);
      assert.deepEqual(JSON.parse(bodyOf(polling)), { code: 4, message: "Forbidden" }, key);
    }
    const websocket = await handshake("&deny=", { websocket: true });
    assert.equal(statusOf(websocket), 400, websocket.slice(0, 80));
    assert.equal(bodyOf(websocket), "Forbidden");
  });

  test("hundreds of handshakes that leave while their verdict is pending leave nothing behind", async () => {
    for (const websocket of [false, true]) {
      const sockets = [];
      for (let i = 0; i < 300; i++) {
        const sock = net.connect(portOf(URL), "127.0.0.1");
        sock.on("error", () => {});
        const upgrade = websocket ? UPGRADE : "";
        const transport = websocket ? "websocket" : "polling";
        sock.on("connect", () =>
          sock.write(`GET ${PATH}?EIO=4&transport=${transport}&allow-later=1 HTTP/1.1\r\nHost: x\r\n${upgrade}\r\n`),
        );
        sockets.push(sock);
      }
      await sleep(5);
      sockets.forEach((s) => s.destroy());
    }
    // The verdicts come 20 ms later, for clients that are gone.
    await sleep(200);
    const later = await handshake("&allow-later=1");
    assert.equal(statusOf(later), 200, later.slice(0, 80));
    assert.match(bodyOf(later), /^0\{"sid":/);
    await pollingHandshake(URL, PATH);
  });
});

describe("headers hooks, probed raw", () => {
  withWitnesses();

  /** No header line of `reply` carries a control character other than a tab. */
  function assertCleanHead(reply, what) {
    for (const line of headLines(reply)) {
      assert.doesNotMatch(line, /[\x00-\x08\x0a-\x1f\x7f]/, `${what}: ${JSON.stringify(line)}`);
      assert.doesNotMatch(line, /^x-evil/i, what);
    }
  }

  const hostile = {
    "a bare CR": "a=1\rX-Evil: 1",
    "a NUL": "a=\x00b",
    "an obsolete line folding": "a=1\r\n X-Evil: 2",
    "control bytes": "a=\x01\x7f",
  };
  for (const [what, cookie] of Object.entries(hostile)) {
    test(`a Cookie with ${what} is refused (400), never echoed`, async () => {
      for (const websocket of [false, true]) {
        const reply = await handshake("", { websocket, headers: `Cookie: ${cookie}\r\nConnection: close\r\n` });
        assert.equal(statusOf(reply), 400, `${what}: ${reply.slice(0, 80)}`);
        assertCleanHead(reply, what);
      }
    });
  }

  test("a Cookie with bytes past ASCII is echoed without a control character", async () => {
    for (const cookie of ["a=\xe9", Buffer.from("a=é€😀").toString("latin1")]) {
      const reply = await handshake("", { headers: `Cookie: ${cookie}\r\n` });
      assert.equal(statusOf(reply), 200, reply.slice(0, 80));
      assertCleanHead(reply, JSON.stringify(cookie));
      assert.ok(headLines(reply).some((l) => /^x-cookie: a=./i.test(l)), reply.slice(0, 300));
    }
  });

  test("a long Cookie is echoed whole", async () => {
    const cookie = `a=${"x".repeat(8000)}`;
    const reply = await handshake("", { headers: `Cookie: ${cookie}\r\n` });
    assert.equal(statusOf(reply), 200, reply.slice(0, 80));
    assert.ok(headLines(reply).some((l) => l.toLowerCase() === `x-cookie: ${cookie}`));
  });

  test("several Cookie headers are echoed as one, joined with '; '", async () => {
    const reply = await handshake("", { headers: "Cookie: a=1\r\nCookie: b=2\r\n" });
    assert.equal(statusOf(reply), 200, reply.slice(0, 80));
    const echoed = headLines(reply).filter((l) => /^x-cookie:/i.test(l));
    assert.deepEqual(echoed.map((l) => l.slice(l.indexOf(":") + 2)), ["a=1; b=2"]);
  });
});

/** A raw WebSocket on the recovery server that sent CONNECT with `auth` (raw JSON text). */
async function joined(auth) {
  const ws = new RawWs(eioUrl(RECOVERY_URL, PATH, { transport: "websocket" }));
  await ws.opened;
  await ws.next();
  ws.send(`40${auth}`);
  return ws;
}

/** The next message that is not an event (the CONNECT answer), skipping events. */
async function connectAnswer(ws) {
  for (;;) {
    const msg = await ws.nextNonPing();
    if (!msg.startsWith("42")) return msg;
  }
}

describe("connection state recovery auth, probed raw", () => {
  test("a pid or offset of the wrong type, huge, unknown or another live client's gets a fresh socket", async () => {
    const live = await joined("");
    const answer = await connectAnswer(live);
    const { sid, pid } = JSON.parse(answer.slice(2));
    // The offset of the `auth` event the live client got.
    const auth = JSON.parse((await live.nextNonPing()).slice(2));
    const offset = auth[auth.length - 1];
    const probes = {
      numbers: { pid: 1, offset: 2 },
      containers: { pid: {}, offset: [] },
      nulls: { pid: null, offset: null },
      unknown: { pid: "nope", offset: "nope" },
      huge: { pid: "p".repeat(200_000), offset: "o".repeat(200_000) },
      "the live client's pid alone": { pid },
      "the live client's pid and offset": { pid, offset },
    };
    try {
      for (const [what, probe] of Object.entries(probes)) {
        const ws = await joined(JSON.stringify(probe));
        try {
          const fresh = await connectAnswer(ws);
          assert.match(fresh, /^40\{"sid":"[^"]+","pid":"[^"]+"\}$/, what);
          const got = JSON.parse(fresh.slice(2));
          assert.notEqual(got.sid, sid, what);
          assert.notEqual(got.pid, pid, what);
        } finally {
          ws.close();
        }
      }
      // The live client keeps its socket and its messages.
      live.send('42["message","still here"]');
      let back;
      do back = JSON.parse((await live.nextNonPing()).slice(2));
      while (back[0] !== "message-back");
      assert.deepEqual(back.slice(0, 2), ["message-back", "still here"]);
    } finally {
      live.close();
    }
  });

  test("a CONNECT auth that is not an object closes the connection", async () => {
    for (const auth of ['"x"', "[1]", "null"]) {
      const ws = await joined(auth);
      await ws.waitClosed();
    }
  });
});
