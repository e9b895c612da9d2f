// sigv4_oracle.cjs — re-signs requests with @smithy/signature-v4 for the fake
// Bedrock runtime (fake_bedrock.py). One JSON request per stdin line:
//   {"method","host","path","query":{...},"headers":{...},"body_b64",
//    "region","service","ak","sk","token","amz_date":"YYYYMMDDTHHMMSSZ",
//    "content_sha256": bool}
// headers = the signed headers other than host, x-amz-date,
// x-amz-security-token and x-amz-content-sha256 (smithy adds those itself;
// the last one only with content_sha256). One JSON answer per line:
//   {"authorization": "...", "amz_date": "...", "token": "..."} or {"error": "..."}
// Usage: NODE_PATH=build/npm/node_modules node sigv4_oracle.cjs
"use strict";
const readline = require("readline");
const { SignatureV4 } = require("@smithy/signature-v4");
const { Sha256 } = require("@aws-crypto/sha256-js");
const { HttpRequest } = require("@smithy/protocol-http");

const toDate = (s) => new Date(Date.UTC(+s.slice(0, 4), +s.slice(4, 6) - 1, +s.slice(6, 8),
  +s.slice(9, 11), +s.slice(11, 13), +s.slice(13, 15)));

const rl = readline.createInterface({ input: process.stdin });
rl.on("line", async (line) => {
  let out;
  try {
    const q = JSON.parse(line);
    const signer = new SignatureV4({
      credentials: { accessKeyId: q.ak, secretAccessKey: q.sk, sessionToken: q.token || undefined },
      region: q.region, service: q.service, sha256: Sha256, uriEscapePath: true,
      applyChecksum: !!q.content_sha256,
    });
    const req = new HttpRequest({
      method: q.method, protocol: "http:", hostname: q.host.split(":")[0], path: q.path,
      query: q.query || {}, headers: Object.assign({ host: q.host }, q.headers || {}),
      body: Buffer.from(q.body_b64 || "", "base64"),
    });
    const s = await signer.sign(req, { signingDate: toDate(q.amz_date) });
    out = { authorization: s.headers["authorization"], amz_date: s.headers["x-amz-date"],
            token: s.headers["x-amz-security-token"] || "" };
  } catch (e) {
    out = { error: String(e && e.message || e) };
  }
  process.stdout.write(JSON.stringify(out) + "\n");
});
