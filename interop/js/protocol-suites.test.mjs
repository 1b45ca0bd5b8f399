// The cases of the official protocol test suites (socketio/engine.io-protocol and
// socketio/socket.io-protocol, test-suite/test-suite.js) that the other suites here do not already
// pin down on the wire, written for this harness. Each test names the suite case it stands for;
// the heartbeat cases run against the servers with the suites' 300/200 ms timing.
//
// The Engine.IO cases run against both servers: the raw Engine.IO one (/engine.io/, which echoes)
// and the Socket.IO one (/socket.io/), as the Socket.IO suite repeats them there.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ENGINE_HEARTBEAT_URL, ENGINE_URL, HEARTBEAT_URL, URL, withoutStalls } from "./lib/harness.mjs";
import { RawWs, eioUrl, joinedRawWs, packets, poll, pollingHandshake, post, request } from "./lib/raw.mjs";

const PING_INTERVAL_MS = 300;
const PING_TIMEOUT_MS = 200;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A WebSocket request that must not open a session: Volley refuses it with HTTP 400 before the
 * upgrade; the reference refuses a bad transport so too, but upgrades a bad EIO first and then
 * writes its 400 into the upgraded stream and drops the connection. Either way no open packet.
 */
async function assertNoWsSession(url) {
  const ws = new RawWs(url);
  try {
    const upgraded = await ws.opened.then(
      () => true,
      (err) => (assert.match(err.message, /HTTP 400/), false),
    );
    if (upgraded) {
      await ws.waitClosed();
      assert.deepEqual(ws.queue, [], "no Engine.IO packet on a refused WebSocket");
    }
  } finally {
    ws.close();
  }
}

/** A WebSocket that the server upgrades for polling session `sid` and probes (2probe → 3probe). */
async function probed(base, path, sid) {
  const ws = new RawWs(eioUrl(base, path, { transport: "websocket", sid }));
  await ws.opened;
  ws.send("2probe");
  assert.equal(await ws.next(), "3probe");
  return ws;
}

const SERVERS = [
  { name: "engine.io", path: "/engine.io/", url: ENGINE_URL, heartbeat: ENGINE_HEARTBEAT_URL, echo: true },
  { name: "socket.io", path: "/socket.io/", url: URL, heartbeat: HEARTBEAT_URL, echo: false },
];

