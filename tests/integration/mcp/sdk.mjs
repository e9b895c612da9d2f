// tests/integration/mcp/sdk.mjs — drives `liter-llm mcp` with the official
// MCP TypeScript SDK (@modelcontextprotocol/sdk, installed into build/npm):
// lists the 22 tools and calls each one against the fake upstreams, checks
// the error mapping, concurrency (a slow call does not block ping),
// cancellation and the request timeout.
// usage: node sdk.mjs stdio <binary> <config> <fake-url>
//        node sdk.mjs http  <mcp-url>  -        <fake-url>
// Prints "ok <name>" / "FAIL <name>: why" and ends with "N passed, N failed".
const NM = process.env.MCP_NODE_MODULES;
const sdk = NM + '/@modelcontextprotocol/sdk/dist/esm';
const { Client } = await import(sdk + '/client/index.js');
const { StdioClientTransport } = await import(sdk + '/client/stdio.js');
const { StreamableHTTPClientTransport } = await import(sdk + '/client/streamableHttp.js');

const [mode, target, cfg, fake] = process.argv.slice(2);
const tag = '[' + mode + '] ';
let P = 0, F = 0;
const ok = (n) => { P++; console.log('ok ' + tag + n); };
const fail = (n, why) => { F++; console.log('FAIL ' + tag + n + ': ' + why); };
async function t(name, fn) {
  try { await fn(); ok(name); } catch (e) { fail(name, (e && e.stack || String(e)).split('\n').slice(0, 3).join(' | ')); }
}
function assert(c, m) { if (!c) throw new Error(m || 'assertion failed'); }

const client = new Client({ name: 'liter-llm-it', version: '1.0.0' });
const transport = mode === 'stdio'
  ? new StdioClientTransport({ command: target, args: ['mcp', '--config', cfg], stderr: 'pipe' })
  : new StreamableHTTPClientTransport(new URL(target));
let stderr = '';
if (mode === 'stdio' && transport.stderr) transport.stderr.on('data', (d) => { stderr += d; });

await t('connect + initialize', async () => { await client.connect(transport); });
const EXPECT = ['chat', 'embed', 'list_models', 'generate_image', 'speech', 'transcribe', 'moderate', 'rerank',
  'search', 'ocr', 'create_file', 'list_files', 'retrieve_file', 'delete_file', 'file_content', 'create_batch',
  'list_batches', 'retrieve_batch', 'cancel_batch', 'create_response', 'retrieve_response', 'cancel_response'];
await t('server info', async () => {
  const v = client.getServerVersion();
  assert(v && v.name === 'liter-llm', JSON.stringify(v));
});
await t('tools/list: 22 tools in order with schemas', async () => {
  const r = await client.listTools();
  const names = r.tools.map((x) => x.name);
  assert(JSON.stringify(names) === JSON.stringify(EXPECT), names.join(','));
  for (const x of r.tools) assert(x.inputSchema && x.inputSchema.type === 'object', x.name);
  const chat = r.tools[0];
  assert(JSON.stringify(chat.inputSchema.required) === '["model","messages"]', JSON.stringify(chat.inputSchema));
  assert(chat.annotations && chat.annotations.readOnlyHint === true, JSON.stringify(chat.annotations));
});

const call = (name, args, opts) => client.callTool({ name, arguments: args }, undefined, opts);
const json = (r) => {
  assert(!r.isError, 'isError: ' + JSON.stringify(r));
  assert(r.content.length === 1 && r.content[0].type === 'text', JSON.stringify(r.content));
  return JSON.parse(r.content[0].text);
};
async function err(name, args, code, sub) {
  try {
    const r = await call(name, args);
    throw new Error('no error: ' + JSON.stringify(r).slice(0, 300));
  } catch (e) {
    if (e.message.startsWith('no error')) throw e;
    assert(e.code === code, 'code ' + e.code + ' (want ' + code + '): ' + e.message);
    if (sub) assert(e.message.includes(sub), 'message: ' + e.message);
  }
}
const b64 = (s) => Buffer.from(s).toString('base64');

