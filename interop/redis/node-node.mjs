// A Node.js socket.io cluster member with @socket.io/redis-adapter (classic, default key), speaking
// the cluster test protocol that cluster-redis/examples/cluster_node.rs speaks too:
//
//   PORT=3000 REDIS_URL=redis://127.0.0.1:6379 NODE_NAME=node node interop/redis/node-node.mjs
//
// On connection a socket joins the rooms in its CONNECT auth (`auth.rooms`) and keeps
// `{name: auth.name}` as its data. Test commands (events with an ack):
//   do-broadcast {to, except, event, args}   io.to(to).except(except).emit(event, ...args)
//   do-broadcast-ack {to, event, timeout}    io.to(to).timeout(t).emit(event) → {timedOut, responses}
//   do-fetch {to, except}                    io.in(to).except(except).fetchSockets() → [{id, rooms, data}]
//   do-sse {event, args}                     io.serverSideEmit(event, ...args)
//   do-sse-ack {event, args}                 io.serverSideEmitWithAck(event, ...args) → replies (3 s)
//   do-join {to, room} / do-leave {to, room} io.in(to).socketsJoin(room) / socketsLeave(room)
//   do-disconnect {to}                       io.in(to).disconnectSockets(true)
//   do-count                                 the adapter's serverCount()
//   do-remote {name, action, ...}            the socket whose data.name is `name`, from
//       io.fetchSockets() (on any node), acted on as a RemoteSocket: join {rooms},
//       leave {room}, emit {event, args}, ack {event, timeout} (timeout(t).emitWithAck(event)
//       → {id, response} or {id, error: "timeout"}), disconnect {close} → {id}
// Server-side events: `sse-hello` (data) → local emit `sse-got` [NODE_NAME, data];
// `sse-ping` (data, cb) → cb(`pong-${NODE_NAME}`).
import { createServer } from "node:http";
import { Server } from "socket.io";
import { createAdapter } from "@socket.io/redis-adapter";
import { redisClient } from "./lib.mjs";

const NAME = process.env.NODE_NAME || "node";
const pub = await redisClient(process.env.REDIS_URL);
const sub = pub.duplicate();
sub.on("error", () => {});
await sub.connect();

const httpServer = createServer();
const io = new Server(httpServer, { adapter: createAdapter(pub, sub, { requestsTimeout: 3000 }) });

const sorted = (list) => [...list].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
const select = ({ to = [], except = [] } = {}) => io.in(to).except(except);

io.on("sse-hello", (data) => io.local.emit("sse-got", NAME, data));
io.on("sse-ping", (_data, cb) => cb(`pong-${NAME}`));

io.on("connection", (socket) => {
  socket.join(socket.handshake.auth.rooms ?? []);
  socket.data = { name: socket.handshake.auth.name ?? null };

  socket.on("do-broadcast", ({ to = [], except = [], event, args = [] }, ack) => {
    io.to(to).except(except).emit(event, ...args);
    ack("ok");
  });
  socket.on("do-broadcast-ack", ({ to = [], event, timeout = 2000 }, ack) => {
    io.to(to)
      .timeout(timeout)
      .emit(event, (err, responses) => ack({ timedOut: !!err, responses: [...responses].sort() }));
  });
  socket.on("do-fetch", async (opts, ack) => {
    try {
      const sockets = await select(opts).fetchSockets();
      ack(sorted(sockets.map((s) => ({ id: s.id, rooms: [...s.rooms].sort(), data: s.data }))));
    } catch (err) {
      ack({ error: err.message });
    }
  });
  socket.on("do-sse", ({ event, args = [] }, ack) => {
    io.serverSideEmit(event, ...args);
    ack("ok");
  });
  socket.on("do-sse-ack", async ({ event, args = [] }, ack) => {
    try {
      const replies = await io.serverSideEmitWithAck(event, ...args);
      ack({ replies: [...replies].sort() });
    } catch (err) {
      ack({ error: err.message });
    }
  });
  socket.on("do-join", ({ to = [], room }, ack) => {
    select({ to }).socketsJoin(room);
    ack("ok");
  });
  socket.on("do-leave", ({ to = [], room }, ack) => {
    select({ to }).socketsLeave(room);
    ack("ok");
  });
  socket.on("do-disconnect", ({ to = [] }, ack) => {
    select({ to }).disconnectSockets(true);
    ack("ok");
  });
  socket.on("do-remote", async (cmd, ack) => {
    const found = (await io.fetchSockets()).find((s) => s.data?.name === cmd.name);
    if (!found) return ack({ error: "not found" });
    const id = found.id;
    switch (cmd.action) {
      case "join":
        found.join(cmd.rooms);
        break;
      case "leave":
        found.leave(cmd.room);
        break;
      case "emit":
        found.emit(cmd.event, ...(cmd.args ?? []));
        break;
      case "ack":
        try {
          const response = await found.timeout(cmd.timeout ?? 2000).emitWithAck(cmd.event);
          return ack({ id, response: response ?? null });
        } catch {
          return ack({ id, error: "timeout" });
        }
      case "disconnect":
        found.disconnect(cmd.close === true);
        break;
      default:
        return ack({ error: `unknown action ${cmd.action}` });
    }
    ack({ id });
  });
  socket.on("do-count", async (ack) => ack(await io.of("/").adapter.serverCount()));
});

httpServer.listen(Number(process.env.PORT || 3000), "127.0.0.1", () => {
  console.log(`${NAME} listening on 127.0.0.1:${httpServer.address().port}`);
});
const stop = () => {
  io.close();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
