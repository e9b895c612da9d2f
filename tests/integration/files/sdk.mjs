// tests/integration/files/sdk.mjs — `[files] mode = "local"` driven with the
// official openai npm SDK: files.create (multipart, what the SDK sends),
// list (order, purpose, limit + pagination through `after`), retrieve,
// content, delete, 404s for local ids the store does not have (the provider
// never asked), a provider id falling through to the fake provider, and
// batches.create from a local file (uploaded to the provider first).
// usage: node sdk.mjs <gateway-url> <master-key> <fake-url> <mode> <keep-file>
//   writes the files it leaves behind as JSON [{id, sha256, bytes}] to keep-file
// Prints "ok <name>" / "FAIL <name>: why" lines and "N passed, N failed".
import { createRequire } from 'node:module';
import { createHash } from 'node:crypto';
import { writeFileSync, mkdtempSync, createReadStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
const require = createRequire(process.env.OPENAI_NODE_MODULES + '/');
const OpenAI = require('openai');
const { toFile } = OpenAI;

const [gw, key, fake, mode, keepFile] = process.argv.slice(2);
const tag = '[' + mode + '] ';
let P = 0, F = 0;
const ok = (n) => { P++; console.log('ok ' + tag + n); };
const fail = (n, why) => { F++; console.log('FAIL ' + tag + n + ': ' + why); };
async function t(name, fn) {
  try { await fn(); ok(name); } catch (e) { fail(name, (e && e.stack || String(e)).split('\n').slice(0, 3).join(' | ')); }
}
function assert(c, m) { if (!c) throw new Error(m || 'assertion failed'); }
const sha = (b) => createHash('sha256').update(b).digest('hex');
const log = async () => (await fetch(fake + '/__log')).json();
const client = new OpenAI({ baseURL: gw + '/v1', apiKey: key, maxRetries: 0, timeout: 20000 });
async function status(p, want, type) {
  try { await p; throw new Error('no error'); }
  catch (e) {
    if (e.message === 'no error') throw e;
    assert(e.status === want, `status ${e.status} (want ${want}): ${e.message}`);
    if (type) assert(e.error && e.error.type === type, JSON.stringify(e.error));
    return e;
  }
}
const content = async (id) => Buffer.from(await (await client.files.content(id)).arrayBuffer());
const isFileObject = (f) => f && f.object === 'file' && typeof f.id === 'string' && f.id.startsWith('file-lc-') &&
  /^[0-9a-f]{24}$/.test(f.id.slice(8)) && typeof f.created_at === 'number' && f.status === 'processed';

const text = Buffer.from('{"custom_id":"1","method":"POST","url":"/v1/chat/completions","body":{}}\n');
const bin = Buffer.alloc(100000);
for (let i = 0; i < bin.length; i++) bin[i] = (i * 131 + (i >> 8)) & 255;
let a = null, b = null;

await t('files.create (multipart, toFile)', async () => {
  a = await client.files.create({ file: await toFile(text, 'requests.jsonl'), purpose: 'batch' });
  assert(isFileObject(a), JSON.stringify(a));
  assert(a.bytes === text.length && a.filename === 'requests.jsonl' && a.purpose === 'batch', JSON.stringify(a));
  assert(Math.abs(a.created_at - Date.now() / 1000) < 120, 'created_at ' + a.created_at);
});
await t('files.create (multipart, a binary stream from disk)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'files-it-'));
  writeFileSync(join(dir, 'blob.bin'), bin);
  b = await client.files.create({ file: createReadStream(join(dir, 'blob.bin')), purpose: 'assistants' });
  assert(isFileObject(b) && b.bytes === bin.length && b.filename === 'blob.bin' && b.purpose === 'assistants', JSON.stringify(b));
  assert(a.id !== b.id, 'distinct ids');
});
await t('files.retrieve', async () => {
  const r = await client.files.retrieve(a.id);
  assert(JSON.stringify(r) === JSON.stringify(a), JSON.stringify(r) + ' vs ' + JSON.stringify(a));
});
await t('files.content is byte-identical (text and binary)', async () => {
  assert((await content(a.id)).equals(text), 'text');
  const c = await content(b.id);
  assert(c.length === bin.length && c.equals(bin), 'binary: ' + c.length);
});
await t('files.list: newest first', async () => {
  const r = await client.files.list();
  const ids = r.data.map((f) => f.id);
  assert(ids.indexOf(b.id) >= 0 && ids.indexOf(b.id) < ids.indexOf(a.id), ids.join());
  assert(r.data.every(isFileObject), JSON.stringify(r.data).slice(0, 300));
  assert(r.data.every((f) => !f.id.startsWith('file-prov-')), 'the list is local only');
});
await t('files.list: order=asc, purpose filter', async () => {
  const asc = (await client.files.list({ order: 'asc' })).data.map((f) => f.id);
  assert(asc.indexOf(a.id) < asc.indexOf(b.id), asc.join());
  const batch = (await client.files.list({ purpose: 'batch' })).data;
  assert(batch.length >= 1 && batch.every((f) => f.purpose === 'batch') && batch.some((f) => f.id === a.id), JSON.stringify(batch));
});
await t('files.list: limit=1 pages through everything via after', async () => {
  const all = (await client.files.list()).data.map((f) => f.id);
  const first = await client.files.list({ limit: 1 });
  assert(first.data.length === 1 && first.has_more === (all.length > 1), JSON.stringify(first.data) + ' ' + first.has_more);
  const paged = [];
  for await (const f of client.files.list({ limit: 1 })) paged.push(f.id);
  assert(JSON.stringify(paged) === JSON.stringify(all), paged.join() + ' vs ' + all.join());
});
await t('files.list: bad limit / order -> 400', async () => {
  await status(client.files.list({ limit: 0 }), 400, 'BadRequest');
  await status(client.get('/files?order=sideways'), 400, 'BadRequest');
});
await t('files.create: bad purpose -> 422, nothing stored', async () => {
  const before = (await client.files.list()).data.length;
  await status(client.files.create({ file: await toFile(Buffer.from('x'), 'x.txt'), purpose: 'nope' }), 422);
  assert((await client.files.list()).data.length === before, 'nothing stored');
});
await t('files.delete, then 404 NotFound', async () => {
  const d = await client.files.delete(b.id);
  assert(d.id === b.id && d.deleted === true && d.object === 'file', JSON.stringify(d));
  const e = await status(client.files.retrieve(b.id), 404, 'NotFound');
  assert(e.error.message === 'not found: No such File object: ' + b.id, e.error.message);
  await status(client.files.content(b.id), 404, 'NotFound');
  await status(client.files.delete(b.id), 404, 'NotFound');
});
await t('unknown local ids are 404 without asking the provider', async () => {
  const n = (await log()).length;
  await status(client.files.retrieve('file-lc-000000000000000000000000'), 404, 'NotFound');
  await status(client.files.retrieve('file-lc-not-even-well-formed'), 404, 'NotFound');
  await status(client.files.content('file-lc-ffffffffffffffffffffffff'), 404, 'NotFound');
  assert((await log()).length === n, 'the provider was asked');
});
await t('a provider id falls through to the provider', async () => {
  const f = await client.files.retrieve('file-prov-output');
  assert(f.id === 'file-prov-output' && f.purpose === 'batch_output', JSON.stringify(f));
  assert((await content('file-prov-output')).toString() === 'batch output\n', 'content');
  const l = await log(); const last = l[l.length - 1];
  assert(last.path === '/v1/files/file-prov-output/content' && last.auth === 'Bearer sk-provider', JSON.stringify(last));
  await status(client.files.retrieve('file-prov-none'), 404, 'NotFound');
});
await t('batches.create from a local file: uploaded to the provider first', async () => {
  const src = Buffer.from('{"custom_id":"r1","method":"POST","url":"/v1/chat/completions","body":{"model":"m"}}\n');
  const lf = await client.files.create({ file: await toFile(src, 'in.jsonl'), purpose: 'batch' });
  const n = (await log()).length;
  const bt = await client.batches.create({ input_file_id: lf.id, endpoint: '/v1/chat/completions', completion_window: '24h', metadata: { run: 'it' } });
  const l = (await log()).slice(n);
  assert(l.length === 2 && l[0].kind === 'upload' && l[1].kind === 'batch', JSON.stringify(l));
  assert(l[0].sha256 === sha(src) && l[0].purpose === 'batch' && l[0].filename === 'in.jsonl', JSON.stringify(l[0]));
  assert(l[1].input_file_id === l[0].id && l[1].body.metadata.run === 'it' && l[1].body.endpoint === '/v1/chat/completions', JSON.stringify(l[1]));
  assert(bt.id === 'batch_1' && bt.input_file_id === l[0].id && bt.input_file_id.startsWith('file-prov-'), JSON.stringify(bt));
  await client.files.retrieve(lf.id); // still local
});
await t('batches.create from an unknown local file -> 404, provider not asked', async () => {
  const n = (await log()).length;
  await status(client.batches.create({ input_file_id: 'file-lc-000000000000000000000000', endpoint: '/v1/chat/completions', completion_window: '24h' }), 404, 'NotFound');
  assert((await log()).length === n, 'provider asked');
});
await t('batches.create from a provider file: proxied as is', async () => {
  const n = (await log()).length;
  const bt = await client.batches.create({ input_file_id: 'file-prov-output', endpoint: '/v1/chat/completions', completion_window: '24h' });
  const l = (await log()).slice(n);
  assert(bt.input_file_id === 'file-prov-output' && l.length === 1 && l[0].kind === 'batch', JSON.stringify(l));
});
await t('files kept for the restart check', async () => {
  const keep = [];
  for (let i = 0; i < 3; i++) {
    const d = Buffer.from(`keep ${i} ${'z'.repeat(i * 1000)}`);
    const f = await client.files.create({ file: await toFile(d, `keep-${i}.txt`), purpose: 'fine-tune' });
    keep.push({ id: f.id, sha256: sha(d), bytes: d.length, filename: f.filename });
  }
  keep.push({ id: a.id, sha256: sha(text), bytes: text.length, filename: a.filename });
  writeFileSync(keepFile, JSON.stringify(keep));
});
console.log(`${P} passed, ${F} failed`);
process.exit(F ? 1 : 0);
