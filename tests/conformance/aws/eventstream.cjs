// eventstream.cjs — event-stream oracle with @smithy/eventstream-codec.
//   gen <stream.bin> <desc.txt>  encode a fixed and a seeded-random set of messages
//   decode <stream.bin>          print the description of each message of a stream
//   bad <dir>                    write corrupted messages bad_<n>.bin; print their
//                                names with "rejected" / "accepted" (by smithy)
// Description line: nheaders, then per header name-hex, type, value ("-" for
// booleans and empty bytes; decimal for integers and timestamps; hex for bytes,
// strings and uuids), then the payload in hex ("-" when empty); tab-separated.
// Usage: NODE_PATH=build/npm/node_modules node eventstream.cjs ...
"use strict";
const fs = require("fs");
const path = require("path");
const { EventStreamCodec, Int64 } = require("@smithy/eventstream-codec");
const { toUtf8, fromUtf8 } = require("@smithy/util-utf8");
const codec = new EventStreamCodec(toUtf8, fromUtf8);

const hex = (b) => (b.length === 0 ? "-" : Buffer.from(b).toString("hex"));
const TYPES = { boolean: -1, byte: 2, short: 3, integer: 4, long: 5, binary: 6, string: 7, timestamp: 8, uuid: 9 };

function describe(msg) {
  const f = [String(Object.keys(msg.headers).length)];
  for (const [name, h] of Object.entries(msg.headers)) {
    f.push(hex(Buffer.from(name, "utf8")));
    let t = TYPES[h.type], v;
    if (h.type === "boolean") { t = h.value ? 0 : 1; v = "-"; }
    else if (h.type === "long") v = h.value.toString();
    else if (h.type === "timestamp") v = String(h.value.getTime());
    else if (h.type === "binary") v = hex(h.value);
    else if (h.type === "string") v = hex(Buffer.from(h.value, "utf8"));
    else if (h.type === "uuid") v = h.value.replace(/-/g, "");
    else v = String(h.value);
    f.push(String(t), v);
  }
  f.push(hex(msg.body));
  return f.join("\t");
}

function splitStream(buf) {
  const out = [];
  for (let at = 0; at < buf.length;) {
    if (buf.length - at < 4) throw new Error("trailing bytes");
    const n = buf.readUInt32BE(at);
    if (n < 16 || at + n > buf.length) throw new Error("bad length");
    out.push(new Uint8Array(buf.buffer, buf.byteOffset + at, n));
    at += n;
  }
  return out;
}

