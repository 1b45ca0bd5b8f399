// The browser client files under the Socket.IO path, as the reference's serveFile serves them:
// brotli, gzip or deflate chosen as `accepts(req).encodings(["br", "gzip", "deflate"])` chooses
// (the header's q first, then its order, then the server's), one ETag for every form, 304 on
// revalidation. Each encoded body decompresses to the plain one from the same server. Volley
// makes each form on a thread of its own from the first request on and, meanwhile, answers
// with the best form the request accepts that is made (or the file as it is), so a case is
// asked until it comes in the encoding the reference picks, every answer checked meanwhile.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { brotliDecompressSync, gunzipSync, inflateSync } from "node:zlib";
import { URL } from "./lib/harness.mjs";
import { rawGet } from "./lib/raw.mjs";

const FILE = `${URL}/socket.io/socket.io.min.js`;
const UNPACK = { br: brotliDecompressSync, gzip: gunzipSync, deflate: inflateSync };
const SETTLE_MS = 20000;

async function settled(accept, encoding, plain, etag) {
  const deadline = Date.now() + SETTLE_MS;
  for (;;) {
    const res = await rawGet(FILE, { "accept-encoding": accept });
    assert.equal(res.status, 200, accept);
    assert.equal(res.headers.etag, etag, accept);
    const got = res.headers["content-encoding"];
    const body = got ? UNPACK[got](res.body) : res.body;
    assert.ok(body.equals(plain.body), `${accept}: ${got} ${res.body.length} bytes`);
    if (got === encoding) return res;
    assert.ok(got === undefined || accept.includes(got) || accept.includes("*"), `${accept}: ${got}`);
    assert.ok(Date.now() < deadline, `${accept}: never ${encoding}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe("client files", () => {
  test("Accept-Encoding picks br, gzip or deflate as the reference does, each decompressing to the file", async () => {
    const plain = await rawGet(FILE);
    assert.equal(plain.status, 200);
    assert.equal(plain.headers["content-encoding"], undefined);
    assert.ok(plain.body.length > 1024, `${plain.body.length} bytes`);
    const etag = plain.headers.etag;
    assert.match(etag, /^"\d+\.\d+\.\d+"$/);
    const cases = [
      ["gzip, deflate, br, zstd", "gzip"], // what browsers send: gzip is named first
      ["br, gzip, deflate", "br"],
      ["br", "br"],
      ["*", "br"],
      ["br;q=0, *", "gzip"],
      ["gzip;q=0.5, br;q=0.8", "br"],
      ["deflate, br;q=0.9", "deflate"],
      ["br;q=0, gzip;q=0, deflate;q=0", undefined],
      ["zstd", undefined],
    ];
    for (const [accept, encoding] of cases) {
      const res = await settled(accept, encoding, plain, etag);
      if (encoding) assert.ok(res.body.length < plain.body.length / 2, accept);
    }
  });

  test("revalidation with the ETag (strong or weak) is 304 whatever the encoding asked for", async () => {
    const { headers } = await rawGet(FILE);
    for (const tag of [headers.etag, `W/${headers.etag}`]) {
      const res = await rawGet(FILE, { "accept-encoding": "br", "if-none-match": tag });
      assert.equal(res.status, 304, tag);
      assert.equal(res.headers["content-encoding"], undefined, tag);
      assert.equal(res.body.length, 0, tag);
    }
  });
});
