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
} from "./harness.mjs";
import { chatBothWays, closePages, kickScenario, waitForTransport } from "./scenarios.mjs";

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

      await chatBothWays({ alice, bob, A, B, room });

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

    await kickScenario({ admin, victim: dave, witness: carol, V: "dave", room });
    assert.deepEqual([...admin.errors, ...dave.errors, ...carol.errors], []);
    await closePages(admin, dave, carol);
  });
});