let seed = 424242;
const rnd = (n) => { seed = (seed * 1103515245 + 12345) >>> 0; return (seed >>> 8) % n; };
const bytes = (n) => { const b = new Uint8Array(n); for (let i = 0; i < n; i++) b[i] = rnd(256); return b; };
const STRC = [..."abcdefghijklmnopqrstuvwxyz ABC0123456789{}\":,-_", "é", "ሴ", "😀"];
const str = (n) => { let s = ""; for (let i = 0; i < n; i++) s += STRC[rnd(STRC.length)]; return s; };
const uuid = () => { const h = Buffer.from(bytes(16)).toString("hex"); return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`; };

function randomHeaders() {
  const h = {};
  const n = rnd(9);
  for (let i = 0; i < n; i++) {
    const name = pickName(i);
    switch (rnd(9)) {
      case 0: h[name] = { type: "boolean", value: rnd(2) === 0 }; break;
      case 1: h[name] = { type: "byte", value: rnd(256) - 128 }; break;
      case 2: h[name] = { type: "short", value: rnd(65536) - 32768 }; break;
      case 3: h[name] = { type: "integer", value: (rnd(1 << 24) << 8 | rnd(256)) | 0 }; break;
      case 4: h[name] = { type: "long", value: Int64.fromNumber((rnd(2) ? -1 : 1) * (rnd(1 << 24) * 2 ** 29 + rnd(1 << 29))) }; break;
      case 5: h[name] = { type: "binary", value: bytes(rnd(4) === 0 ? 0 : rnd(300)) }; break;
      case 6: h[name] = { type: "string", value: str(rnd(40)) }; break;
      case 7: h[name] = { type: "timestamp", value: new Date((rnd(2) ? -1 : 1) * rnd(1 << 24) * 1000 + rnd(1000)) }; break;
      default: h[name] = { type: "uuid", value: uuid() }; break;
    }
  }
  return h;
}
function pickName(i) {
  const c = "abcdefghijklmnopqrstuvwxyz:-";
  let s = "hdr" + i + "-";
  const n = rnd(20);
  for (let k = 0; k < n; k++) s += c[rnd(c.length)];
  return s;
}

function bedrock(ev, payload) {
  return { headers: { ":event-type": { type: "string", value: ev }, ":content-type": { type: "string", value: "application/json" }, ":message-type": { type: "string", value: "event" } }, body: fromUtf8(JSON.stringify(payload)) };
}

function messages() {
  const m = [
    bedrock("messageStart", { role: "assistant" }),
    bedrock("contentBlockDelta", { contentBlockIndex: 0, delta: { text: "Hello, 世界 😀" } }),
    bedrock("contentBlockStart", { contentBlockIndex: 1, start: { toolUse: { toolUseId: "tooluse_1", name: "get_weather" } } }),
    bedrock("contentBlockDelta", { contentBlockIndex: 1, delta: { toolUse: { input: "{\"city\":" } } }),
    bedrock("contentBlockStop", { contentBlockIndex: 1 }),
    bedrock("messageStop", { stopReason: "tool_use" }),
    bedrock("metadata", { usage: { inputTokens: 12, outputTokens: 34, totalTokens: 46 }, metrics: { latencyMs: 321 } }),
    { headers: { ":message-type": { type: "string", value: "exception" }, ":exception-type": { type: "string", value: "throttlingException" }, ":content-type": { type: "string", value: "application/json" } }, body: fromUtf8("{\"message\":\"Too many requests\"}") },
    { headers: {}, body: new Uint8Array(0) },
    { headers: { t: { type: "boolean", value: true }, f: { type: "boolean", value: false }, b: { type: "byte", value: -128 }, s: { type: "short", value: -32768 }, i: { type: "integer", value: -2147483648 }, l: { type: "long", value: Int64.fromNumber(-9007199254740991) }, y: { type: "binary", value: new Uint8Array([0, 255]) }, ts: { type: "timestamp", value: new Date(1705311000123) }, u: { type: "uuid", value: "00112233-4455-6677-8899-aabbccddeeff" }, e: { type: "string", value: "" } }, body: bytes(1) },
    { headers: { big: { type: "string", value: "x".repeat(32767) } }, body: bytes(100000) },
  ];
  for (let i = 0; i < 80; i++) m.push({ headers: randomHeaders(), body: bytes(rnd(5) === 0 ? 0 : rnd(3000)) });
  return m;
}

const [cmd, a1, a2] = process.argv.slice(2);
if (cmd === "gen") {
  const enc = messages().map((m) => codec.encode(m));
  const desc = enc.map((e) => describe(codec.decode(e)));
  fs.writeFileSync(a1, Buffer.concat(enc.map((e) => Buffer.from(e))));
  fs.writeFileSync(a2, desc.join("\n") + "\n");
} else if (cmd === "decode") {
  const lines = splitStream(fs.readFileSync(a1)).map((m) => describe(codec.decode(m)));
  process.stdout.write(lines.join("\n") + "\n");
} else if (cmd === "bad") {
  const base = Buffer.from(codec.encode(bedrock("contentBlockDelta", { contentBlockIndex: 0, delta: { text: "hi" } })));
  const cases = [];
  for (let i = 0; i < base.length; i++) {
    const b = Buffer.from(base);
    b[i] ^= 1 << (i % 8);
    cases.push([`flip_${i}`, b]);
  }
  cases.push(["truncated", base.subarray(0, base.length - 1)]);
  cases.push(["too_short", base.subarray(0, 15)]);
  for (const [name, b] of cases) {
    let verdict = "accepted";
    try { if (b.length < 16 || b.readUInt32BE(0) !== b.length) throw new Error("length"); codec.decode(new Uint8Array(b)); } catch (e) { verdict = "rejected"; }
    fs.writeFileSync(path.join(a1, `bad_${name}.bin`), b);
    console.log(`${name}\t${verdict}`);
  }
} else {
  console.error("usage: eventstream.cjs gen OUT DESC | decode IN | bad DIR");
  process.exit(2);
}
