// A socket's `disconnecting` listener runs while the socket is still connected and in its
// rooms (the reference's `Socket._onclose` emits `disconnecting` before `_cleanup`): a room
// count taken there includes it, whatever the reason it leaves for, and a broadcast from there
// still reaches the other sockets in the room.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { HANG_GUARD_MS, MODES, connect } from "./lib/harness.mjs";

const WAYS = [
  ["the client leaves the namespace", "client namespace disconnect", (socket) => socket.disconnect()],
  ["the server disconnects it", "server namespace disconnect", (socket) => socket.emit("server-disconnect")],
  ["its connection closes", "transport close", (socket) => socket.io.engine.close()],
];

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
  });
}
