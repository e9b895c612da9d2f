// tests/integration/files/mcp.mjs — the MCP file tools on the local store
// (official MCP TypeScript SDK over stdio): create_file, list_files (also the
// files another process put in the same fs store), retrieve_file,
// file_content, delete_file, the not-found mapping, create_batch from a
// local file (uploaded to the provider first).
// usage: node mcp.mjs <binary> <config> <mode> <expect-file|-> <keep-file>
//   expect-file: JSON [{id, sha256, bytes}] that must be in the store
//   keep-file: written with the file this run leaves behind
// Prints "ok <name>" / "FAIL <name>: why" and "N passed, N failed".
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
const NM = process.env.MCP_NODE_MODULES;
const sdk = NM + '/@modelcontextprotocol/sdk/dist/esm';
const { Client } = await import(sdk + '/client/index.js');
const { StdioClientTransport } = await import(sdk + '/client/stdio.js');

const [bin, cfg, mode, expectFile, keepFile] = process.argv.slice(2);
const tag = '[mcp ' + mode + '] ';
let P = 0, F = 0;
const ok = (n) => { P++; console.log('ok ' + tag + n); };
const fail = (n, why) => { F++; console.log('FAIL ' + tag + n + ': ' + why); };
async function t(name, fn) {
  try { await fn(); ok(name); } catch (e) { fail(name, (e && e.stack || String(e)).split('\n').slice(0, 3).join(' | ')); }
}
function assert(c, m) { if (!c) throw new Error(m || 'assertion failed'); }
const sha = (b) => createHash('sha256').update(b).digest('hex');

const client = new Client({ name: 'liter-llm-files-it', version: '1.0.0' });
const transport = new StdioClientTransport({ command: bin, args: ['mcp', '--config', cfg], stderr: 'pipe' });
let stderr = '';
if (transport.stderr) transport.stderr.on('data', (d) => { stderr += d; });
const call = (name, args) => client.callTool({ name, arguments: args });
const json = (r) => {
  assert(!r.isError && r.content.length === 1 && r.content[0].type === 'text', JSON.stringify(r).slice(0, 300));
  return JSON.parse(r.content[0].text);
};
async function err(name, args, code, sub) {
  try { const r = await call(name, args); throw new Error('no error: ' + JSON.stringify(r).slice(0, 300)); }
  catch (e) {
    if (e.message.startsWith('no error')) throw e;
    assert(e.code === code, 'code ' + e.code + ' (want ' + code + '): ' + e.message);
    if (sub) assert(e.message.includes(sub), 'message: ' + e.message);
  }
}
const contentOf = async (id) => {
  const r = await call('file_content', { file_id: id });
  const m = /^File content \((\d+) bytes\)\. Base64: (\S*)$/.exec(r.content[0].text);
  assert(m, r.content[0].text.slice(0, 200));
  const b = Buffer.from(m[2], 'base64');
  assert(b.length === Number(m[1]), 'length');
  return b;
};

await t('connect', async () => { await client.connect(transport); });
const data = Buffer.from('mcp file \u00e9\n'.repeat(50));
let f = null;
await t('create_file -> a local FileObject', async () => {
  f = json(await call('create_file', { file_base64: data.toString('base64'), filename: 'mcp.txt', purpose: 'assistants' }));
  assert(f.id.startsWith('file-lc-') && f.object === 'file' && f.bytes === data.length && f.filename === 'mcp.txt' &&
    f.purpose === 'assistants' && f.status === 'processed', JSON.stringify(f));
});
await t('list_files sees it first (purpose, limit)', async () => {
  const l = json(await call('list_files', {}));
  assert(l.object === 'list' && l.data[0].id === f.id, JSON.stringify(l).slice(0, 300));
  const one = json(await call('list_files', { purpose: 'assistants', limit: 1 }));
  assert(one.data.length === 1 && one.data[0].id === f.id, JSON.stringify(one));
});
if (expectFile !== '-') {
  await t('files of the api process are in the same store (list, retrieve, content)', async () => {
    const want = JSON.parse(readFileSync(expectFile, 'utf8'));
    const ids = json(await call('list_files', {})).data.map((x) => x.id);
    for (const w of want) {
      assert(ids.includes(w.id), 'listed: ' + w.id);
      const r = json(await call('retrieve_file', { file_id: w.id }));
      assert(r.bytes === w.bytes, JSON.stringify(r));
      assert(sha(await contentOf(w.id)) === w.sha256, 'content of ' + w.id);
    }
  });
}
await t('retrieve_file / file_content', async () => {
  const r = json(await call('retrieve_file', { file_id: f.id }));
  assert(JSON.stringify(r) === JSON.stringify(f), JSON.stringify(r));
  assert((await contentOf(f.id)).equals(data), 'content');
});
await t('create_file bad purpose -> -32602', () => err('create_file', { file_base64: 'eA==', filename: 'x', purpose: 'nope' }, -32602, 'invalid purpose'));
await t('create_file bad base64 -> -32602', () => err('create_file', { file_base64: '***', filename: 'x', purpose: 'batch' }, -32602, 'base64'));
await t('delete_file, then -32002 not found', async () => {
  const d = json(await call('delete_file', { file_id: f.id }));
  assert(d.deleted === true && d.id === f.id, JSON.stringify(d));
  await err('retrieve_file', { file_id: f.id }, -32002, 'not found: No such File object');
  await err('file_content', { file_id: f.id }, -32002, 'not found');
});
await t('create_batch from a local file (uploaded first)', async () => {
  const src = Buffer.from('{"custom_id":"m1"}\n');
  const lf = json(await call('create_file', { file_base64: src.toString('base64'), filename: 'mcp-batch.jsonl', purpose: 'batch' }));
  const bt = json(await call('create_batch', { input_file_id: lf.id, endpoint: '/v1/chat/completions', completion_window: '24h' }));
  assert(bt.input_file_id.startsWith('file-prov-') && bt.object === 'batch', JSON.stringify(bt));
});
await t('a file left for the other process', async () => {
  const d = Buffer.from('left by mcp\n');
  const k = json(await call('create_file', { file_base64: d.toString('base64'), filename: 'left.txt', purpose: 'vision' }));
  writeFileSync(keepFile, JSON.stringify([{ id: k.id, sha256: sha(d), bytes: d.length, filename: 'left.txt' }]));
});
await client.close();
if (/AddressSanitizer|runtime error/.test(stderr)) fail('sanitizer report', stderr.slice(0, 500));
console.log(`${P} passed, ${F} failed`);
process.exit(F ? 1 : 0);
