// tests/integration/routes/sdk.mjs — the official openai npm SDK against
// `liter-llm api` for the routes beyond chat: audio transcriptions (multipart
// upload; json, verbose_json, text, srt, vtt), audio translations (not a
// route), rerank / search / ocr (generic client.post), files, batches,
// responses, embeddings (base64), models.retrieve of an unknown id; the fake
// upstream (routes/fake.py) reports what it received.
// usage: node sdk.mjs <gateway-url> <master-key> <fake-url> <vk>
// Prints "ok <name>" / "FAIL <name>: why" lines and "N passed, N failed".
import { createRequire } from 'node:module';
import { createHash } from 'node:crypto';
const require = createRequire(process.env.OPENAI_NODE_MODULES + '/');
const OpenAI = require('openai');

const [gw, key, fake, vkey] = process.argv.slice(2);
let P = 0, F = 0;
const ok = (n) => { P++; console.log('ok ' + n); };
const fail = (n, why) => { F++; console.log('FAIL ' + n + ': ' + why); };
async function t(name, fn) {
  try { await fn(); ok(name); } catch (e) { fail(name, (e && e.stack || String(e)).split('\n').slice(0, 3).join(' | ')); }
}
function assert(c, m) { if (!c) throw new Error(m || 'assertion failed'); }
const eq = (a, b, what) => assert(JSON.stringify(a) === JSON.stringify(b), `${what}: ${JSON.stringify(a)} != ${JSON.stringify(b)}`);
const last = async (path) => (await fetch(fake + '/__last?path=' + encodeURIComponent(path))).json();
const sha = (b) => createHash('sha256').update(b).digest('hex');
const client = new OpenAI({ baseURL: gw + '/v1', apiKey: key, maxRetries: 0, timeout: 20000 });
// the same SDK straight at the fake: what the SDK itself sends
const direct = new OpenAI({ baseURL: fake + '/v1', apiKey: 'sk-direct', maxRetries: 0, timeout: 20000 });

// A small valid WAV (16-bit mono PCM, 8 kHz); its samples hold the bytes a
// multipart parser must not trip on: CR LF, "--", NUL, 0xFF.
function wav() {
  const samples = [0x0a0d, 0x2d2d, 0x0a0d, 0x2d2d, 0x0000, 0xffff, 0x2d0a, 0x0d2d];
  for (let i = 0; i < 400; i++) samples.push(Math.round(8000 * Math.sin(i / 5)) & 0xffff);
  const data = Buffer.alloc(samples.length * 2);
  samples.forEach((s, i) => data.writeUInt16LE(s, i * 2));
  const h = Buffer.alloc(44);
  h.write('RIFF', 0); h.writeUInt32LE(36 + data.length, 4); h.write('WAVE', 8);
  h.write('fmt ', 12); h.writeUInt32LE(16, 16); h.writeUInt16LE(1, 20); h.writeUInt16LE(1, 22);
  h.writeUInt32LE(8000, 24); h.writeUInt32LE(16000, 28); h.writeUInt16LE(2, 32); h.writeUInt16LE(16, 34);
  h.write('data', 36); h.writeUInt32LE(data.length, 40);
  return Buffer.concat([h, data]);
}
const WAV = wav();

// the body with its boundary replaced, for comparing two requests byte for byte
function norm(rec) {
  const b = rec.ctype.split('boundary=')[1].replace(/^"|"$/g, '');
  return Buffer.from(rec.raw_b64, 'base64').toString('latin1').split(b).join('<B>');
}

const args = { language: 'en', prompt: 'a "quoted" prompt, é', temperature: 0.2, timestamp_granularities: ['word', 'segment'] };

await t('transcriptions: SDK multipart upload, model rewritten, file bytes identical', async () => {
  const r = await client.audio.transcriptions.create({ model: 'stt', file: await OpenAI.toFile(WAV, 'speech.wav', { type: 'audio/wav' }), response_format: 'json', ...args });
  assert(r.text === 'hello from fake', JSON.stringify(r));
  assert(r.x_model === 'whisper-upstream', 'upstream model: ' + r.x_model);
  assert(r.x_sha256 === sha(WAV) && r.x_len === WAV.length, `file: ${r.x_len} bytes`);
  assert(r.x_filename === 'speech.wav' && r.x_file_ctype === 'audio/wav', `${r.x_filename} ${r.x_file_ctype}`);
  eq(r.x_fields.language, ['en'], 'language'); eq(r.x_fields.prompt, [args.prompt], 'prompt');
  eq(r.x_fields.temperature, ['0.2'], 'temperature'); eq(r.x_fields['timestamp_granularities[]'], ['word', 'segment'], 'granularities');
  eq(r.x_fields.response_format, ['json'], 'response_format');
  const rec = await last('/v1/audio/transcriptions');
  assert(rec.auth === 'Bearer sk-upstream-secret', 'provider credential: ' + rec.auth);
  assert(rec.ctype.startsWith('multipart/form-data; boundary='), rec.ctype);
});

