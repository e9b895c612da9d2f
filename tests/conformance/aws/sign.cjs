// sign.cjs — SigV4 oracle: signs a fixed and a seeded-random set of requests
// with @smithy/signature-v4 (+ @aws-crypto/sha256-js) and writes
//   <cases>    one request per line for the C driver (tab-separated hex fields)
//   <expected> name, authorization, x-amz-date, token, content-sha256 per line
// Usage: NODE_PATH=build/npm/node_modules node sign.cjs cases.txt expected.txt
"use strict";
const fs = require("fs");
const { SignatureV4 } = require("@smithy/signature-v4");
const { Sha256 } = require("@aws-crypto/sha256-js");
const { HttpRequest } = require("@smithy/protocol-http");

const hex = (s) => (s === undefined || s === null || s.length === 0) ? "-" : Buffer.from(s).toString("hex");
const AK = "AKIDEXAMPLE", SK = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const TOK = "IQoJb3JpZ2luX2VjEXAMPLE//////////wEaCXVzLWVhc3QtMSJHMEUCIQ+token/with+chars==";
const enc = (s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());
const bedrockHost = (r) => `bedrock-runtime.${r}.amazonaws.com${r.startsWith("cn-") ? ".cn" : ""}`;
const converse = (model, op) => `/model/${enc(model)}/${op}`;
const body = (o) => Buffer.from(JSON.stringify(o));
const chat = body({ messages: [{ role: "user", content: [{ text: "Hello, 世界" }] }], inferenceConfig: { maxTokens: 64 } });

const cases = [
  { name: "suite-get-vanilla", method: "GET", host: "example.amazonaws.com", path: "/", region: "us-east-1", service: "service", time: 1440938160 },
  { name: "bedrock-converse", method: "POST", host: bedrockHost("us-east-1"), path: converse("anthropic.claude-3-haiku-20240307-v1:0", "converse"), region: "us-east-1", service: "bedrock", headers: { "Content-Type": "application/json" }, body: chat, time: 1705311000 },
  { name: "bedrock-converse-token", method: "POST", host: bedrockHost("us-west-2"), path: converse("anthropic.claude-3-haiku-20240307-v1:0", "converse"), region: "us-west-2", service: "bedrock", headers: { "Content-Type": "application/json" }, body: chat, token: TOK, time: 1705311000 },
  { name: "bedrock-stream-cross-region", method: "POST", host: bedrockHost("eu-west-3"), path: converse("eu.anthropic.claude-3-7-sonnet-20250219-v1:0", "converse-stream"), region: "eu-west-3", service: "bedrock", headers: { "content-type": "application/json", "Accept": "application/vnd.amazon.eventstream" }, body: chat, token: TOK, time: 1740000000 },
  { name: "bedrock-cn", method: "POST", host: bedrockHost("cn-north-1"), path: converse("amazon.nova-lite-v1:0", "converse"), region: "cn-north-1", service: "bedrock", headers: { "content-type": "application/json" }, body: chat, time: 1700000000 },
  { name: "bedrock-invoke-embed", method: "POST", host: bedrockHost("ap-southeast-2"), path: converse("amazon.titan-embed-text-v2:0", "invoke"), region: "ap-southeast-2", service: "bedrock", headers: { "content-type": "application/json" }, body: body({ inputText: "naïve café ☕" }), time: 1767225599 },
  { name: "bedrock-arn-profile", method: "POST", host: bedrockHost("us-east-1"), path: converse("arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-5-sonnet-20241022-v2:0", "converse"), region: "us-east-1", service: "bedrock", headers: { "content-type": "application/json" }, body: chat, token: TOK, time: 1735689600 },
  { name: "bedrock-empty-body", method: "POST", host: bedrockHost("us-east-1"), path: converse("meta.llama3-8b-instruct-v1:0", "converse"), region: "us-east-1", service: "bedrock", body: Buffer.alloc(0), time: 951782400 },
  { name: "bedrock-big-body", method: "POST", host: bedrockHost("us-east-1"), path: converse("anthropic.claude-v2:1", "converse"), region: "us-east-1", service: "bedrock", headers: { "content-type": "application/json" }, body: body({ messages: [{ role: "user", content: [{ text: "x".repeat(200000) }] }] }), time: 2147483648 },
  { name: "sts-query", method: "GET", host: "sts.amazonaws.com", path: "/", region: "us-east-1", service: "sts", query: { Action: "GetCallerIdentity", Version: "2011-06-15" }, time: 1600000000 },
  { name: "query-special", method: "GET", host: "example.amazonaws.com", path: "/path/with%20spaces/and+plus", region: "eu-central-1", service: "execute-api", query: { "b key": "v a/l=u&e+", a: "", "Z~": "~z", "é": "ü", "x-amz-foo": "1" }, time: 1600000000 },
  { name: "query-repeated", method: "GET", host: "example.amazonaws.com", path: "/", region: "us-east-1", service: "service", query: { k: ["b", "a", "c"], j: "1" }, time: 1600000000 },
  { name: "dot-segments", method: "GET", host: "example.amazonaws.com", path: "/a/./b/../c//d/", region: "us-east-1", service: "service", time: 1600000000 },
  { name: "header-whitespace", method: "PUT", host: "example.amazonaws.com:8443", path: "/x", region: "us-east-1", service: "service", headers: { "X-Amz-Meta-Thing": "  a   b \t c  ", "My-Header": "VALUE", "content-type": "text/plain; charset=utf-8" }, body: Buffer.from("hello"), token: TOK, time: 1600000000 },
  { name: "content-sha256", method: "POST", host: "lambda.us-east-1.amazonaws.com", path: "/2015-03-31/functions/my:fn/invocations", region: "us-east-1", service: "lambda", headers: { "content-type": "application/json" }, body: body({ a: 1 }), checksum: true, time: 1600000000 },
  { name: "s3-path", method: "PUT", host: "my-bucket.s3.us-east-1.amazonaws.com", path: "/some%20key/./x.txt", region: "us-east-1", service: "s3", body: Buffer.from("data"), checksum: true, s3: true, token: TOK, time: 1600000000 },
];