for (const { name, path, url, heartbeat, echo } of SERVERS) {
  describe(`Engine.IO protocol suite (${name} server)`, () => {
    test("handshake: a PUT without sid is a bad handshake method, like a POST", async () => {
      const res = await request(eioUrl(url, path, { transport: "polling" }), { method: "PUT", body: "" });
      assert.equal(res.status, 400);
      assert.deepEqual(JSON.parse(res.text), { code: 2, message: "Bad handshake method" });
    });

    test("handshake: a WebSocket with a missing or invalid EIO is refused", async () => {
      await assertNoWsSession(eioUrl(url, path, { EIO: null, transport: "websocket" }));
      await assertNoWsSession(eioUrl(url, path, { EIO: "abc", transport: "websocket" }));
    });

    test("handshake: a WebSocket with a missing or unknown transport is refused", async () => {
      await assertNoWsSession(eioUrl(url, path, {}));
      await assertNoWsSession(eioUrl(url, path, { transport: "abc" }));
    });

    if (echo) {
      const echoes = {
        "one plain text packet": "4hello",
        "several plain text packets": "4test1\x1e4test2\x1e4test3",
        "plain text and binary packets": "4hello\x1ebAQIDBA==",
      };
      for (const [what, body] of Object.entries(echoes)) {
        test(`message: a POST of ${what} comes back whole in the next GET`, async () => {
          const { sid } = await pollingHandshake(url, path);
          const pushed = await post(url, path, sid, body);
          assert.deepEqual([pushed.status, pushed.text], [200, "ok"]);
          const polled = await poll(url, path, sid);
          assert.deepEqual([polled.status, polled.text], [200, body]);
          await post(url, path, sid, "1");
        });
      }
    }

    test("heartbeat: a polling session is pinged every pingInterval and kept while it answers", async () => {
      await withoutStalls(async () => {
        const { sid } = await pollingHandshake(heartbeat, path);
        for (let i = 0; i < 3; i++) {
          const polled = await poll(heartbeat, path, sid);
          assert.deepEqual([polled.status, polled.text], [200, "2"], `round ${i}`);
          const ponged = await post(heartbeat, path, sid, "3");
          assert.equal(ponged.status, 200, `round ${i}`);
        }
        await post(heartbeat, path, sid, "1");
      });
    });

    test("heartbeat: a polling session that never polls is gone after pingInterval + pingTimeout", async () => {
      const { sid } = await pollingHandshake(heartbeat, path);
      await sleep(PING_INTERVAL_MS + PING_TIMEOUT_MS + 200);
      const polled = await poll(heartbeat, path, sid);
      // Gone (400), or told so by the close packet.
      assert.ok(polled.status === 400 || (polled.status === 200 && packets(polled.text).includes("1")), polled.text);
    });

    test("heartbeat: a WebSocket session is pinged every pingInterval and kept while it answers", async () => {
      await withoutStalls(async () => {
        const ws = new RawWs(eioUrl(heartbeat, path, { transport: "websocket" }));
        try {
          await ws.opened;
          assert.equal((await ws.next())[0], "0");
          for (let i = 0; i < 3; i++) {
            assert.equal(await ws.next(), "2", `round ${i}`);
            ws.send("3");
          }
        } finally {
          ws.close();
        }
      });
    });

    test("close: a POSTed close releases the parked GET with a noop and ends the session", async () => {
      const { sid } = await pollingHandshake(url, path);
      const parked = poll(url, path, sid);
      await sleep(50);
      const closed = await post(url, path, sid, "1");
      assert.equal(closed.status, 200);
      const released = await parked;
      assert.deepEqual([released.status, released.text], [200, "6"]);
      const after = await poll(url, path, sid);
      assert.deepEqual([after.status, after.text], [400, '{"code":1,"message":"Session ID unknown"}']);
    });

    test("close: a close packet over WebSocket ends the session", async () => {
      const ws = new RawWs(eioUrl(url, path, { transport: "websocket" }));
      try {
        await ws.opened;
        assert.equal((await ws.next())[0], "0");
        ws.send("1");
        const closed = await Promise.race([ws.closed.then(() => true), sleep(2000).then(() => false)]);
        if (!closed) {
          // The reference's WebSocket transport hands `1` to its socket, which has no case for
          // it: the session goes on (Volley ends it, as the protocol and the official suite say;
          // protocol/tests/engine_websocket_first.rs pins that down). It must still work.
          ws.send(echo ? "4still here" : "40");
          const reply = await ws.nextNonPing();
          assert.ok(echo ? reply === "4still here" : reply.startsWith('40{"sid":'), reply);
        }
      } finally {
        ws.close();
      }
    });

    test("upgrade: after 5, polling and a second WebSocket for the sid are refused; the first works", async () => {
      const { sid } = await pollingHandshake(url, path);
      const ws = await probed(url, path, sid);
      try {
        ws.send("5");
        // A GET that reaches the server before it has read `5` is answered with a noop (the
        // upgrade is still pending), so first see `5` take effect: the WebSocket's frames are
        // handled in order, and the answer to the next one comes after it.
        ws.send(echo ? "4upgraded" : "40");
        const reply = await ws.nextNonPing();
        assert.ok(echo ? reply === "4upgraded" : reply.startsWith('40{"sid":'), reply);
        const polled = await poll(url, path, sid);
        assert.deepEqual([polled.status, polled.text], [400, '{"code":3,"message":"Bad request"}']);
        const second = new RawWs(eioUrl(url, path, { transport: "websocket", sid }));
        try {
          // Refused outright, or upgraded and closed at once (what the reference does).
          await second.opened.then(
            () => second.waitClosed(),
            (err) => assert.match(err.message, /HTTP 400/),
          );
          assert.deepEqual(second.queue, [], "nothing is sent on the second WebSocket");
        } finally {
          second.close();
        }
        if (echo) {
          ws.send("4hello");
          assert.equal(await ws.nextNonPing(), "4hello");
        }
      } finally {
        ws.close();
      }
    });
  });
}