await t('transcriptions: the upstream gets the SDK body byte for byte (only the model part differs)', async () => {
  // the same request straight at the fake, then through the gateway
  await direct.audio.transcriptions.create({ model: 'whisper-upstream', file: await OpenAI.toFile(WAV, 'speech.wav', { type: 'audio/wav' }), ...args });
  const a = norm(await last('/v1/audio/transcriptions'));
  await client.audio.transcriptions.create({ model: 'stt', file: await OpenAI.toFile(WAV, 'speech.wav', { type: 'audio/wav' }), ...args });
  const b = norm(await last('/v1/audio/transcriptions'));
  assert(a === b, `bodies differ: ${a.length} vs ${b.length} bytes`);
  assert(a.includes('name="model"\r\n\r\nwhisper-upstream\r\n'), 'model part');
});

await t('transcriptions: response_format text -> text/plain passed through', async () => {
  const r = await client.audio.transcriptions.create({ model: 'stt', file: await OpenAI.toFile(WAV, 'a.wav'), response_format: 'text' }).withResponse();
  assert(r.data === 'hello from fake\n', JSON.stringify(r.data));
  assert(r.response.headers.get('content-type') === 'text/plain; charset=utf-8', r.response.headers.get('content-type'));
});

await t('transcriptions: srt and vtt pass through with the upstream content type', async () => {
  const s = await client.audio.transcriptions.create({ model: 'stt', file: await OpenAI.toFile(WAV, 'a.wav'), response_format: 'srt' }).withResponse();
  assert(s.data.startsWith('1\n00:00:00,000 --> ') && s.response.headers.get('content-type') === 'text/plain; charset=utf-8', s.data);
  const v = await client.audio.transcriptions.create({ model: 'stt', file: await OpenAI.toFile(WAV, 'a.wav'), response_format: 'vtt' }).withResponse();
  assert(v.data.startsWith('WEBVTT') && v.response.headers.get('content-type') === 'text/vtt; charset=utf-8', v.response.headers.get('content-type'));
});

await t('transcriptions: verbose_json', async () => {
  const r = await client.audio.transcriptions.create({ model: 'stt', file: await OpenAI.toFile(WAV, 'a.wav'), response_format: 'verbose_json' });
  assert(r.language === 'english' && r.duration === 1.5 && r.segments[0].text === 'hello from fake', JSON.stringify(r));
});

await t('transcriptions: JSON + base64 (the reference form) -> a multipart upstream', async () => {
  const res = await fetch(gw + '/v1/audio/transcriptions', { method: 'POST', headers: { authorization: 'Bearer ' + key, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'stt', file: WAV.toString('base64'), language: 'de', temperature: 0 }) });
  const r = await res.json();
  assert(res.status === 200, res.status + ' ' + JSON.stringify(r));
  assert(r.x_model === 'whisper-upstream' && r.x_sha256 === sha(WAV), JSON.stringify(r));
  assert(r.x_filename === 'audio.wav' && r.x_file_ctype === 'audio/wav', `${r.x_filename} ${r.x_file_ctype}`);
  eq(r.x_fields.language, ['de'], 'language'); eq(r.x_fields.temperature, ['0'], 'temperature');
});

await t('transcriptions: unknown model -> 404, virtual key outside its list -> 403', async () => {
  try { await client.audio.transcriptions.create({ model: 'nope', file: await OpenAI.toFile(WAV, 'a.wav') }); throw new Error('no error'); }
  catch (e) { assert(e.status === 404 && e.error.type === 'NotFound' && e.error.message === "model 'nope' not found", `${e.status} ${JSON.stringify(e.error)}`); }
  const vk = new OpenAI({ baseURL: gw + '/v1', apiKey: vkey, maxRetries: 0 });
  try { await vk.audio.transcriptions.create({ model: 'stt', file: await OpenAI.toFile(WAV, 'a.wav') }); throw new Error('no error'); }
  catch (e) { assert(e.status === 403 && /^key 'vk-[0-9a-f]{16}' is not allowed to access model 'stt'$/.test(e.error.message), `${e.status} ${JSON.stringify(e.error)}`); }
});

await t('translations: not a route (rest-api.md) -> 404', async () => {
  try { await client.audio.translations.create({ model: 'stt', file: await OpenAI.toFile(WAV, 'a.wav') }); throw new Error('no error'); }
  catch (e) { assert(e.status === 404, `${e.status}`); }
});

await t('a form where the route takes JSON only -> 415', async () => {
  const fd = new FormData(); fd.append('model', 'emb'); fd.append('input', 'x');
  const res = await fetch(gw + '/v1/embeddings', { method: 'POST', headers: { authorization: 'Bearer ' + key }, body: fd });
  const j = await res.json();
  assert(res.status === 415 && j.error.type === 'BadRequest', res.status + JSON.stringify(j));
});

await t('rerank (client.post)', async () => {
  const r = await client.post('/rerank', { body: { model: 'rr', query: 'q', documents: ['a', { text: 'b' }, 'c'], top_n: 2 } });
  assert(r.id === 'rr-1' && r.results.length === 2 && r.results[0].index === 0 && r.meta.x_model === 'rerank-upstream', JSON.stringify(r));
  const rec = await last('/v1/rerank');
  assert(rec.body.model === 'rerank-upstream' && rec.body.top_n === 2 && rec.body.documents[1].text === 'b', JSON.stringify(rec.body));
});