await t('chat', async () => {
  const r = await call('chat', { model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }], temperature: 0.5, max_tokens: 7 });
  const j = json(r);
  assert(j.choices[0].message.content === 'Hello from fake', JSON.stringify(j));
  assert(r.structuredContent && r.structuredContent.id === 'chatcmpl-fake', 'structuredContent');
});
await t('embed', async () => { const j = json(await call('embed', { model: 'emb', input: 'hello' })); assert(j.data[0].embedding.length === 3); });
await t('list_models', async () => {
  const j = json(await call('list_models', {}));
  assert(j.object === 'list' && j.data.some((m) => m.id === 'gpt-test'), JSON.stringify(j).slice(0, 200));
});
await t('generate_image', async () => { const j = json(await call('generate_image', { prompt: 'a cat', model: 'img', n: 1 })); assert(j.data[0].url); });
await t('generate_image without model (first configured model)', async () => { const j = json(await call('generate_image', { prompt: 'a cat' })); assert(j.data[0].url); });
await t('speech (base64 audio text)', async () => {
  const r = await call('speech', { model: 'tts', input: 'hi', voice: 'alloy' });
  const m = /^Audio generated \((\d+) bytes\)\. Base64: (\S+)$/.exec(r.content[0].text);
  assert(m, r.content[0].text);
  const bytes = Buffer.from(m[2], 'base64');
  assert(bytes.length === Number(m[1]) && bytes.subarray(0, 3).toString() === 'ID3', r.content[0].text);
});
await t('transcribe', async () => { const j = json(await call('transcribe', { model: 'stt', file_base64: b64('RIFF-fake-wave') })); assert(j.text === 'transcribed words', JSON.stringify(j)); });
await t('moderate', async () => { const j = json(await call('moderate', { input: 'hi', model: 'mod' })); assert(j.results.length === 1); });
await t('rerank', async () => { const j = json(await call('rerank', { model: 'gpt-test', query: 'q', documents: ['a', 'b'] })); assert(j.results[0].relevance_score === 0.9); });
await t('search', async () => { const j = json(await call('search', { model: 'search-m', query: 'q' })); assert(j.results[0].title === 'T'); });
await t('ocr (image_url)', async () => {
  const j = json(await call('ocr', { model: 'ocr-m', image_url: 'https://example.invalid/a.png' }));
  assert(j.pages[0].markdown === '# OCR text' && j.x_document && j.x_document.type === 'document_url', JSON.stringify(j));
});
await t('ocr (image_base64, default media type)', async () => {
  const j = json(await call('ocr', { model: 'ocr-m', image_base64: b64('png') }));
  assert(j.x_document.type === 'base64' && j.x_document.media_type === 'image/png', JSON.stringify(j));
});
await t('ocr without image -> -32602', () => err('ocr', { model: 'ocr-m' }, -32602, 'either image_url or image_base64 must be provided'));
let fid = null;
await t('create_file (file_base64)', async () => {
  const j = json(await call('create_file', { file_base64: b64('hello file'), filename: 'a.jsonl', purpose: 'batch' }));
  assert(j.id && j.id.startsWith('file-fake-') && j.bytes === 10 && j.filename === 'a.jsonl', JSON.stringify(j));
  fid = j.id;
});
await t('create_file bad purpose -> -32602', () => err('create_file', { file_base64: b64('x'), filename: 'a', purpose: 'nope' }, -32602, 'invalid purpose'));
await t('list_files', async () => { const j = json(await call('list_files', { purpose: 'batch', limit: 5 })); assert(j.object === 'list' && j.x_query.includes('purpose=batch') && j.x_query.includes('limit=5'), JSON.stringify(j).slice(0, 300)); });
await t('retrieve_file', async () => { const j = json(await call('retrieve_file', { file_id: fid })); assert(j.id === fid); });
await t('file_content (base64 text)', async () => {
  const r = await call('file_content', { file_id: fid });
  const m = /^File content \((\d+) bytes\)\. Base64: (\S*)$/.exec(r.content[0].text);
  assert(m && Buffer.from(m[2], 'base64').toString() === 'hello file', r.content[0].text);
});
await t('delete_file', async () => { const j = json(await call('delete_file', { file_id: fid })); assert(j.deleted === true, JSON.stringify(j)); });
await t('create_file (content_base64, product page name)', async () => {
  const j = json(await call('create_file', { content_base64: b64('xyz'), filename: 'b.txt', purpose: 'assistants' }));
  assert(j.bytes === 3, JSON.stringify(j));
});
await t('retrieve_file unknown -> -32002', () => err('retrieve_file', { file_id: 'file-nope' }, -32002, 'not found'));
await t('create_batch', async () => { const j = json(await call('create_batch', { input_file_id: 'file-1', endpoint: '/v1/chat/completions', completion_window: '24h' })); assert(j.id === 'batch_1' && j.input_file_id === 'file-1'); });
await t('list_batches', async () => { const j = json(await call('list_batches', { limit: 2 })); assert(j.data[0].id === 'batch_1'); });
await t('retrieve_batch', async () => { const j = json(await call('retrieve_batch', { batch_id: 'batch_9' })); assert(j.id === 'batch_9'); });
await t('cancel_batch', async () => { const j = json(await call('cancel_batch', { batch_id: 'batch_9' })); assert(j.status === 'cancelling'); });
await t('create_response', async () => { const j = json(await call('create_response', { model: 'gpt-test', input: 'hi' })); assert(j.id === 'resp_1'); });
await t('retrieve_response', async () => { const j = json(await call('retrieve_response', { response_id: 'resp_7' })); assert(j.id === 'resp_7'); });
await t('cancel_response', async () => { const j = json(await call('cancel_response', { response_id: 'resp_7' })); assert(j.status === 'cancelled'); });

