// Bad input over real sockets against the Socket.IO server: each probe gets the reference's answer
// (400 JSON, 413, a close) and affects only its own connection — two witness clients (websocket and
// polling) keep working through all of it.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { URL, connect, roundTrip } from "./lib/harness.mjs";
import { RawWs, eioUrl, joinedRawWs, packets, poll, pollingHandshake, portOf, post, rawTcp, request } from "./lib/raw.mjs";
import { withWitnesses } from "./lib/witnesses.mjs";

const PATH = "/socket.io/";
const MAX_PAYLOAD = 1_000_000;

/** A raw WebSocket session that has joined namespace `/`. */
const joinedWs = () => joinedRawWs(URL);

/** Polls `sid` (answering pings) until a packet other than ping/noop arrives; returns them all. */
async function pollForData(sid) {
  for (let i = 0; i < 20; i++) {
    const res = await poll(URL, PATH, sid);
    assert.equal(res.status, 200, `poll: ${res.status} ${res.text}`);
    const got = packets(res.text).filter((p) => p !== "6");
    if (got.includes("2")) await post(URL, PATH, sid, "3");
    const data = got.filter((p) => p !== "2");
    if (data.length) return data;
  }
  throw new Error("no data packet in 20 polls");
}

describe("bad input", () => {
  withWitnesses();

  const garbage = {
    "bytes that are not HTTP": "\x00\xff\x10 not http at all\r\n\r\n",
    "a request line with no version": "HELLO\r\n\r\n",
    "a header line without a colon": "GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n",
    "an invalid content-length": "POST /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
  };
  for (const [name, bytes] of Object.entries(garbage)) {
    test(`garbage HTTP (${name}) is closed, with a 4xx at most`, async () => {
      const reply = await rawTcp(portOf(URL), Buffer.from(bytes, "latin1"));
      assert.ok(reply === "" || /^HTTP\/1\.[01] 4\d\d /.test(reply), `unexpected reply ${JSON.stringify(reply.slice(0, 80))}`);
    });
  }

  const badQueries = [
    ["no EIO", { EIO: null, transport: "polling" }, 5, "Unsupported protocol version"],
    ["EIO=3", { EIO: "3", transport: "polling" }, 5, "Unsupported protocol version"],
    ["EIO=abc", { EIO: "abc", transport: "polling" }, 5, "Unsupported protocol version"],
    ["no transport", {}, 0, "Transport unknown"],
    ["unknown transport", { transport: "carrier-pigeon" }, 0, "Transport unknown"],
    ["unknown sid", { transport: "polling", sid: "no-such-session" }, 1, "Session ID unknown"],
    ["websocket transport without an upgrade", { transport: "websocket" }, 3, "Bad request"],
  ];
  for (const [name, query, code, message] of badQueries) {
    test(`bad query (${name}) → 400 {"code":${code}}`, async () => {
      const res = await request(eioUrl(URL, PATH, query));
      assert.equal(res.status, 400);
      assert.match(res.headers.get("content-type"), /^application\/json/);
      assert.deepEqual(JSON.parse(res.text), { code, message });
    });
  }

  test('a POST handshake → 400 {"code":2} Bad handshake method', async () => {
    const res = await request(eioUrl(URL, PATH, { transport: "polling" }), { method: "POST", body: "40" });
    assert.equal(res.status, 400);
    assert.deepEqual(JSON.parse(res.text), { code: 2, message: "Bad handshake method" });
  });

  test("polling with a websocket session's sid → 400 Bad request", async () => {
    const ws = new RawWs(eioUrl(URL, PATH, { transport: "websocket" }));
    try {
      await ws.opened;
      const { sid } = JSON.parse((await ws.next()).slice(1));
      const res = await poll(URL, PATH, sid);
      assert.equal(res.status, 400);
      assert.deepEqual(JSON.parse(res.text), { code: 3, message: "Bad request" });
    } finally {
      ws.close();
    }
  });

  test("a POST just under maxPayload is accepted and answered", async () => {
    const { sid } = await pollingHandshake(URL, PATH);
    assert.equal((await post(URL, PATH, sid, "40")).text, "ok");
    const joined = await pollForData(sid);
    assert.match(joined[0], /^40\{"sid":/);
    const filler = "y".repeat(MAX_PAYLOAD - 100);
    const body = `42["message","${filler}"]`;
    assert.ok(body.length < MAX_PAYLOAD);
    const res = await post(URL, PATH, sid, body);
    assert.equal(res.status, 200);
    const back = (joined.length > 1 ? joined.slice(1) : []).concat(await pollForData(sid));
    assert.ok(back.includes(`42["message-back","${filler}"]`));
    await post(URL, PATH, sid, "1");
  });

  test("a POST over maxPayload → 413 and the session stays open", async () => {
    const { sid } = await pollingHandshake(URL, PATH);
    const res = await post(URL, PATH, sid, `42["message","${"z".repeat(MAX_PAYLOAD + 10)}"]`);
    assert.equal(res.status, 413);
    // Same session, still usable.
    assert.equal((await post(URL, PATH, sid, "40")).text, "ok");
    const got = await pollForData(sid);
    assert.match(got[0], /^40\{"sid":/);
    await post(URL, PATH, sid, "1");
  });

  test("a WebSocket message over maxPayload closes that connection", async () => {
    const ws = await joinedWs();
    try {
      ws.send(`42["message","${"w".repeat(MAX_PAYLOAD + 10)}"]`);
      await ws.waitClosed();
    } finally {
      ws.close();
    }
  });

  const invalidPackets = {
    "an unknown Engine.IO packet type": ["abc"],
    "an unknown Socket.IO packet type": ["49"],
    "an EVENT whose payload is an object": ['42{"a":1}'],
    "an EVENT with an empty array": ["42[]"],
    "an EVENT with a reserved name": ['42["connect"]'],
    "an EVENT with an ack id that is not digits": ['42x1["message"]'],
    // The official Socket.IO suite's own two probes of that kind.
    "an EVENT whose payload is an empty object": ["42{}"],
    "an EVENT whose ack id is letters": ['42abc["message-with-ack",1,"2",{"3":[false]}]'],
    "a CONNECT whose payload is not an object": ["40[1]"],
    "a client-sent CONNECT_ERROR": ['44{"message":"nope"}'],
    "a second CONNECT to a namespace already joined": ["40"],
    "an EVENT to a namespace not joined": ['42/custom,["message"]'],
    "text where an attachment was announced": ['451-["message",{"_placeholder":true,"num":0}]', '42["message"]'],
    "a placeholder out of range": ['451-["message",{"_placeholder":true,"num":3}]', Buffer.from([1, 2, 3])],
  };
  for (const [name, frames] of Object.entries(invalidPackets)) {
    test(`invalid packet over websocket (${name}) closes that client`, async () => {
      const ws = await joinedWs();
      try {
        for (const frame of frames) ws.send(frame);
        await ws.waitClosed();
      } finally {
        ws.close();
      }
    });
  }

  test("an invalid packet over polling closes that session", async () => {
    const { sid } = await pollingHandshake(URL, PATH);
    assert.equal((await post(URL, PATH, sid, "40")).text, "ok");
    await pollForData(sid);
    await post(URL, PATH, sid, '42{"not":"an array"}');
    // The session is gone: a GET gets the close packet or 400 Session ID unknown.
    let res = await poll(URL, PATH, sid);
    if (res.status === 200) {
      assert.ok(packets(res.text).includes("1"), `expected a close packet, got ${JSON.stringify(res.text)}`);
      res = await poll(URL, PATH, sid);
    }
    assert.equal(res.status, 400);
    assert.deepEqual(JSON.parse(res.text), { code: 1, message: "Session ID unknown" });
  });

  // Malformed only in its arguments (a trailing comma): JSON.parse refuses it, and a server that
  // checks an event only up to its name has to catch it later.
  const MALFORMED = '42["message","b",]';

  test("nothing after a malformed event in the same POST has an effect (CONNECTs, events)", async () => {
    const { sid } = await pollingHandshake(URL, PATH);
    assert.equal((await post(URL, PATH, sid, "40")).text, "ok");
    await pollForData(sid);
    // The reference drops the POST's connection (its close aborts the data request) or answers it.
    await post(URL, PATH, sid, `${MALFORMED}\x1e40/custom,\x1e40/nope,\x1e42["message","c"]`).catch(() => null);
    let res = await poll(URL, PATH, sid);
    if (res.status === 200) {
      const got = packets(res.text);
      assert.deepEqual(got.filter((p) => !["6", "1"].includes(p)), [], JSON.stringify(res.text));
      assert.ok(got.includes("1"), `expected a close packet, got ${JSON.stringify(res.text)}`);
      res = await poll(URL, PATH, sid);
    }
    assert.deepEqual([res.status, res.text], [400, '{"code":1,"message":"Session ID unknown"}']);
  });

  test("nothing after a malformed event over websocket has an effect (CONNECTs, events)", async () => {
    const ws = await joinedWs();
    try {
      for (const frame of [MALFORMED, "40/custom,", "40/nope,", '42["message","c"]']) ws.send(frame);
      await ws.waitClosed();
      assert.deepEqual(ws.queue.filter((p) => p !== "2"), []);
    } finally {
      ws.close();
    }
  });

  for (const [name, body] of [
    ["alone", "abc"],
    ["after a valid one", "40\x1eabc"],
  ]) {
    test(`an undecodable Engine.IO packet in a POST (${name}): 200 ok, the parked GET gets the close packet, the sid is gone`, async () => {
      // The reference answers the POST itself `ok` and tells the client through its GET.
      const { sid } = await pollingHandshake(URL, PATH);
      const parked = poll(URL, PATH, sid);
      // Let the GET reach the server before the POST (nothing observable says it has).
      await new Promise((resolve) => setTimeout(resolve, 50));
      const res = await post(URL, PATH, sid, body);
      assert.deepEqual([res.status, res.text], [200, "ok"]);
      const got = await parked;
      assert.deepEqual([got.status, got.text], [200, "1"]);
      const later = await poll(URL, PATH, sid);
      assert.equal(later.status, 400);
      assert.deepEqual(JSON.parse(later.text), { code: 1, message: "Session ID unknown" });
    });
  }

  test("hundreds of idle TCP connections do not keep a new client out", async () => {
    const { default: net } = await import("node:net");
    const idle = [];
    try {
      for (let i = 0; i < 300; i++) {
        const sock = net.connect(portOf(URL), "127.0.0.1");
        sock.on("error", () => {});
        idle.push(sock);
      }
      // Half of them start a request and never finish it.
      idle.slice(0, 150).forEach((s) => s.write("GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\n"));
      const { socket, rec } = await connect("polling");
      try {
        assert.deepEqual(await roundTrip(socket, rec, "past the idle crowd"), ["past the idle crowd"]);
      } finally {
        socket.disconnect();
      }
    } finally {
      idle.forEach((s) => s.destroy());
    }
  });
});