await t('search (client.post)', async () => {
  const r = await client.post('/search', { body: { model: 'srch', query: 'liter', max_results: 3 } });
  assert(r.model === 'search-upstream' && r.results[0].snippet === 'liter', JSON.stringify(r));
  assert((await last('/v1/search')).body.max_results === 3);
});

await t('ocr (client.post), url and base64 documents', async () => {
  const a = await client.post('/ocr', { body: { model: 'ocr', document: { type: 'document_url', url: 'https://example.invalid/a.pdf' } } });
  assert(a.model === 'ocr-upstream' && a.pages[0].markdown === '# page document_url', JSON.stringify(a));
  const b = await client.post('/ocr', { body: { model: 'ocr', document: { type: 'base64', data: WAV.toString('base64').slice(0, 64), media_type: 'image/png' }, pages: [0] } });
  assert(b.pages[0].markdown === '# page base64', JSON.stringify(b));
  const rec = await last('/v1/ocr'); eq(rec.body.pages, [0], 'pages');
});

await t('embeddings: base64 (SDK default) decoded to the right floats', async () => {
  const r = await client.embeddings.create({ model: 'emb', input: ['a', 'b'] });
  const want = [0.5, -1.25, 3.0, Math.fround(1e-7)];
  assert(r.data.length === 2, JSON.stringify(r));
  for (const d of r.data) eq(Array.from(d.embedding), want, 'embedding');
  const rec = await last('/v1/embeddings');
  assert(rec.body.encoding_format === 'base64' && rec.body.model === 'emb-upstream', JSON.stringify(rec.body));
  const f = await client.embeddings.create({ model: 'emb', input: 'a', encoding_format: 'float' });
  eq(f.data[0].embedding, [0.5, -1.25, 3.0, 1e-7], 'float embedding');
});

await t('models.retrieve of an unknown id -> 404 NotFound', async () => {
  try { await client.models.retrieve('no-such-model'); throw new Error('no error'); }
  catch (e) { assert(e instanceof OpenAI.NotFoundError && e.status === 404 && e.error.type === 'NotFound' && e.error.message === "model 'no-such-model' not found", `${e.status} ${JSON.stringify(e.error)}`); }
});

await t('files: create (SDK multipart, binary), list, retrieve, content, delete', async () => {
  const bytes = Buffer.concat([Buffer.from('{"custom_id":"1"}\r\n--x\r\n'), Buffer.from([...Array(256).keys()])]);
  const f = await client.files.create({ file: await OpenAI.toFile(bytes, 'batch "in".jsonl'), purpose: 'batch' });
  assert(f.id.startsWith('file-rt-') && f.bytes === bytes.length && f.purpose === 'batch', JSON.stringify(f));
  const ids = []; for await (const x of client.files.list({ purpose: 'batch' })) ids.push(x.id);
  assert(ids.includes(f.id), ids.join());
  const g = await client.files.retrieve(f.id); assert(g.id === f.id && g.bytes === bytes.length);
  const c = Buffer.from(await (await client.files.content(f.id)).arrayBuffer());
  assert(c.equals(bytes), 'content differs: ' + c.length);
  const d = await client.files.delete(f.id); assert(d.deleted === true && d.id === f.id, JSON.stringify(d));
  try { await client.files.retrieve(f.id); throw new Error('no error'); } catch (e) { assert(e.status === 404 && e.error.type === 'NotFound', `${e.status}`); }
});

await t('batches: create, retrieve, list, cancel', async () => {
  const b = await client.batches.create({ input_file_id: 'file-in', endpoint: '/v1/chat/completions', completion_window: '24h', metadata: { run: '7' } });
  assert(b.id === 'batch_new' && b.status === 'validating' && b.metadata.run === '7', JSON.stringify(b));
  const r = await client.batches.retrieve('batch_9'); assert(r.id === 'batch_9' && r.request_counts.completed === 1, JSON.stringify(r));
  const ids = []; for await (const x of client.batches.list({ limit: 2 })) ids.push(x.id);
  eq(ids, ['batch_1', 'batch_2'], 'list');
  assert((await last('/v1/batches')).path === '/v1/batches?limit=2', 'query forwarded');
  const c = await client.batches.cancel('batch_9'); assert(c.status === 'cancelling');
});

await t('responses: create, retrieve (proxy mode)', async () => {
  const r = await client.responses.create({ model: 'gpt-4o-up', input: 'hi', instructions: 'be brief' });
  assert(r.id === 'resp_new' && r.output_text === 'Hi from responses' && r.model === 'gpt-4o-up', JSON.stringify(r));
  const rec = await last('/v1/responses'); assert(rec.body.instructions === 'be brief' && rec.auth === 'Bearer sk-upstream-secret');
  const g = await client.responses.retrieve('resp_5'); assert(g.id === 'resp_5' && g.status === 'completed');
});

console.log(`${P} passed, ${F} failed`);