// errors (mcp-tools.md table)
await t('unknown model -> -32603 not found', () => err('chat', { model: 'nope', messages: [] }, -32603, "model 'nope' not found"));
await t('unknown tool -> -32602', () => err('no_such_tool', {}, -32602, 'tool not found'));
await t('missing required -> -32602', () => err('chat', { model: 'gpt-test' }, -32602, 'missing field `messages`'));
await t('wrong type -> -32602', () => err('embed', { model: 5, input: 'x' }, -32602));
await t('upstream 429 -> -32603 rate limited', () => err('chat', { model: 'err-429', messages: [{ role: 'user', content: 'x' }] }, -32603, 'rate limited'));
await t('context window -> -32602', () => err('chat', { model: 'err-ctx', messages: [{ role: 'user', content: 'x' }] }, -32602, 'context window'));
await t('unreachable upstream -> -32603', () => err('chat', { model: 'dead', messages: [{ role: 'user', content: 'x' }] }, -32603));

// concurrency, cancellation, timeout
await t('slow call does not block ping', async () => {
  const t0 = Date.now();
  const slow = call('chat', { model: 'slow', messages: [{ role: 'user', content: 'x' }] });
  await client.ping();
  const dt = Date.now() - t0;
  assert(dt < 1000, 'ping took ' + dt + ' ms');
  const j = json(await slow);
  assert(j.choices[0].message.content === 'slow hello');
});
await t('cancelled call (AbortSignal -> notifications/cancelled), server keeps serving', async () => {
  const ac = new AbortController();
  const p = call('chat', { model: 'slow', messages: [{ role: 'user', content: 'x' }] }, { signal: ac.signal });
  setTimeout(() => ac.abort('test'), 200);
  let rejected = false;
  try { await p; } catch (e) { rejected = true; }
  assert(rejected, 'not rejected');
  await client.ping();
  const j = json(await call('list_models', {}));
  assert(j.data.length > 0);
});
await t('progress notifications while a call runs', async () => {
  let n = 0;
  const r = await client.callTool({ name: 'chat', arguments: { model: 'slow', messages: [{ role: 'user', content: 'x' }] } }, undefined,
    { onprogress: () => { n++; }, timeout: 10000 });
  json(r);
  assert(n >= 1, 'no progress notification');
});
await t('request_timeout_secs bounds a call', async () => {
  const t0 = Date.now();
  await err('chat', { model: 'hang', messages: [{ role: 'user', content: 'x' }] }, -32603, 'timeout');
  assert(Date.now() - t0 < 3900, 'took ' + (Date.now() - t0));
});
await t('resources/read liter-llm://models', async () => {
  const r = await client.readResource({ uri: 'liter-llm://models' });
  assert(JSON.parse(r.contents[0].text).includes('gpt-test'));
});

await client.close();
if (F && stderr) console.log('server stderr:\n' + stderr.slice(-2000));
console.log(P + ' passed, ' + F + ' failed');
process.exit(F ? 1 : 0);
