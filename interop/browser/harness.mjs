// Helpers for the browser tests: the chat server (the adapter-tokio example `chat`, a built chat
// binary named by CHAT_BIN — volley-async-std's, say — or CHAT_URL),
// the system Chromium driven by puppeteer-core, and logging in through the real login form.
// Waits have generous limits that only stop a hung test; no assertion depends on timing.
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { canConnect, freePort } from "../lib/net.mjs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import puppeteer from "puppeteer-core";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const ARTIFACTS = path.join(ROOT, "artifacts");
/** Upper bound for one wait (a hang guard, not an expectation). */
export const WAIT_MS = 30_000;
/** The demo accounts the server is started with. */
export const PASSWORD = "browser-test-pass";
export const ADMIN_PASSWORD = "browser-test-admin";

const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const TARGET_DIR = process.env.CARGO_TARGET_DIR || path.join(ROOT, "target");

/**
 * Starts the chat server on a free port, or uses CHAT_URL (which must be started with
 * CHAT_PASSWORD / CHAT_ADMIN_PASSWORD set to the values above). The server is CHAT_BIN (a built
 * chat binary, e.g. volley-async-std's copied out of target/, since both adapters' examples are
 * named `chat`) with the space-separated CHAT_ARGS (`--smol`), or else volley-tokio's example,
 * built first. `env` adds variables (REDIS_URL, CHAT_SECRET); `name` names the log file under
 * INTEROP_LOG_DIR (default target/interop/). Resolves to { url, stop() }.
 */
export async function startChat({ env = {}, name = "chat" } = {}) {
  if (process.env.CHAT_URL && name === "chat") {
    return { url: process.env.CHAT_URL.replace(/\/$/, ""), stop: async () => {} };
  }
  let bin = process.env.CHAT_BIN;
  const args = (process.env.CHAT_ARGS || "").split(" ").filter(Boolean);
  if (!bin) {
    const build = spawnSync("cargo", ["build", "--quiet", "--release", "-p", "volley-tokio", "--example", "chat"], {
      cwd: ROOT,
      stdio: "inherit",
    });
    if (build.status !== 0) throw new Error("cargo build of the chat example failed");
    bin = path.join(TARGET_DIR, "release", "examples", "chat");
  }
  const port = await freePort();
  const logDir = process.env.INTEROP_LOG_DIR || path.join(TARGET_DIR, "interop");
  mkdirSync(logDir, { recursive: true });
  const logFile = path.join(logDir, `${name}.log`);
  const out = openSync(logFile, "w");
  const child = spawn(bin, args, {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      CHAT_PASSWORD: PASSWORD,
      CHAT_ADMIN_PASSWORD: ADMIN_PASSWORD,
      ...env,
    },
    stdio: ["ignore", out, out],
  });
  let exited = null;
  child.on("exit", (code, signal) => (exited = { code, signal }));
  const started = Date.now();
  while (!(await canConnect(port))) {
    if (exited || Date.now() - started > WAIT_MS) {
      child.kill("SIGKILL");
      const log = readFileSync(logFile, "utf8");
      throw new Error(`chat server ${name} did not start (${JSON.stringify(exited)}); log:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
    await gone;
    clearTimeout(timer);
  };
  return { url: `http://127.0.0.1:${port}`, stop, logFile };
}

/** The system Chromium, headless, with a fresh profile; never downloads a browser. */
export async function launchBrowser() {
  const userDataDir = mkdtempSync(path.join(os.tmpdir(), "volley-chromium-"));
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      `--user-data-dir=${userDataDir}`,
    ],
  });
  const close = async () => {
    await browser.close();
    rmSync(userDataDir, { recursive: true, force: true });
  };
  return { browser, close };
}

/**
 * A new page in its own browser context (own cookies), with page errors collected so a test can
 * assert the page's script never threw.
 */
export async function newPage(browser) {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT_MS);
  page.errors = [];
  page.on("pageerror", (err) => page.errors.push(err.message));
  return page;
}

/** Waits until `#status` has data-state `state`; returns the status text. */
export async function waitForState(page, state) {
  await page.waitForFunction((s) => document.getElementById("status")?.dataset.state === s, { timeout: WAIT_MS }, state);
  return page.$eval("#status", (el) => el.textContent);
}

/**
 * Logs `name` in through the login form, landing in `room`; with `transport` "polling" the chat
 * page is then opened with ?transport=polling. Resolves once the page is connected.
 */
export async function login(browser, url, { name, password = PASSWORD, room, transport }) {
  const page = await newPage(browser);
  await page.goto(`${url}/login`);
  await page.type("#login-name", name);
  await page.type("#login-password", password);
  await page.$eval("#login-room", (el, r) => (el.value = r), room);
  await Promise.all([page.waitForNavigation(), page.click("#login-submit")]);
  const landed = new URL(page.url());
  if (landed.pathname !== "/chat" || landed.searchParams.get("room") !== room) {
    throw new Error(`login of ${name} landed on ${page.url()}`);
  }
  if (transport === "polling") {
    await page.goto(`${url}/chat?room=${room}&transport=polling`);
  }
  await waitForState(page, "connected");
  await page.waitForFunction((n) => document.getElementById("me").textContent.startsWith(n), { timeout: WAIT_MS }, name);
  return page;
}

/** Waits until `selector` matches an element whose text includes `text`. */
export async function waitForText(page, selector, text) {
  await page.waitForFunction(
    (sel, t) => [...document.querySelectorAll(sel)].some((el) => el.textContent.includes(t)),
    { timeout: WAIT_MS },
    selector,
    text,
  );
}