// Seeded random cases.
let seed = 20240115;
const rnd = (n) => { seed = (seed * 1103515245 + 12345) >>> 0; return (seed >>> 8) % n; };
const pick = (a) => a[rnd(a.length)];
const str = (chars, lo, hi) => { let s = ""; const n = lo + rnd(hi - lo + 1); for (let i = 0; i < n; i++) s += pick(chars); return s; };
const ALNUM = [..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"];
const PATHC = [...ALNUM, ..."-_.~:%!$&'()*+,;=@", "é", "ሴ", "😀"];
const VALC = [...ALNUM, ..." \t!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"];
const QC = [...ALNUM, ..." -_.~:/?=&+!*'()@", "é", "ሴ"];
const REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-northeast-1", "ap-southeast-2", "sa-east-1", "cn-north-1", "us-gov-west-1", "eusc-de-east-1"];
const SERVICES = ["bedrock", "service", "execute-api", "sts", "es", "lambda"];
for (let i = 0; i < 60; i++) {
  const c = { name: `random-${i}`, method: pick(["GET", "POST", "PUT", "DELETE", "PATCH"]), region: pick(REGIONS), service: pick(SERVICES) };
  c.host = c.service === "bedrock" ? bedrockHost(c.region) : `${c.service}.${c.region}.amazonaws.com`;
  const segs = []; const ns = rnd(5);
  for (let k = 0; k < ns; k++) segs.push(rnd(6) === 0 ? pick(["", ".", ".."]) : str(PATHC, 1, 12));
  c.path = "/" + segs.join("/") + (rnd(4) === 0 ? "/" : "");
  if (c.service === "bedrock") c.path = converse(str(PATHC, 1, 40), pick(["converse", "converse-stream", "invoke"]));
  if (rnd(2)) { c.query = {}; const nq = 1 + rnd(4); for (let k = 0; k < nq; k++) c.query[str(QC, 1, 8)] = str(QC, 0, 10); }
  c.headers = {}; const nh = rnd(4);
  for (let k = 0; k < nh; k++) c.headers["x-test-" + str(ALNUM, 1, 6).toLowerCase() + k] = str(VALC, 0, 20);
  if (rnd(2)) c.headers["content-type"] = "application/json";
  if (rnd(3)) { const b = Buffer.alloc(rnd(3000)); for (let k = 0; k < b.length; k++) b[k] = rnd(256); c.body = b; }
  if (rnd(2)) c.token = TOK + str(ALNUM, 0, 10);
  c.checksum = rnd(4) === 0;
  c.time = 946684800 + rnd(2000000000);
  cases.push(c);
}

(async () => {
  const lines = [], want = [];
  for (const c of cases) {
    const signer = new SignatureV4({
      credentials: { accessKeyId: AK, secretAccessKey: SK, sessionToken: c.token },
      region: c.region, service: c.service, sha256: Sha256,
      applyChecksum: !!c.checksum, uriEscapePath: !c.s3,
    });
    const headers = Object.assign({ host: c.host }, c.headers || {});
    const req = new HttpRequest({ method: c.method, protocol: "https:", hostname: c.host.split(":")[0], path: c.path, query: c.query || {}, headers, body: c.body });
    const s = await signer.sign(req, { signingDate: new Date(c.time * 1000) });
    const q = [];
    for (const [k, v] of Object.entries(c.query || {}))
      for (const x of Array.isArray(v) ? v : [v]) q.push(hex(k), hex(x));
    const h = [];
    for (const [k, v] of Object.entries(c.headers || {})) h.push(hex(k), hex(v));
    lines.push([c.name, c.method, c.host, c.path, c.region, c.service, AK, SK, c.token || "", String(c.time),
      String((c.checksum ? 1 : 0) | (c.s3 ? 2 : 0))].map(hex).concat([String(q.length / 2), ...q, String(h.length / 2), ...h, hex(c.body)]).join("\t"));
    want.push([c.name, s.headers["authorization"], s.headers["x-amz-date"], s.headers["x-amz-security-token"] || "-",
      s.headers["x-amz-content-sha256"] || "-"].join("\t"));
  }
  fs.writeFileSync(process.argv[2], lines.join("\n") + "\n");
  fs.writeFileSync(process.argv[3], want.join("\n") + "\n");
})().catch((e) => { console.error(e); process.exit(1); });
