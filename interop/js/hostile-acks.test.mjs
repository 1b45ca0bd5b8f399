// Event middleware and acks, probed raw on `/custom`, whose fixture middleware refuses `refused`
// (the server then emits `middleware-error`) and lets `slow-with-ack` through 20 ms later; every
// guarded event acks with its arguments. A refused event is never acked, its ack id is free for
// the next event; ack ids reused by the client, unknown ones, and floods of acked events behind
// slow ones are each answered once; two witness clients keep working through all of it.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { URL } from "./lib/harness.mjs";
import { RawWs, eioUrl } from "./lib/raw.mjs";
import { withWitnesses } from "./lib/witnesses.mjs";

const NSP = "/custom";

/** A raw WebSocket joined to `/custom` (its `auth` event read). */
async function joinedCustom() {
  const ws = new RawWs(eioUrl(URL, "/socket.io/", { transport: "websocket" }));
  await ws.opened;
  await ws.next();
  ws.send(`40${NSP},`);
  assert.match(await ws.nextNonPing(), /^40\/custom,\{"sid":"[^"]+"\}$/);
  assert.equal(await ws.nextNonPing(), '42/custom,["auth",{}]');
  return ws;
}

/** The next `count` messages that are not pings. */
async function nextMessages(ws, count) {
  const out = [];
  while (out.length < count) out.push(await ws.nextNonPing());
  return out;
}

describe("event middleware and acks, probed raw", () => {
  withWitnesses();

  test("an event refused by the middleware is not acked, and its ack id serves the next event", async () => {
    const ws = await joinedCustom();
    try {
      ws.send(`42${NSP},7["refused","x"]`);
      ws.send(`42${NSP},7["message-with-ack","y"]`);
      assert.deepEqual(await nextMessages(ws, 2), [
        `42${NSP},["middleware-error","refused by middleware"]`,
        `43${NSP},7["y"]`,
      ]);
    } finally {
      ws.close();
    }
  });

  test("an ack id reused while its first event waits for a slow middleware: each event is answered once", async () => {
    const ws = await joinedCustom();
    try {
      ws.send(`42${NSP},1["slow-with-ack","a"]`);
      ws.send(`42${NSP},1["message-with-ack","b"]`);
      ws.send(`42${NSP},1["refused","c"]`);
      ws.send(`42${NSP},2["message-with-ack","d"]`);
      const got = await nextMessages(ws, 4);
      // The reference runs each event's middleware on its own, so the slow one may be
      // answered last; Volley keeps arrival order. Either way: once each, never the refused one.
      assert.deepEqual([...got].sort(), [
        `42${NSP},["middleware-error","refused by middleware"]`,
        `43${NSP},1["a"]`,
        `43${NSP},1["b"]`,
        `43${NSP},2["d"]`,
      ]);
    } finally {
      ws.close();
    }
  });

  test("acks the server never asked for (unknown, repeated ids) are ignored", async () => {
    const ws = await joinedCustom();
    try {
      for (const ack of ["999[1]", "0[]", "0[]", "18446744073709551615[]"]) ws.send(`43${NSP},${ack}`);
      ws.send(`42${NSP},3["message-with-ack","still"]`);
      assert.deepEqual(await nextMessages(ws, 1), [`43${NSP},3["still"]`]);
    } finally {
      ws.close();
    }
  });

  test("a flood of acked events, some slow and some refused, is answered once per accepted event", async () => {
    const ws = await joinedCustom();
    const N = 3000;
    try {
      const expected = [];
      for (let i = 0; i < N; i++) {
        const name = i % 500 === 0 ? "slow-with-ack" : i % 7 === 0 ? "refused" : "message-with-ack";
        ws.send(`42${NSP},${i}["${name}",${i}]`);
        expected.push(name === "refused" ? `42${NSP},["middleware-error","refused by middleware"]` : `43${NSP},${i}[${i}]`);
      }
      const got = await nextMessages(ws, N);
      assert.deepEqual([...got].sort(), [...expected].sort());
    } finally {
      ws.close();
    }
  });
});
