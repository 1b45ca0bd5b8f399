// A socket's `disconnecting` listener runs while the socket is still connected and in its
// rooms (the reference's `Socket._onclose` emits `disconnecting` before `_cleanup`): a room
// count taken there includes it, whatever the reason it leaves for, and a broadcast from there
// still reaches the other sockets in the room.
//
// Sockets the server disconnects together leave one after the other (`disconnectSockets` calls
// each socket's `disconnect` in turn): a broadcast from one socket's listener still reaches the
// sockets not disconnected yet. At shutdown (`io.close()`, Ctrl-C) the listeners run before the
// connections close, so what they send still arrives.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { HANG_GUARD_MS, MODES, connect, once } from "./lib/harness.mjs";
import { startOwnServer } from "./lib/own-server.mjs";

const WAYS = [
  ["the client leaves the namespace", "client namespace disconnect", (socket) => socket.disconnect()],
  ["the server disconnects it", "server namespace disconnect", (socket) => socket.emit("server-disconnect")],
  ["its connection closes", "transport close", (socket) => socket.io.engine.close()],
];

/** Joins `room` and adds the contract's `watch-leaving` listener (see the fixture). */
async function watchInRoom(socket, room) {
  await socket.timeout(HANG_GUARD_MS).emitWithAck("join", room);
  await socket.timeout(HANG_GUARD_MS).emitWithAck("watch-leaving");
}

for (const mode of Object.keys(MODES)) {
  describe(`disconnecting (${mode})`, () => {
    for (const [how, reason, leave] of WAYS) {
      test(`when ${how}, the disconnecting listener still counts the socket in its rooms`, async () => {
        const room = `leaving-${mode}-${reason.replaceAll(" ", "-")}`;
        const clients = [];
        try {
          const leaver = await connect(mode);
          clients.push(leaver);
          const watcher = await connect(mode);
          clients.push(watcher);
          for (const { socket } of clients) await socket.timeout(HANG_GUARD_MS).emitWithAck("join", room);
          await leaver.socket.timeout(HANG_GUARD_MS).emitWithAck("watch-leaving");
          const heard = watcher.rec.next("leaving");
          leave(leaver.socket);
          assert.deepEqual(await heard, [{ reason, room, count: 2, connected: true }]);
        } finally {
          for (const { socket } of clients) socket.disconnect();
        }
      });
    }

    test("when the server disconnects a room, its sockets leave one after the other", async () => {
      const room = `disconnect-room-${mode}`;
      const clients = [];
      try {
        const members = [];
        for (let i = 0; i < 3; i++) {
          const member = await connect(mode);
          clients.push(member);
          members.push(member);
          await watchInRoom(member.socket, room);
        }
        const controller = await connect(mode);
        clients.push(controller);
        const gone = members.map(({ socket }) => once(socket, "disconnect"));
        await controller.socket.timeout(HANG_GUARD_MS).emitWithAck("disconnect-room", room);
        for (const [reason] of await Promise.all(gone)) assert.equal(reason, "io server disconnect");
        // Each member heard the listeners of the members disconnected before it (the room
        // counted one fewer each time), nothing of its own or of those after it.
        const heard = members.map(({ rec }) => rec.all("leaving").map(([leaving]) => leaving));
        heard.sort((a, b) => a.length - b.length);
        const leaving = (count) => ({ reason: "server namespace disconnect", room, count, connected: true });
        assert.deepEqual(heard, [[], [leaving(3)], [leaving(3), leaving(2)]]);
      } finally {
        for (const { socket } of clients) socket.disconnect();
      }
    });
  });
}

describe("disconnecting at shutdown (websocket)", () => {
  // Over WebSocket only: a polling client gets what the listeners send only if a GET of it is
  // parked at that moment, on the reference as on Volley.
  test("the disconnecting listeners run before the connections close, and what they send arrives", async () => {
    const server = await startOwnServer("socketio-shutdown");
    const room = "shutting-down";
    const clients = [];
    try {
      for (let i = 0; i < 2; i++) {
        const client = await connect("websocket", "/", {}, server.url);
        clients.push(client);
        await watchInRoom(client.socket, room);
      }
      const heard = clients.map(({ rec }) => rec.next("leaving"));
      const gone = clients.map(({ socket }) => once(socket, "disconnect"));
      server.interrupt();
      // The first socket to leave broadcast to the room while both were still in it and
      // connected: its own client and the other one heard it.
      for (const got of await Promise.all(heard)) {
        assert.deepEqual(got, [{ reason: "server shutting down", room, count: 2, connected: true }]);
      }
      for (const [reason] of await Promise.all(gone)) assert.equal(reason, "transport close");
      assert.deepEqual(await server.exited, { code: 0, signal: null });
    } finally {
      for (const { socket } of clients) socket.disconnect();
      await server.stop();
    }
  });
});
