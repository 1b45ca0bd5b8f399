// Witness clients for suites of hostile probes: a WebSocket and a polling client connected before
// the suite, each checked after every test (still connected, still answered), so a probe that
// disturbs anyone but its own connection fails.
import assert from "node:assert/strict";
import { after, afterEach, before } from "node:test";
import { connect, roundTrip } from "./harness.mjs";

/** Registers the witness hooks in the current `describe`. */
export function withWitnesses() {
  const witnesses = [];
  let round = 0;

  before(async () => {
    witnesses.push(await connect("websocket"), await connect("polling"));
  });

  afterEach(async () => {
    round += 1;
    for (const { socket, rec } of witnesses) {
      assert.deepEqual(rec.disconnects, [], "a witness client was disconnected");
      assert.deepEqual(await roundTrip(socket, rec, "witness", round), ["witness", round]);
    }
  });

  after(() => witnesses.forEach(({ socket }) => socket.disconnect()));
}
