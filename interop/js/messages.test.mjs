// Payloads through `message` → `message-back` and `message-with-ack`, three ways: JSON of every
// kind, unicode, a string over 500 KB, binary (one Buffer, several, nested), ordering.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { MODES, ackRoundTrip, connect, normalizeBinary, patternBuffer, roundTrip } from "./lib/harness.mjs";

const MIXED = [
  0,
  -1,
  3.25,
  -0.5,
  1e300,
  Number.MAX_SAFE_INTEGER,
  Number.MIN_SAFE_INTEGER,
  true,
  false,
  null,
  "",
  "plain",
  [],
  {},
  [1, [2, [3, [4, []]]]],
  { z: 1, a: 2, m: { y: [null, { x: "deep" }], b: false } },
  [{ "": "empty key" }, { "key with spaces": "v", "quote\"key": "back\\slash" }],
];

const UNICODE = [
  "héllo wörld",
  "日本語のテキスト",
  "emoji 🎉👩‍👩‍👧‍👦🏳️‍🌈",
  "עברית and العربية",
  "combining: e\u0301 a\u0308",
  "line\nbreak\ttab\r\u0001\u001f",
  "separators \u2028 \u2029",
  "json escapes: \" \\ / \\u0041",
  { "ключ": "значение", "🔑": ["🗝️", "κλειδί"] },
];

// Over 500 KB of UTF-8 (ASCII plus 3-byte and 4-byte characters), under maxPayload (1 MB).
const LARGE = "a".repeat(300_000) + "€".repeat(50_000) + "𝄞".repeat(25_000) + "end";

for (const mode of Object.keys(MODES)) {
  describe(`messages (${mode})`, () => {
    let socket;
    let rec;

    before(async () => {
      ({ socket, rec } = await connect(mode));
    });

    after(() => socket.disconnect());

    const echo = (...args) => roundTrip(socket, rec, ...args);

    test("mixed JSON arguments come back equal and in key order", async () => {
      const got = await echo(...MIXED);
      assert.deepEqual(got, MIXED);
      assert.equal(JSON.stringify(got), JSON.stringify(MIXED));
    });

    test("an event with no arguments comes back with none", async () => {
      assert.deepEqual(await echo(), []);
    });

    test("a single argument of each JSON kind comes back alone", async () => {
      for (const value of [42, "s", null, true, [1], { k: "v" }]) {
        assert.deepEqual(await echo(value), [value]);
      }
    });

    test("unicode strings and keys come back unchanged", async () => {
      assert.deepEqual(await echo(...UNICODE), UNICODE);
    });

    test("a string over 500 KB comes back unchanged", async () => {
      assert.ok(Buffer.byteLength(LARGE) > 500_000);
      const [got] = await echo(LARGE);
      assert.equal(got.length, LARGE.length);
      assert.ok(got === LARGE, "large string differs");
    });

    test("one Buffer comes back as the same bytes", async () => {
      const buf = patternBuffer(1024);
      const got = normalizeBinary(await echo(buf));
      assert.deepEqual(got, [buf]);
    });

    test("several Buffers between JSON arguments come back in place", async () => {
      const args = ["before", patternBuffer(10, 1), 7, patternBuffer(300, 2), Buffer.alloc(0), patternBuffer(65_536, 3), "after"];
      const got = normalizeBinary(await echo(...args));
      assert.deepEqual(got, args);
    });

    test("Buffers nested in objects and arrays come back in place", async () => {
      const nested = {
        name: "file",
        parts: [patternBuffer(5, 4), { inner: patternBuffer(6, 5), list: [1, patternBuffer(7, 6)] }],
        meta: { sizes: [5, 6, 7], bin: patternBuffer(8, 7) },
      };
      const got = normalizeBinary(await echo(nested, [[patternBuffer(3, 8)]]));
      assert.deepEqual(got, [nested, [[patternBuffer(3, 8)]]]);
    });

    test("an object that only looks like a placeholder stays plain JSON", async () => {
      // Sent as JSON text (no attachments): the server must not read it as a binary placeholder.
      const lookalike = { _placeholder: false, num: 0 };
      assert.deepEqual(await echo(lookalike, "x"), [lookalike, "x"]);
    });

    test("acks carry back the same JSON arguments", async () => {
      assert.deepEqual(await ackRoundTrip(socket, ...MIXED), MIXED);
    });

    test("acks with no arguments, unicode and a large string", async () => {
      assert.deepEqual(await ackRoundTrip(socket), []);
      assert.deepEqual(await ackRoundTrip(socket, ...UNICODE), UNICODE);
      const [big] = await ackRoundTrip(socket, LARGE);
      assert.ok(big === LARGE, "large string differs in ack");
    });

    test("acks carry back binary, nested too", async () => {
      const args = [patternBuffer(100, 9), { deep: [patternBuffer(2000, 10)] }, "tail"];
      assert.deepEqual(normalizeBinary(await ackRoundTrip(socket, ...args)), args);
    });

    test("concurrent acks each get their own answer", async () => {
      const replies = await Promise.all(
        Array.from({ length: 50 }, (_, i) => ackRoundTrip(socket, i, i % 5 === 0 ? patternBuffer(i + 1, i) : `n${i}`)),
      );
      replies.forEach((reply, i) => {
        assert.deepEqual(normalizeBinary(reply), [i, i % 5 === 0 ? patternBuffer(i + 1, i) : `n${i}`]);
      });
    });

    test("messages come back in the order they were sent, text and binary mixed", async () => {
      const count = 100;
      const start = rec.all("message-back").length;
      const expected = [];
      for (let i = 0; i < count; i++) {
        const arg = i % 3 === 0 ? patternBuffer(16, i) : { seq: i };
        expected.push([i, arg]);
        socket.emit("message", i, arg);
      }
      const got = (await rec.wait("message-back", start + count)).slice(start);
      assert.deepEqual(got.map(normalizeBinary), expected);
    });
  });
}
