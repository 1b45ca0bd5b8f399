// Connecting with socket.io-client 4.8.x, three ways: namespaces, auth, invalid namespace,
// multiplexing, and the polling → WebSocket upgrade.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { MODES, Recorder, connect, manager, once, roundTrip, upgraded } from "./lib/harness.mjs";

const AUTH = { token: "s3cr€t", user: { id: 42, roles: ["admin", "ops"] }, flag: true, none: null };

for (const mode of Object.keys(MODES)) {
  describe(`connect (${mode})`, () => {
    for (const nsp of ["/", "/custom"]) {
      test(`${nsp} without auth gets auth {} back`, async () => {
        const { socket, rec } = await connect(mode, nsp);
        try {
          assert.equal(socket.connected, true);
          assert.equal(typeof socket.id, "string");
          assert.ok(socket.id.length > 0);
          const [auth] = await rec.wait("auth");
          assert.deepEqual(auth, [{}]);
        } finally {
          socket.disconnect();
        }
      });

      test(`${nsp} with auth gets the same auth back`, async () => {
        const { socket, rec } = await connect(mode, nsp, { auth: AUTH });
        try {
          const [auth] = await rec.wait("auth");
          assert.deepEqual(auth, [AUTH]);
          assert.equal(JSON.stringify(auth[0]), JSON.stringify(AUTH), "key order is kept");
        } finally {
          socket.disconnect();
        }
      });
    }

    test("an unknown namespace is refused with Invalid namespace and the connection stays usable", async () => {
      const m = manager(mode);
      const bad = m.socket("/does-not-exist");
      const good = m.socket("/");
      const rec = new Recorder(good);
      try {
        good.connect();
        await once(good, "connect", { rejectOn: ["connect_error"] });
        const engineId = m.engine.id;

        bad.connect();
        const [err] = await once(bad, "connect_error", { rejectOn: ["connect"] });
        assert.equal(err.message, "Invalid namespace");
        assert.equal(bad.connected, false);

        // Same Engine.IO connection: the refusal closed neither it nor the other namespace.
        assert.equal(m.engine.id, engineId);
        assert.equal(good.connected, true);
        assert.deepEqual(await roundTrip(good, rec, "still", "here"), ["still", "here"]);
        assert.deepEqual(rec.disconnects, []);
      } finally {
        bad.disconnect();
        good.disconnect();
      }
    });

    test("/ and /custom share one connection, each with its own socket id and auth", async () => {
      const m = manager(mode);
      const root = m.socket("/", { auth: { ns: "root" } });
      const custom = m.socket("/custom", { auth: { ns: "custom" } });
      const rootRec = new Recorder(root);
      const customRec = new Recorder(custom);
      try {
        root.connect();
        custom.connect();
        await Promise.all([
          once(root, "connect", { rejectOn: ["connect_error"] }),
          once(custom, "connect", { rejectOn: ["connect_error"] }),
        ]);
        assert.notEqual(root.id, custom.id);
        assert.notEqual(root.id, m.engine.id, "the Socket.IO id is not the Engine.IO sid");
        assert.deepEqual(await rootRec.wait("auth"), [[{ ns: "root" }]]);
        assert.deepEqual(await customRec.wait("auth"), [[{ ns: "custom" }]]);
        // `message` is only handled on `/`: the /custom socket gets nothing back.
        custom.emit("message", "to-custom");
        assert.deepEqual(await roundTrip(root, rootRec, "to-root"), ["to-root"]);
        assert.equal(customRec.all("message-back").length, 0);
      } finally {
        root.disconnect();
        custom.disconnect();
      }
    });

    test("a disconnected namespace leaves the other one working on the same connection", async () => {
      const m = manager(mode);
      const root = m.socket("/");
      const custom = m.socket("/custom");
      const rootRec = new Recorder(root);
      try {
        root.connect();
        custom.connect();
        await Promise.all([once(root, "connect"), once(custom, "connect")]);
        const [reason] = await Promise.all([once(custom, "disconnect").then(([r]) => r), custom.disconnect()]);
        assert.equal(reason, "io client disconnect");
        assert.equal(root.connected, true);
        assert.deepEqual(await roundTrip(root, rootRec, 1, 2, 3), [1, 2, 3]);
      } finally {
        root.disconnect();
      }
    });
  });
}

describe("upgrade", () => {
  test("polling then upgrade ends on websocket with messages flowing across the switch", async () => {
    const { socket, rec } = await connect("polling", "/", { transports: ["polling", "websocket"], upgrade: true });
    try {
      // Messages sent while the upgrade may still be in flight must all arrive, in order.
      const sent = [];
      for (let i = 0; i < 20; i++) {
        sent.push(i);
        socket.emit("message", i);
      }
      await upgraded(socket);
      assert.equal(socket.io.engine.transport.name, "websocket");
      for (let i = 20; i < 40; i++) {
        sent.push(i);
        socket.emit("message", i);
      }
      const got = await rec.wait("message-back", sent.length);
      assert.deepEqual(got.map((args) => args[0]), sent);
    } finally {
      socket.disconnect();
    }
  });
});