describe("Socket.IO protocol suite", () => {
  /** A raw WebSocket session before any CONNECT (its open packet read). */
  async function openWs(base = URL) {
    const ws = new RawWs(eioUrl(base, "/socket.io/", { transport: "websocket" }));
    await ws.opened;
    assert.equal((await ws.next())[0], "0");
    return ws;
  }

  /** Asserts a CONNECT answer for `nsp` (`40` + namespace + `{"sid":…}`, the only key). */
  function assertConnected(packet, prefix) {
    assert.ok(packet.startsWith(prefix), packet);
    const body = JSON.parse(packet.slice(prefix.length));
    assert.deepEqual(Object.keys(body), ["sid"]);
    assert.equal(typeof body.sid, "string");
  }

  const connects = [
    ['40{"token":"123"}', "40", '42["auth",{"token":"123"}]'],
    ["40/custom,", "40/custom,", '42/custom,["auth",{}]'],
    ['40/custom,{"token":"abc"}', "40/custom,", '42/custom,["auth",{"token":"abc"}]'],
  ];
  for (const [sent, prefix, auth] of connects) {
    test(`connect: ${sent} is answered ${prefix}{"sid":…} then ${auth}`, async () => {
      const ws = await openWs();
      try {
        ws.send(sent);
        assertConnected(await ws.nextNonPing(), prefix);
        assert.equal(await ws.nextNonPing(), auth);
      } finally {
        ws.close();
      }
    });
  }

  test("connect: an unknown namespace without a comma is refused with Invalid namespace", async () => {
    const ws = await openWs();
    try {
      ws.send("40/random");
      assert.equal(await ws.nextNonPing(), '44/random,{"message":"Invalid namespace"}');
    } finally {
      ws.close();
    }
  });

  test("connect: an invalid handshake (4abc) closes the connection", async () => {
    const ws = await openWs();
    try {
      ws.send("4abc");
      await ws.waitClosed();
    } finally {
      ws.close();
    }
  });

  test("connect: a client that sends no CONNECT is closed after connectTimeout, pings answered", async () => {
    await withoutStalls(async () => {
      const ws = await openWs(HEARTBEAT_URL);
      try {
        // Answering every ping rules the heartbeat out: only the connect timeout can close it.
        for (;;) {
          let msg;
          try {
            msg = await ws.next();
          } catch {
            break; // closed
          }
          assert.equal(msg, "2", "nothing but pings before the close");
          ws.send("3");
        }
        await ws.waitClosed();
      } finally {
        ws.close();
      }
    });
  });

  test("disconnect: 41 leaves the main namespace, the connection stays (next comes a ping)", async () => {
    await withoutStalls(async () => {
      const ws = await joinedRawWs(HEARTBEAT_URL);
      try {
        ws.send("41");
        assert.equal(await ws.next(), "2");
        ws.send("3");
        ws.send("40");
        assertConnected(await ws.nextNonPing(), "40");
      } finally {
        ws.close();
      }
    });
  });

  test("disconnect: 40/custom then 41/custom (no commas) leave the main namespace working", async () => {
    const ws = await joinedRawWs(URL);
    try {
      ws.send("40/custom");
      assertConnected(await ws.nextNonPing(), "40/custom,");
      assert.equal(await ws.nextNonPing(), '42/custom,["auth",{}]');
      ws.send("41/custom");
      ws.send('42["message","message to main namespace"]');
      assert.equal(await ws.nextNonPing(), '42["message-back","message to main namespace"]');
    } finally {
      ws.close();
    }
  });

  const PLACEHOLDERS = '{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}';
  const exchanges = {
    "a plain-text event": [['42["message",1,"2",{"3":[true]}]'], ['42["message-back",1,"2",{"3":[true]}]']],
    "an event with binary attachments": [
      [`452-["message",${PLACEHOLDERS}]`, Buffer.from([1, 2, 3]), Buffer.from([4, 5, 6])],
      [`452-["message-back",${PLACEHOLDERS}]`, Buffer.from([1, 2, 3]), Buffer.from([4, 5, 6])],
    ],
    "a plain-text event with an ack": [['42456["message-with-ack",1,"2",{"3":[false]}]'], ['43456[1,"2",{"3":[false]}]']],
    "an event with binary attachments and an ack": [
      [`452-789["message-with-ack",${PLACEHOLDERS}]`, Buffer.from([1, 2, 3]), Buffer.from([4, 5, 6])],
      [`462-789[${PLACEHOLDERS}]`, Buffer.from([1, 2, 3]), Buffer.from([4, 5, 6])],
    ],
  };
  for (const [what, [sent, expected]] of Object.entries(exchanges)) {
    test(`message: ${what} is answered with exactly these frames`, async () => {
      const ws = await joinedRawWs(URL);
      try {
        for (const frame of sent) ws.send(frame);
        const got = [];
        while (got.length < expected.length) got.push(await ws.nextNonPing());
        assert.deepEqual(got, expected);
      } finally {
        ws.close();
      }
    });
  }

  test("message: an unknown packet type (4abc) after CONNECT closes the connection", async () => {
    const ws = await joinedRawWs(URL);
    try {
      ws.send("4abc");
      await ws.waitClosed();
    } finally {
      ws.close();
    }
  });
});
