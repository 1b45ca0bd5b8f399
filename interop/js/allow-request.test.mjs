// allowRequest with socket.io-client 4.8.x: a handshake the server's hook refuses (at once or
// after a while) ends in `connect_error` as the official client reports it, an allowed one
// (at once or after a while) connects, and the upgrade of an allowed polling session is not a
// handshake, so the hook does not see it. The fixture's rule (interop/fixtures/conformance.js)
// reads the query: deny=<message>, deny-later=<message>, allow-later, deny-websocket.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { io } from "socket.io-client";
import { MODES, URL, clientOptions, connect, once, roundTrip, upgraded } from "./lib/harness.mjs";

/** Connects with `query` and resolves with the `connect_error` the client reports. */
async function refusal(mode, query) {
  const socket = io(URL + "/", clientOptions(mode, { query }));
  try {
    const [err] = await once(socket, "connect_error", { rejectOn: ["connect"] });
    return err;
  } finally {
    socket.disconnect();
  }
}

/** What the client reports of a refused handshake, as it reports it for a transport failure. */
function assertTransportRefusal(mode, err) {
  assert.equal(err.type, "TransportError");
  if (mode === "websocket") {
    assert.equal(err.message, "websocket error");
  } else {
    // The handshake is a polling request, answered 403.
    assert.equal(err.message, "xhr poll error");
    assert.equal(err.description, 403);
  }
}

for (const mode of Object.keys(MODES)) {
  describe(`allowRequest (${mode})`, () => {
    test("a handshake refused at once gets connect_error", async () => {
      assertTransportRefusal(mode, await refusal(mode, { deny: "banned" }));
    });

    test("a handshake refused later gets connect_error", async () => {
      assertTransportRefusal(mode, await refusal(mode, { "deny-later": "banned" }));
    });

    test("a handshake allowed later connects and works", async () => {
      const { socket, rec } = await connect(mode, "/", { query: { "allow-later": "1" } });
      try {
        assert.deepEqual(await rec.wait("auth"), [[{}]]);
        assert.deepEqual(await roundTrip(socket, rec, "allowed", 1), ["allowed", 1]);
      } finally {
        socket.disconnect();
      }
    });
  });
}

describe("allowRequest and upgrades", () => {
  test("a hook refusing websocket handshakes refuses a websocket-only client", async () => {
    assertTransportRefusal("websocket", await refusal("websocket", { "deny-websocket": "1" }));
  });

  test("the upgrade of an allowed polling session is not asked about", async () => {
    const { socket, rec } = await connect("polling", "/", {
      ...MODES.upgrade,
      query: { "deny-websocket": "1" },
    });
    try {
      await upgraded(socket);
      assert.equal(socket.io.engine.transport.name, "websocket");
      assert.deepEqual(await roundTrip(socket, rec, "upgraded"), ["upgraded"]);
    } finally {
      socket.disconnect();
    }
  });
});
