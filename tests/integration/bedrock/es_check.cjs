// es_check.cjs — oracle for the fake's event streams: @smithy/eventstream-codec
// (the AWS SDK's own decoder) decodes the exact bytes fake_bedrock.py sent
// (<dir>/<n>-<model>.bin) and must find the messages the fake meant to send
// (<n>-<model>.json: headers and JSON payload); the corrupted streams
// (fake.badcrc, fake.cut) must be refused. Prints ok/FAIL lines and
// "N passed, N failed". Usage: NODE_PATH=build/npm/node_modules node es_check.cjs DIR
"use strict";
const fs = require("fs");
const path = require("path");
const { EventStreamCodec } = require("@smithy/eventstream-codec");
const { toUtf8, fromUtf8 } = require("@smithy/util-utf8");
const codec = new EventStreamCodec(toUtf8, fromUtf8);

function decodeAll(buf) {
  const out = [];
  for (let at = 0; at < buf.length;) {
    if (buf.length - at < 12) throw new Error("truncated prelude");
    const n = buf.readUInt32BE(at);
    if (at + n > buf.length) throw new Error("truncated message");
    out.push(codec.decode(new Uint8Array(buf.buffer, buf.byteOffset + at, n)));
    at += n;
  }
  return out;
}

let P = 0, F = 0;
const dir = process.argv[2];
const files = fs.readdirSync(dir).filter((f) => f.endsWith(".bin")).sort();
for (const f of files) {
  const name = f.replace(/\.bin$/, "");
  const bytes = fs.readFileSync(path.join(dir, f));
  const want = JSON.parse(fs.readFileSync(path.join(dir, name + ".json"), "utf8"));
  const corrupt = /fake\.(badcrc|cut)$/.test(name);
  let got, err = null;
  try { got = decodeAll(bytes); } catch (e) { err = e; }
  if (corrupt) {
    if (err) { P++; console.log(`ok smithy refuses ${name} (${err.message.split("\n")[0]})`); }
    else { F++; console.log(`FAIL smithy accepted the corrupted stream ${name}`); }
    continue;
  }
  if (err) { F++; console.log(`FAIL smithy cannot decode ${name}: ${err.message}`); continue; }
  const same = got.length === want.length && got.every((m, i) => {
    const h = {};
    for (const [k, v] of Object.entries(m.headers)) { if (v.type !== "string") return false; h[k] = v.value; }
    return JSON.stringify(h) === JSON.stringify(want[i].headers) &&
      JSON.stringify(JSON.parse(toUtf8(m.body))) === JSON.stringify(want[i].payload);
  });
  if (same) { P++; console.log(`ok smithy decodes ${name}: ${got.length} messages as intended`); }
  else { F++; console.log(`FAIL smithy decodes ${name} differently`); }
}
if (!files.length) { F++; console.log("FAIL no stream was captured"); }
console.log(`${P} passed, ${F} failed`);
process.exit(F ? 1 : 0);
