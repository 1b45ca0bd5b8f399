// The `bench` fixture on the Node reference server (socket.io 4.8.x, pinned by the root
// package-lock.json). Same contract as Volley's `bench` example: 127.0.0.1:$PORT, path
// /socket.io/, default heartbeat (25000/20000 ms), maxPayload 1e6.
//
//   node benches/node/bench-server.mjs        (PORT defaults to 3000)
//
// With REDIS_URL set it joins a cluster through @socket.io/redis-adapter (as Volley's `bench`
// does through volley-redis), for the cross-node fan-out benchmark.
import { createServer } from "node:http";
import { Server } from "socket.io";

const port = Number(process.env.PORT ?? 3000);
const httpServer = createServer();
const io = new Server(httpServer, {
  path: "/socket.io/",
  pingInterval: 25000,
  pingTimeout: 20000,
  maxHttpBufferSize: 1e6,
});
if (process.env.REDIS_URL) {
  const { createClient } = await import("redis");
  const { createAdapter } = await import("@socket.io/redis-adapter");
  const pub = createClient({ url: process.env.REDIS_URL });
  const sub = pub.duplicate();
  pub.on("error", () => {});
  sub.on("error", () => {});
  await Promise.all([pub.connect(), sub.connect()]);
  io.adapter(createAdapter(pub, sub));
}

io.on("connection", (socket) => {
  socket.on("echo", (...args) => {
    const ack = typeof args[args.length - 1] === "function" ? args.pop() : null;
    if (ack) ack(...args);
    else socket.emit("echo", ...args);
  });
  socket.on("broadcast", (...args) => {
    if (typeof args[args.length - 1] === "function") args.pop();
    io.emit("broadcast", ...args);
  });
  socket.on("join", (room, ack) => {
    socket.join(room);
    if (typeof ack === "function") ack(true);
  });
  socket.on("to", (room, ...args) => {
    if (typeof args[args.length - 1] === "function") args.pop();
    io.to(room).emit("to", ...args);
  });
});

httpServer.listen(port, "127.0.0.1", () => {
  console.log(`node bench fixture on 127.0.0.1:${port}`);
});
