// Living connections, three ways: 200 concurrent clients with per-client ordering, disconnect and
// reconnect, automatic reconnection after a transport loss, and heartbeats.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { io } from "socket.io-client";
import {
  HEARTBEAT_URL,
  MODES,
  Recorder,
  URL,
  clientOptions,
  connect,
  once,
  roundTrip,
  upgraded,
  withoutStalls,
} from "./lib/harness.mjs";

const CLIENTS = 200;
const PER_CLIENT = 10;
const CONNECTING = 20;

for (const mode of Object.keys(MODES)) {
  describe(`lifecycle (${mode})`, () => {
    test(`${CLIENTS} concurrent clients each get exactly their own messages back, in order`, async () => {
      const clients = [];
      try {
        // At most CONNECTING handshakes are in flight at once.
        for (let c = 0; c < CLIENTS; c++) {
          const socket = io(URL, clientOptions(mode, { auth: { client: c }, autoConnect: false }));
          clients.push({ socket, rec: new Recorder(socket) });
        }
        let next = 0;
        const connectOne = async () => {
          while (next < CLIENTS) {
            const { socket } = clients[next++];
            socket.connect();
            await once(socket, "connect", { rejectOn: ["connect_error", "disconnect"] });
          }
        };
        await Promise.all(Array.from({ length: CONNECTING }, connectOne));
        const ids = new Set(clients.map(({ socket }) => socket.id));
        assert.equal(ids.size, CLIENTS, "every client has its own socket id");

        // Every client sends its whole sequence at once; all clients send concurrently.
        for (let seq = 0; seq < PER_CLIENT; seq++) {
          clients.forEach(({ socket }, c) => socket.emit("message", c, seq, `payload-${c}-${seq}`));
        }
        await Promise.all(
          clients.map(async ({ rec }, c) => {
            if (rec.disconnects.length) throw new Error(`client ${c} disconnected: ${rec.disconnects}`);
            const [auth] = await rec.wait("auth");
            assert.deepEqual(auth, [{ client: c }]);
            const got = await rec.wait("message-back", PER_CLIENT);
            const expected = Array.from({ length: PER_CLIENT }, (_, seq) => [c, seq, `payload-${c}-${seq}`]);
            assert.deepEqual(got, expected, `client ${c} got someone else's or reordered messages`);
          }),
        );
        // Nothing extra arrived anywhere.
        clients.forEach(({ rec }, c) => assert.equal(rec.all("message-back").length, PER_CLIENT, `client ${c}`));
        clients.forEach(({ rec }, c) => assert.deepEqual(rec.disconnects, [], `client ${c}`));
      } finally {
        clients.forEach(({ socket }) => socket.disconnect());
      }
    });

    test("a client disconnects, then connects again with a new socket and works", async () => {
      const { socket, rec } = await connect(mode, "/", { auth: { round: 1 } });
      try {
        const firstId = socket.id;
        assert.deepEqual(await roundTrip(socket, rec, "first"), ["first"]);

        const disconnected = once(socket, "disconnect");
        socket.disconnect();
        const [reason] = await disconnected;
        assert.equal(reason, "io client disconnect");
        assert.equal(socket.connected, false);

        socket.auth = { round: 2 };
        socket.connect();
        await once(socket, "connect", { rejectOn: ["connect_error"] });
        if (mode === "upgrade") await upgraded(socket);
        assert.notEqual(socket.id, firstId, "a reconnected socket has a new id");
        assert.deepEqual((await rec.wait("auth", 2)).map(([auth]) => auth), [{ round: 1 }, { round: 2 }]);
        assert.deepEqual(await roundTrip(socket, rec, "second"), ["second"]);
      } finally {
        socket.disconnect();
      }
    });

    test("after the transport is lost the client reconnects by itself and works", async () => {
      const { socket, rec } = await connect(mode, "/", { reconnection: true, reconnectionDelay: 50, reconnectionDelayMax: 100 });
      try {
        const firstEngine = socket.io.engine.id;
        const disconnected = once(socket, "disconnect");
        const reconnected = once(socket.io, "reconnect", { rejectOn: ["reconnect_failed"] });
        socket.io.engine.close();
        const [reason] = await disconnected;
        assert.equal(reason, "forced close");
        await reconnected;
        if (!socket.connected) await once(socket, "connect");
        assert.notEqual(socket.io.engine.id, firstEngine, "a new Engine.IO session");
        assert.deepEqual(await roundTrip(socket, rec, "after", { reconnect: true }), ["after", { reconnect: true }]);
      } finally {
        socket.disconnect();
      }
    });

    test("stays connected across several heartbeats, answering every ping, while messages flow", async () => {
      // On the server with the fixture's 300/200 ms heartbeat.
      await withoutStalls(async () => {
        const { socket, rec } = await connect(mode, "/", {}, HEARTBEAT_URL);
        try {
          const engineId = socket.io.engine.id;
          // Wait for five server pings (the client answers each with a pong); each ping also
          // sends a message, so pings and pongs interleave with traffic both ways.
          let pings = 0;
          await new Promise((resolve, reject) => {
            socket.on("disconnect", (reason) => reject(new Error(`disconnected (${reason}) after ${pings} pings`)));
            socket.io.on("ping", () => {
              pings += 1;
              socket.emit("message", "during", pings);
              if (pings === 5) resolve();
            });
          });
          assert.equal(socket.connected, true);
          assert.equal(socket.io.engine.id, engineId);
          assert.deepEqual(rec.disconnects, []);
          const during = await rec.wait("message-back", 5);
          assert.deepEqual(during, [1, 2, 3, 4, 5].map((n) => ["during", n]));
          assert.deepEqual(await roundTrip(socket, rec, "alive", pings), ["alive", pings]);
        } finally {
          socket.disconnect();
        }
      });
    });
  });
}
