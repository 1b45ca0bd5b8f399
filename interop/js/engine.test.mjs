// Raw Engine.IO (the conformance server's --engine mode on /engine.io/): echo through the official
// engine.io-client three ways, and the handshake, heartbeat and upgrade seen on the wire.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Socket } from "engine.io-client";
import { ENGINE_HEARTBEAT_URL, ENGINE_URL, MODES, normalizeBinary, once, patternBuffer } from "./lib/harness.mjs";
import { gunzipSync, inflateSync } from "node:zlib";
import { RawWs, eioUrl, packets, poll, pollingHandshake, post, rawGet, request } from "./lib/raw.mjs";

const PATH = "/engine.io/";

/** Opens a WebSocket for polling session `sid` and completes the probe (`2probe` → `3probe`). */
async function probedUpgrade(sid) {
  const ws = new RawWs(eioUrl(ENGINE_URL, PATH, { transport: "websocket", sid }));
  await ws.opened;
  ws.send("2probe");
  assert.equal(await ws.next(), "3probe");
  return ws;
}

/**
 * Follows a polling response while an upgrade is pending until it carries a noop: a ping may be
 * due first (answered, then polled again). Asserts the noop.
 */
async function expectNoop(sid, response) {
  let res = await response;
  for (let i = 0; i < 5 && res.status === 200 && !packets(res.text).includes("6"); i++) {
    if (packets(res.text).includes("2")) await post(ENGINE_URL, PATH, sid, "3");
    res = await poll(ENGINE_URL, PATH, sid);
  }
  assert.equal(res.status, 200);
  assert.ok(packets(res.text).includes("6"), `expected a noop, got ${JSON.stringify(res.text)}`);
}

/** After `5`, polling for the sid is refused with 400 Bad request. */
async function expectPollingRefused(sid) {
  const res = await poll(ENGINE_URL, PATH, sid);
  assert.equal(res.status, 400);
  assert.deepEqual(JSON.parse(res.text), { code: 3, message: "Bad request" });
}

/** An engine.io-client socket plus every message it received, in order. */
async function openEngine(mode) {
  const socket = new Socket(ENGINE_URL, { ...MODES[mode], path: PATH });
  const received = [];
  const waiters = [];
  socket.on("message", (data) => {
    // engine.io-client reports the empty message `4` as undefined.
    received.push(data === undefined ? "" : normalizeBinary(data));
    for (const w of waiters.splice(0)) w();
  });
  await once(socket, "open", { rejectOn: ["error", "close"] });
  if (mode === "upgrade" && socket.transport.name !== "websocket") {
    await once(socket, "upgrade", { rejectOn: ["upgradeError", "close"] });
  }
  const waitFor = async (count) => {
    while (received.length < count) {
      await Promise.race([
        new Promise((r) => waiters.push(r)),
        once(socket, "close").then(([reason]) => {
          throw new Error(`closed (${reason}) with ${received.length} of ${count} messages`);
        }),
      ]);
    }
    return received.slice(0, count);
  };
  return { socket, received, waitFor };
}

for (const mode of Object.keys(MODES)) {
  describe(`engine.io echo (${mode})`, () => {
    test("text messages come back as the same text, in order", async () => {
      const { socket, waitFor } = await openEngine(mode);
      try {
        const texts = ["hello", "", "ünïcødé 🎉 日本", "4 looks like a packet", "x".repeat(200_000)];
        texts.forEach((t) => socket.send(t));
        assert.deepEqual(await waitFor(texts.length), texts);
      } finally {
        socket.close();
      }
    });

    test("binary messages come back as the same bytes, as binary", async () => {
      const { socket, waitFor } = await openEngine(mode);
      try {
        const blobs = [patternBuffer(1), patternBuffer(1024, 1), patternBuffer(300_000, 2)];
        blobs.forEach((b) => socket.send(b));
        const got = await waitFor(blobs.length);
        got.forEach((g) => assert.ok(Buffer.isBuffer(g), "binary stays binary"));
        assert.deepEqual(got, blobs);
      } finally {
        socket.close();
      }
    });

    test("text and binary interleaved keep their order and kinds", async () => {
      const { socket, waitFor } = await openEngine(mode);
      try {
        const sent = [];
        for (let i = 0; i < 60; i++) sent.push(i % 2 ? patternBuffer(i, i) : `text-${i}`);
        sent.forEach((m) => socket.send(m));
        assert.deepEqual(await waitFor(sent.length), sent);
      } finally {
        socket.close();
      }
    });
  });
}

