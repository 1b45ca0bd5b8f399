// Shared helpers of the Redis cluster fixtures: a throwaway redis-server on a free port, and a
// Node socket.io node using @socket.io/redis-adapter (the reference cluster member).
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import { createClient } from "redis";
import { Server } from "socket.io";
import { createAdapter } from "@socket.io/redis-adapter";
import { canConnect, freePort } from "../lib/net.mjs";

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts `redis-server` (no persistence) on `port` (a free one by default); resolves once it
 * accepts connections. `stop()` ends it and waits for the exit.
 */
export async function startRedis(port) {
  port = port ?? (await freePort());
  const child = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    { stdio: "ignore" },
  );
  let exited = false;
  child.on("exit", () => (exited = true));
  const started = Date.now();
  while (!(await canConnect(port))) {
    if (exited) throw new Error("redis-server exited before listening (is it installed?)");
    if (Date.now() - started > 10_000) throw new Error("redis-server did not listen");
    await sleep(50);
  }
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      if (exited) return;
      const gone = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await gone;
    },
  };
}

/** A Redis client that retries quickly and never throws on connection loss. */
export async function redisClient(url) {
  const client = createClient({
    url,
    socket: { reconnectStrategy: (retries) => Math.min(50 * 2 ** retries, 1000) },
  });
  client.on("error", () => {});
  await client.connect();
  return client;
}

/**
 * A socket.io node on a free port with the reference Redis adapter (classic, default key).
 * Returns { io, port, close() }.
 */
export async function startNodeNode(redisUrl, opts = {}) {
  const pub = await redisClient(redisUrl);
  const sub = pub.duplicate();
  sub.on("error", () => {});
  await sub.connect();
  const httpServer = createServer();
  const io = new Server(httpServer, {
    adapter: createAdapter(pub, sub, opts.adapter ?? {}),
    pingInterval: 2000,
    pingTimeout: 2000,
  });
  await new Promise((r) => httpServer.listen(0, "127.0.0.1", r));
  return {
    io,
    port: httpServer.address().port,
    async close() {
      io.close();
      await Promise.allSettled([pub.quit(), sub.quit()]);
    },
  };
}
