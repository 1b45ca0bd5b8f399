// The chat example in a real browser (headless system Chromium via puppeteer-core): login,
// refusal without a session, messaging both ways over WebSocket and over forced long-polling
// (typing indicator, delivery ticks, private messages, announcements), and the admin kick.
//
//   node --test interop/browser/            builds and starts the chat example itself
//   CHAT_URL=http://127.0.0.1:3000 …        uses a running server (see harness.mjs)
//
// A screenshot of a chat page is written to artifacts/chat.png.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import {
  ADMIN_PASSWORD,
  ARTIFACTS,
  launchBrowser,
  login,
  newPage,
  PASSWORD,
  startChat,
  waitForState,
  waitForText,
  WAIT_MS,
} from "./harness.mjs";

let server;
let chromium;

before(async () => {
  server = await startChat();
  chromium = await launchBrowser();
});

after(async () => {
  await chromium?.close();
  await server?.stop();
});

/** The last message in `page`'s list with class `kind`, as plain data. */
function lastMessage(page, kind) {
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

async function closePages(...pages) {
  for (const p of pages) await p.browserContext().close();
}

describe("chat in the browser", () => {
  test("a page without login sees the connection refused", async () => {
    const page = await newPage(chromium.browser);
    await page.goto(`${server.url}/`);
    assert.equal(new URL(page.url()).pathname, "/login", "the home page sends strangers to the login form");

    await page.goto(`${server.url}/chat?room=lobby`);
    const status = await waitForState(page, "refused");
    assert.match(status, /not logged in/);
    assert.equal(await page.$eval("#me", (el) => el.textContent), "?", "no welcome without a session");
    assert.equal(await page.$$eval("#presence li", (l) => l.length), 0);
    assert.deepEqual(page.errors, []);
    await closePages(page);
  });

  test("a wrong password stays on the login form", async () => {
    const page = await newPage(chromium.browser);
    await page.goto(`${server.url}/login`);
    await page.type("#login-name", "mallory");
    await page.type("#login-password", "not-the-password");
    await Promise.all([page.waitForNavigation(), page.click("#login-submit")]);
    assert.equal(new URL(page.url()).pathname, "/login");
    await page.waitForSelector("#login-error:not([hidden])");
    assert.match(await page.$eval("#login-error", (el) => el.textContent), /Wrong name or password/);
    // The admin account needs the admin password, not the demo one.
    await page.type("#login-name", "admin");
    await page.type("#login-password", PASSWORD);
    await Promise.all([page.waitForNavigation(), page.click("#login-submit")]);
    assert.equal(new URL(page.url()).pathname, "/login");
    // Still no session.
    await page.goto(`${server.url}/chat`);
    assert.match(await waitForState(page, "refused"), /not logged in/);
    await closePages(page);
  });

  for (const transport of ["websocket", "polling"]) {
    test(`two users chat both ways (${transport})`, async () => {
      // Names and room of their own per run, so nothing from another test can interfere.
      const room = `room-${transport}`;
      const A = `alice-${transport}`;
      const B = `bob-${transport}`;
      const alice = await login(chromium.browser, server.url, { name: A, room, transport });
      const bob = await login(chromium.browser, server.url, { name: B, room, transport });

      // The transport the page ended up on: forced polling stays there; the default upgrades.
      await waitForTransport(alice, transport);
      await waitForTransport(bob, transport);

      // The session cookie is signed and HttpOnly: scripts cannot read it.
      const cookies = await alice.browserContext().cookies();
      const session = cookies.find((c) => c.name === "volley_chat_session");
      assert.ok(session, "session cookie set");
      assert.equal(session.httpOnly, true);
      assert.equal(await alice.evaluate(() => document.cookie.includes("volley_chat_session")), false);

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

      if (transport === "websocket") {
        mkdirSync(ARTIFACTS, { recursive: true });
        await alice.screenshot({ path: path.join(ARTIFACTS, "chat.png"), fullPage: true });
      }
      assert.deepEqual([...alice.errors, ...bob.errors], []);
      await closePages(alice, bob);
    });
  }

  test("the admin kicks a user and the kicked page shows it", async () => {
    const room = "room-kick";
    const admin = await login(chromium.browser, server.url, { name: "admin", password: ADMIN_PASSWORD, room });
    const dave = await login(chromium.browser, server.url, { name: "dave", room });
    const carol = await login(chromium.browser, server.url, { name: "carol", room });

    // Kicking is checked on the server: a non-admin asking gets an error and nobody leaves.
    const refused = await carol.evaluate(
      () => new Promise((resolve) => socket.emit("kick", "dave", resolve)),
    );
    assert.deepEqual(refused, { error: "only the admin can kick" });
    assert.equal(await dave.$eval("#status", (el) => el.dataset.state), "connected");

    // Only the admin's page has kick buttons.
    assert.equal(await carol.$$eval("#presence button.kick", (b) => b.length), 0);
    await admin.waitForSelector('#presence li[data-user="dave"] button.kick');
    await admin.click('#presence li[data-user="dave"] button.kick');

    const status = await waitForState(dave, "disconnected");
    assert.match(status, /io server disconnect/);
    assert.match(status, /kicked by admin/);

    // The others see dave leave, with the server-side reason.
    await waitForText(carol, "#activity li", `dave left #${room} (server namespace disconnect)`);
    await carol.waitForFunction(() => !document.querySelector('#presence li[data-user="dave"]'), { timeout: WAIT_MS });
    await waitForText(admin, "#activity li", "Kicked dave: 1 connection(s)");
    assert.equal(await carol.$eval("#status", (el) => el.dataset.state), "connected");
    assert.deepEqual([...admin.errors, ...dave.errors, ...carol.errors], []);
    await closePages(admin, dave, carol);
  });
});

/** Waits until the page shows `transport` as its current Engine.IO transport. */
async function waitForTransport(page, transport) {
  await page.waitForFunction((t) => document.getElementById("transport").textContent === t, { timeout: WAIT_MS }, transport);
}