describe("engine.io on the wire", () => {
  test("polling handshake: the five keys in order with the fixture's timing", async () => {
    const { handshake, raw, headers } = await pollingHandshake(ENGINE_HEARTBEAT_URL, PATH);
    assert.deepEqual(Object.keys(handshake), ["sid", "upgrades", "pingInterval", "pingTimeout", "maxPayload"]);
    assert.equal(typeof handshake.sid, "string");
    assert.ok(handshake.sid.length > 0);
    assert.deepEqual(handshake.upgrades, ["websocket"]);
    assert.equal(handshake.pingInterval, 300);
    assert.equal(handshake.pingTimeout, 200);
    assert.equal(handshake.maxPayload, 1000000);
    assert.equal(packets(raw).length, 1, "the handshake response holds only the open packet");
    assert.match(headers.get("content-type"), /^text\/plain; ?charset=UTF-8$/i);
  });

  test("websocket-first handshake: open packet as the first frame with no upgrades", async () => {
    const ws = new RawWs(eioUrl(ENGINE_URL, PATH, { transport: "websocket" }));
    try {
      await ws.opened;
      const first = await ws.next();
      assert.equal(first[0], "0");
      const handshake = JSON.parse(first.slice(1));
      assert.deepEqual(Object.keys(handshake), ["sid", "upgrades", "pingInterval", "pingTimeout", "maxPayload"]);
      assert.deepEqual(handshake.upgrades, []);
      ws.send("4over websocket");
      assert.equal(await ws.nextNonPing(), "4over websocket");
    } finally {
      ws.close();
    }
  });

  test("every session gets its own sid", async () => {
    const sids = await Promise.all(Array.from({ length: 10 }, () => pollingHandshake(ENGINE_URL, PATH)));
    assert.equal(new Set(sids.map((s) => s.sid)).size, 10);
  });

  test("polling: a POST batch of text and base64 binary is echoed, binary as b+base64", async () => {
    const { sid } = await pollingHandshake(ENGINE_URL, PATH);
    const bin = patternBuffer(40, 3);
    const res = await post(ENGINE_URL, PATH, sid, ["4one", `b${bin.toString("base64")}`, "4three"].join("\x1e"));
    assert.equal(res.status, 200);
    assert.equal(res.text, "ok");
    const got = [];
    while (got.length < 3) {
      const body = await poll(ENGINE_URL, PATH, sid);
      assert.equal(body.status, 200);
      for (const p of packets(body.text)) {
        if (p === "2") await post(ENGINE_URL, PATH, sid, "3");
        else got.push(p);
      }
    }
    assert.deepEqual(got, ["4one", `b${bin.toString("base64")}`, "4three"]);
    await post(ENGINE_URL, PATH, sid, "1");
  });

  test("a polling client that never answers pings is closed", async () => {
    const { sid } = await pollingHandshake(ENGINE_HEARTBEAT_URL, PATH);
    let sawPing = false;
    // Keep polling without ever sending a pong: the server pings, then gives up on the session.
    for (let i = 0; i < 50; i++) {
      const res = await poll(ENGINE_HEARTBEAT_URL, PATH, sid);
      if (res.status === 400) {
        assert.deepEqual(JSON.parse(res.text), { code: 1, message: "Session ID unknown" });
        break;
      }
      const got = packets(res.text);
      if (got.includes("2")) sawPing = true;
      if (got.includes("1")) break; // told to close on the parked GET
    }
    assert.ok(sawPing, "the server pinged before closing");
    const after = await poll(ENGINE_HEARTBEAT_URL, PATH, sid);
    assert.equal(after.status, 400);
    assert.deepEqual(JSON.parse(after.text), { code: 1, message: "Session ID unknown" });
  });

  test("a websocket client that never answers pings is closed", async () => {
    const ws = new RawWs(eioUrl(ENGINE_HEARTBEAT_URL, PATH, { transport: "websocket" }));
    try {
      await ws.opened;
      assert.equal((await ws.next())[0], "0");
      assert.equal(await ws.next(), "2", "a ping after pingInterval");
      await ws.waitClosed();
    } finally {
      ws.close();
    }
  });

  test("polling bodies of 1024 bytes or more go out compressed as Accept-Encoding asks (httpCompression)", async () => {
    const { sid } = await pollingHandshake(ENGINE_URL, PATH);
    const url = eioUrl(ENGINE_URL, PATH, { transport: "polling", sid });
    const cases = [
      ["x".repeat(2000), "gzip, deflate, br", "gzip"],
      ["x".repeat(2000), "br;q=1, deflate;q=0.9, gzip;q=0.8", "deflate"],
      ["x".repeat(2000), "br", undefined],
      ["x".repeat(2000), undefined, undefined],
      ["y".repeat(1022), "gzip", undefined], // "4" + 1022 bytes: one short of the threshold
      ["z".repeat(1023), "gzip", "gzip"],
    ];
    for (const [message, accept, encoding] of cases) {
      // The echo server sends the message back; the next GET carries it.
      assert.equal((await post(ENGINE_URL, PATH, sid, `4${message}`)).status, 200);
      const res = await rawGet(url, accept === undefined ? {} : { "accept-encoding": accept });
      assert.equal(res.status, 200);
      assert.equal(res.headers["content-encoding"], encoding, JSON.stringify(accept));
      const body = encoding === "gzip" ? gunzipSync(res.body) : encoding === "deflate" ? inflateSync(res.body) : res.body;
      assert.ok(packets(body.toString()).includes(`4${message}`), `${accept}: ${body.length} bytes`);
    }
  });

  test("b64 on a WebSocket (forceBase64): binary goes out as b<base64> text; without it, as a binary frame", async () => {
    for (const [query, expected] of [
      [{ b64: "1" }, "bAQID"],
      [{}, Buffer.from([1, 2, 3])],
    ]) {
      const ws = new RawWs(eioUrl(ENGINE_URL, PATH, { transport: "websocket", ...query }));
      try {
        await ws.opened;
        assert.ok((await ws.next()).startsWith("0{"));
        // A b<base64> text frame is a binary message whatever the query says; the echo
        // server sends that binary message back.
        ws.send("bAQID");
        assert.deepEqual(await ws.nextNonPing(), expected, JSON.stringify(query));
      } finally {
        ws.close();
      }
    }
  });

  test("engine.io-client with forceBase64 over WebSocket echoes binary and text", async () => {
    const socket = new Socket(ENGINE_URL, { path: PATH, transports: ["websocket"], forceBase64: true });
    try {
      await once(socket, "open", { rejectOn: ["error", "close"] });
      const received = [];
      const done = new Promise((resolve) =>
        socket.on("message", (data) => {
          received.push(normalizeBinary(data));
          if (received.length === 2) resolve();
        }),
      );
      socket.send(Uint8Array.from([0, 255, 7]));
      socket.send("after binary");
      await done;
      assert.deepEqual(received, [Buffer.from([0, 255, 7]), "after binary"]);
    } finally {
      socket.close();
    }
  });

  test("upgrade on the wire: 2probe/3probe, 5, then polling for that sid is refused", async () => {
    const { sid } = await pollingHandshake(ENGINE_URL, PATH);
    const ws = await probedUpgrade(sid);
    try {
      ws.send("5");
      ws.send("4after upgrade");
      assert.equal(await ws.nextNonPing(), "4after upgrade");
      await expectPollingRefused(sid);
    } finally {
      ws.close();
    }
  });

  test("a parked GET is released with a noop when the upgrade probe arrives", async () => {
    const { sid } = await pollingHandshake(ENGINE_URL, PATH);
    const parked = poll(ENGINE_URL, PATH, sid);
    const ws = await probedUpgrade(sid);
    try {
      // The GET parked before the probe may have carried a ping instead; the next ones must be
      // answered with a noop promptly while the upgrade is pending.
      await expectNoop(sid, parked);
      ws.send("5");
    } finally {
      ws.close();
    }
  });

  test("a GET sent while the upgrade is pending is released with a noop; after 5 polling is refused", async () => {
    // The official client pauses polling before it sends `5`: it waits for its GET to come back.
    // Both servers release that GET with `6` (the reference within its 100 ms upgrade check,
    // Volley at once), so no GET is parked when `5` arrives.
    const { sid } = await pollingHandshake(ENGINE_URL, PATH);
    const ws = await probedUpgrade(sid);
    try {
      await expectNoop(sid, poll(ENGINE_URL, PATH, sid));
      ws.send("5");
      ws.send("4upgraded");
      assert.equal(await ws.nextNonPing(), "4upgraded");
      await expectPollingRefused(sid);
    } finally {
      ws.close();
    }
  });

  test("CORS preflight is answered 204 for any origin", async () => {
    const res = await request(eioUrl(ENGINE_URL, PATH, { transport: "polling" }), {
      method: "OPTIONS",
      headers: { origin: "http://example.test", "access-control-request-method": "POST" },
    });
    assert.equal(res.status, 204);
    assert.equal(res.headers.get("access-control-allow-origin"), "*");
  });
});
