// The reference's optional MessagePack parser (socket.io-msgpack-parser): socket.io-client created
// with `{ parser }` against the conformance server started with PARSER=msgpack (run.mjs,
// INTEROP_MSGPACK_URL). Events, acks both ways, binary, a room broadcast, a namespace refused
// with data, over WebSocket and over polling (where each packet is a base64 binary message).
// A server that kept the JSON parser fails every test: the msgpack client cannot read text packets.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createRequire } from "node:module";
import { io } from "socket.io-client";
import { HANG_GUARD_MS, Recorder, ackRoundTrip, clientOptions, connect, normalizeBinary, once, patternBuffer } from "./lib/harness.mjs";

const parser = createRequire(import.meta.url)("socket.io-msgpack-parser");

const MSGPACK_URL = process.env.INTEROP_MSGPACK_URL;

// No integral number beyond 2^64: the client's notepack writes those as a broken uint 64 (1e300
// arrives as 0 at the reference server too).
const VALUES = [0, -1, 3.25, -0.5, 1.5e-300, 2 ** 60, Number.MIN_SAFE_INTEGER, true, false, null, "", "héllo 🎉", [], {}, { z: 1, a: [2, { b: null }] }];

for (const mode of ["websocket", "polling"]) {
  describe(`msgpack parser (${mode})`, () => {
    const open = [];
    const client = async (nsp = "/", extra = {}) => {
      assert.ok(MSGPACK_URL, "INTEROP_MSGPACK_URL is not set: run the suites through interop/run.mjs");
      const c = await connect(mode, nsp, { parser, ...extra }, MSGPACK_URL);
      open.push(c.socket);
      return c;
    };
    let socket;
    let rec;

    before(async () => {
      ({ socket, rec } = await client("/", { auth: { token: "t", n: 1 } }));
    });

    after(() => open.forEach((s) => s.disconnect()));

    test("the CONNECT auth reaches the server", async () => {
      const [[auth]] = await rec.wait("auth");
      assert.deepEqual(auth, { token: "t", n: 1 });
    });

    test("values and binary go out and come back", async () => {
      const bin = patternBuffer(3000, 7);
      const args = [...VALUES, bin, { nested: [Buffer.from([0, 255]), { deeper: bin }] }];
      const back = rec.next("message-back");
      socket.emit("message", ...args);
      assert.deepEqual(normalizeBinary(await back), args);
    });

    test("the server acks a client event, binary included", async () => {
      const args = ["x", Buffer.from("bytes"), { n: 2 }];
      assert.deepEqual(normalizeBinary(await ackRoundTrip(socket, ...args)), args);
      assert.deepEqual(await ackRoundTrip(socket), []);
    });

    test("the client acks a server event", async () => {
      const answered = new Promise((resolve) => {
        socket.once("question", (value, ack) => {
          ack("answer", value.n * 2, Buffer.from([9]));
          resolve(value);
        });
      });
      const [a, b, c] = await new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("no ack (hang guard)")), HANG_GUARD_MS);
        socket.emit("ask", { n: 21 }, (...reply) => {
          clearTimeout(timer);
          resolve(reply);
        });
      });
      assert.deepEqual(await answered, { n: 21 });
      assert.deepEqual([a, b, normalizeBinary(c)], ["answer", 42, Buffer.from([9])]);
    });

    test("a room broadcast reaches the room's members only", async () => {
      const room = `room-${mode}`;
      const members = [await client(), await client()];
      const outsider = await client();
      for (const m of members) await m.socket.timeout(HANG_GUARD_MS).emitWithAck("join", room);
      const value = { news: Buffer.from([1, 2, 3]), at: 5 };
      const arrivals = members.map((m) => m.rec.next("room-message"));
      await members[0].socket.timeout(HANG_GUARD_MS).emitWithAck("to-room", room, value);
      for (const args of await Promise.all(arrivals)) assert.deepEqual(normalizeBinary(args), [value]);
      // A round trip on the outsider's connection after the broadcast: nothing came before it.
      const back = outsider.rec.next("message-back");
      outsider.socket.emit("message", "after");
      assert.deepEqual(await back, ["after"]);
      assert.deepEqual(outsider.rec.all("room-message"), []);
    });

    test("a namespace refusal carries its message and data", async () => {
      assert.ok(MSGPACK_URL, "INTEROP_MSGPACK_URL is not set: run the suites through interop/run.mjs");
      const refused = io(`${MSGPACK_URL}/refused`, clientOptions(mode, { parser, auth: { who: "me" } }));
      open.push(refused);
      const rec = new Recorder(refused);
      const [err] = await once(refused, "connect_error", { rejectOn: ["connect"] });
      assert.equal(err.message, "refused by namespace middleware");
      assert.deepEqual(err.data, { code: 42, auth: { who: "me" } });
      assert.deepEqual(rec.events, []);
    });
  });
}
