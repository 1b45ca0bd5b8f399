// The server's `onAny` (Volley: `SocketRef::on_any`), through the fixture's `/any` namespace:
// a listener hears every event socket.io-client sends, in addition to the event's handler and
// before it, the events without a handler and those an event middleware refuses too, binary
// included; it may answer the ack, and its answer wins over the handler's. Three ways.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { HANG_GUARD_MS, MODES, connect, normalizeBinary, patternBuffer } from "./lib/harness.mjs";

/** Emits `event` with `args` and an ack; resolves with the ack's arguments (all of them). */
function withAck(socket, event, ...args) {
  return new Promise((resolve, reject) => {
    socket.timeout(HANG_GUARD_MS).emit(event, ...args, (err, ...reply) => (err ? reject(err) : resolve(reply)));
  });
}

/** The recorded events' names from index `from` on. */
function namesFrom(rec, from) {
  return rec.events.slice(from).map((e) => e.event);
}

for (const mode of Object.keys(MODES)) {
  describe(`onAny (${mode})`, () => {
    let socket;
    let rec;

    before(async () => {
      ({ socket, rec } = await connect(mode, "/any"));
    });
    after(() => socket?.disconnect());

    test("an event with a handler is heard first, then handled", async () => {
      const from = rec.events.length;
      const args = [1, "two", { three: [3] }, null];
      socket.emit("echo", ...args);
      const [back] = await Promise.all([rec.next("echo-back"), rec.next("heard")]);
      assert.deepEqual(back, args);
      assert.deepEqual(rec.all("heard").at(-1), ["echo", args]);
      assert.deepEqual(namesFrom(rec, from), ["heard", "echo-back"]);
    });

    test("events without a handler are heard", async () => {
      const pending = rec.next("heard");
      socket.emit("nobody-handles-this", { a: 1 }, [true]);
      assert.deepEqual(await pending, ["nobody-handles-this", [{ a: 1 }, [true]]]);
    });

    test("an event the middleware refuses is heard, but not handled", async () => {
      const from = rec.events.length;
      socket.emit("refused", "x");
      socket.emit("echo", "after");
      await rec.next("echo-back");
      // One socket's events are handled in order: a handled `refused` would come first.
      assert.deepEqual(namesFrom(rec, from), ["heard", "heard", "echo-back"]);
      assert.deepEqual(rec.all("heard").slice(-2), [
        ["refused", ["x"]],
        ["echo", ["after"]],
      ]);
    });

    test("binary arguments reach the listener", async () => {
      const body = patternBuffer(1000, 7);
      const pending = rec.next("heard");
      socket.emit("upload", "file.bin", body, { nested: patternBuffer(3, 1) });
      const [name, args] = await pending;
      assert.equal(name, "upload");
      assert.deepEqual(normalizeBinary(args), ["file.bin", body, { nested: patternBuffer(3, 1) }]);
    });

    test("the listener answers an ack of an event without a handler", async () => {
      const heard = rec.next("heard");
      assert.deepEqual(await withAck(socket, "ack-by-any", 5, "x"), ["any", 5, "x"]);
      // The ack callback is not one of the arguments the listener sees.
      assert.deepEqual(await heard, ["ack-by-any", [5, "x"]]);
    });

    test("the listener's answer wins over the handler's", async () => {
      const heard = rec.wait("heard", rec.all("heard").length + 2);
      assert.deepEqual(await withAck(socket, "both-ack"), ["any"]);
      // Only one answer went out: the next ack round trip gets its own.
      assert.deepEqual(await withAck(socket, "ack-by-any", 2), ["any", 2]);
      await heard;
    });

    test("every event of a burst is heard, in order", async () => {
      const seen = rec.all("heard").length;
      const names = Array.from({ length: 20 }, (_, i) => `burst-${i}`);
      names.forEach((name, i) => socket.emit(name, i));
      const heard = (await rec.wait("heard", seen + names.length)).slice(seen);
      assert.deepEqual(
        heard,
        names.map((name, i) => [name, [i]]),
      );
    });
  });
}
