// The chat example as a cluster: two servers sharing a redis-server (REDIS_URL) and a cookie key
// (CHAT_SECRET), users on different servers. Messages, typing, ticks, private messages,
// announcements, presence and the admin kick all cross servers.
//
//   node --test interop/browser/cluster.test.mjs   starts redis-server and both servers itself
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { startRedis } from "../redis/lib.mjs";
import { ADMIN_PASSWORD, launchBrowser, login, startChat } from "./harness.mjs";
import { chatBothWays, closePages, kickScenario } from "./scenarios.mjs";

let redis;
let nodes = [];
let chromium;

before(async () => {
  redis = await startRedis();
  const env = { REDIS_URL: redis.url, CHAT_SECRET: randomBytes(32).toString("hex") };
  nodes = [await startChat({ env, name: "chat-node1" }), await startChat({ env, name: "chat-node2" })];
  chromium = await launchBrowser();
});

after(async () => {
  await chromium?.close();
  await Promise.all(nodes.map((n) => n.stop()));
  await redis?.stop();
});

describe("chat on two servers through Redis", () => {
  test("users on different servers chat both ways", async () => {
    const [one, two] = nodes;
    const room = "room-cluster";
    const A = "alice-cluster";
    const B = "bob-cluster";
    const alice = await login(chromium.browser, one.url, { name: A, room });
    const bob = await login(chromium.browser, two.url, { name: B, room });
    await chatBothWays({ alice, bob, A, B, room });
    assert.deepEqual([...alice.errors, ...bob.errors], []);
    await closePages(alice, bob);
  });

  test("the admin on one server kicks a user on the other", async () => {
    const [one, two] = nodes;
    const room = "room-cluster-kick";
    const admin = await login(chromium.browser, one.url, { name: "admin", password: ADMIN_PASSWORD, room });
    const victim = await login(chromium.browser, two.url, { name: "erin", room });
    const witness = await login(chromium.browser, one.url, { name: "frank", room });
    await kickScenario({ admin, victim, witness, V: "erin", room });
    assert.deepEqual([...admin.errors, ...victim.errors, ...witness.errors], []);
    await closePages(admin, victim, witness);
  });
});
