// The browser client files under the Socket.IO path, as the reference's serveFile serves them:
// brotli, gzip or deflate chosen as `accepts(req).encodings(["br", "gzip", "deflate"])` chooses
// (the header's q first, then its order, then the server's), one ETag for every form, 304 on
// revalidation. Each encoded body decompresses to the plain one from the same server.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { brotliDecompressSync, gunzipSync, inflateSync } from "node:zlib";
import { URL } from "./lib/harness.mjs";
import { rawGet } from "./lib/raw.mjs";

const FILE = `${URL}/socket.io/socket.io.min.js`;
const UNPACK = { br: brotliDecompressSync, gzip: gunzipSync, deflate: inflateSync };

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
      const res = await rawGet(FILE, { "accept-encoding": accept });
      assert.equal(res.status, 200, accept);
      assert.equal(res.headers["content-encoding"], encoding, accept);
      assert.equal(res.headers.etag, etag, accept);
      const body = encoding ? UNPACK[encoding](res.body) : res.body;
      assert.ok(body.equals(plain.body), `${accept}: ${res.body.length} bytes`);
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
