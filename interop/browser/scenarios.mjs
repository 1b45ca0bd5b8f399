// Browser scenarios shared by the chat suites (one server, or a cluster of servers): each takes
// logged-in pages and asserts what every page shows. Waits are conditions with hang guards.
import assert from "node:assert/strict";
import { waitForState, waitForText, WAIT_MS } from "./harness.mjs";

/** The last message in `page`'s list with class `kind`, as plain data. */
export function lastMessage(page, kind) {
  return page.$$eval(`#messages li.${kind}`, (items) => {
    const li = items.at(-1);
    return li && {
      from: li.querySelector(".from").textContent,
      text: li.querySelector(".text").textContent,
      ticks: li.dataset.ticks ?? null,
    };
  });
}

async function typingUsers(page) {
  return page.$eval("#typing", (el) => el.dataset.users ?? "");
}

/** Closes the pages' browser contexts (their connections drop). */
export async function closePages(...pages) {
  for (const p of pages) await p.browserContext().close();
}

/** Waits until the page shows `transport` as its current Engine.IO transport. */
export async function waitForTransport(page, transport) {
  await page.waitForFunction((t) => document.getElementById("transport").textContent === t, { timeout: WAIT_MS }, transport);
}

/**
 * Users A (page `alice`) and B (page `bob`), both in `room`, see each other online, see each other
 * type, exchange messages both ways with delivery ticks, a private message and an announcement.
 */
export async function chatBothWays({ alice, bob, A, B, room }) {
  // Presence: each sees the other, in the room.
  await alice.waitForSelector(`#presence li[data-user="${B}"]`);
  await bob.waitForSelector(`#presence li[data-user="${A}"]`);
  assert.equal(await alice.$eval(`#presence li[data-user="${B}"] .rooms`, (el) => el.textContent), `#${room}`);

  // Typing indicator: bob sees alice typing; alice never sees her own.
  await alice.type("#message-input", "hello bob");
  await bob.waitForFunction((a) => document.getElementById("typing").dataset.users === a, {}, A);
  assert.equal(await typingUsers(alice), "");

  // alice → bob, with delivery ticks from the acknowledgements.
  await alice.keyboard.press("Enter");
  await waitForText(bob, "#messages li.theirs .text", "hello bob");
  assert.deepEqual(await lastMessage(bob, "theirs"), { from: A, text: "hello bob", ticks: null });
  await alice.waitForSelector('#messages li.mine[data-ticks="delivered"]');
  assert.equal((await lastMessage(alice, "mine")).text, "hello bob");
  // Sending ends the typing indicator.
  await bob.waitForFunction(() => document.getElementById("typing").dataset.users === "");

  // bob → alice.
  await bob.type("#message-input", "hi alice");
  await alice.waitForFunction((b) => document.getElementById("typing").dataset.users === b, {}, B);
  await bob.keyboard.press("Enter");
  await waitForText(alice, "#messages li.theirs .text", "hi alice");
  assert.equal((await lastMessage(alice, "theirs")).from, B);
  await bob.waitForSelector('#messages li.mine[data-ticks="delivered"]');

  // A private message reaches bob through his user room.
  await alice.type("#private-to", B);
  await alice.type("#private-input", "just for you");
  await alice.click("#private-send");
  await waitForText(bob, "#messages li.private .text", "just for you");
  assert.equal((await lastMessage(bob, "private")).from, `${A} → ${B}`);
  await alice.waitForSelector('#messages li.private.mine[data-ticks="sent"]');

  // An announcement reaches everyone, the sender included.
  await bob.type("#announce-input", "pizza at noon");
  await bob.click("#announce-send");
  await waitForText(alice, "#messages li.announcement .text", "pizza at noon");
  await waitForText(bob, "#messages li.announcement .text", "pizza at noon");
}

/**
 * The admin page kicks user V (page `victim`): the victim's page shows the server-side
 * disconnect, the witness sees V leave with the reason, and a non-admin cannot kick.
 */
export async function kickScenario({ admin, victim, witness, V, room }) {
  // Kicking is checked on the server: a non-admin asking gets an error and nobody leaves.
  const refused = await witness.evaluate((v) => new Promise((resolve) => socket.emit("kick", v, resolve)), V);
  assert.deepEqual(refused, { error: "only the admin can kick" });
  assert.equal(await victim.$eval("#status", (el) => el.dataset.state), "connected");

  // Only the admin's page has kick buttons.
  assert.equal(await witness.$$eval("#presence button.kick", (b) => b.length), 0);
  // Find and click the button in one turn of the page: the presence list is re-rendered on
  // every presence update (in the cluster, updates from the other server can arrive at any
  // time), so an element handle taken first can be detached by the time it is clicked.
  await admin.waitForFunction(
    (v) => {
      const button = document.querySelector(`#presence li[data-user="${v}"] button.kick`);
      button?.click();
      return Boolean(button);
    },
    { timeout: WAIT_MS },
    V,
  );

  const status = await waitForState(victim, "disconnected");
  assert.match(status, /io server disconnect/);
  assert.match(status, /kicked by admin/);

  // The others see the victim leave, with the server-side reason.
  await waitForText(witness, "#activity li", `${V} left #${room} (server namespace disconnect)`);
  await witness.waitForFunction((v) => !document.querySelector(`#presence li[data-user="${v}"]`), { timeout: WAIT_MS }, V);
  await waitForText(admin, "#activity li", `Kicked ${V}: 1 connection(s)`);
  assert.equal(await witness.$eval("#status", (el) => el.dataset.state), "connected");
}
