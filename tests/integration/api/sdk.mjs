// tests/integration/api/sdk.mjs — drives `liter-llm api` with the official
// openai npm SDK. usage: node sdk.mjs <gateway-url> <master-key> <fake-url> <mode>
// Prints "ok <name>" / "FAIL <name>: why" lines and "N passed, N failed".
import { createRequire } from 'node:module';
const require = createRequire(process.env.OPENAI_NODE_MODULES + '/');
const OpenAI = require('openai');

const [gw, key, fake, mode] = process.argv.slice(2);
let P = 0, F = 0;
const ok = (n) => { P++; console.log('ok ' + n); };
const fail = (n, why) => { F++; console.log('FAIL ' + n + ': ' + why); };
async function t(name, fn) {
  try { await fn(); ok(name); } catch (e) { fail(name, (e && e.stack || String(e)).split('\n').slice(0, 3).join(' | ')); }
}
function assert(c, m) { if (!c) throw new Error(m || 'assertion failed'); }
const log = async () => (await fetch(fake + '/__log')).json();
const client = new OpenAI({ baseURL: gw + '/v1', apiKey: key, maxRetries: 0, timeout: 20000 });

if (mode === 'config') {
  await t('chat non-stream', async () => {
    const r = await client.chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }], max_completion_tokens: 5 });
    assert(r.choices[0].message.content === 'Hello from fake', JSON.stringify(r));
    assert(r.model === 'gpt-4o-upstream', 'upstream model returned unchanged');
    assert(r.x_passthrough === true && r.usage.completion_tokens_details.reasoning_tokens === 1, 'unknown fields pass through');
    const l = await log(); const last = l[l.length - 1];
    assert(last.body.model === 'gpt-4o-upstream', 'upstream got provider_model id: ' + last.body.model);
    assert(last.headers.authorization === 'Bearer sk-provider-secret', 'provider credential: ' + last.headers.authorization);
    assert(!JSON.stringify(last.headers).includes(key), 'client token never forwarded');
    assert(last.headers['x-title'] === 'liter-test', 'extra_headers sent');
    assert(last.body.max_completion_tokens === 5, 'unknown->kept');
  });
  await t('chat stream', async () => {
    const s = await client.chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }], stream: true });
    let text = '', n = 0;
    for await (const c of s) { n++; text += c.choices[0]?.delta?.content || ''; }
    assert(text === 'Hello' && n === 2, `text=${text} n=${n}`);
    const l = await log(); assert(l[l.length - 1].body.stream === true);
  });
  await t('chat stream: upstream drop surfaces an error', async () => {
    const s = await client.chat.completions.create({ model: 'drop', messages: [{ role: 'user', content: 'hi' }], stream: true });
    let text = '', threw = null;
    try { for await (const c of s) text += c.choices[0]?.delta?.content || ''; } catch (e) { threw = e; }
    assert(text === 'Hel', 'got the first chunk: ' + text);
    assert(threw && /streaming error/.test(threw.message), 'SDK error: ' + (threw && threw.message));
  });
  await t('pool round-robin', async () => {
    await client.chat.completions.create({ model: 'pool', messages: [{ role: 'user', content: 'a' }] });
    await client.chat.completions.create({ model: 'pool', messages: [{ role: 'user', content: 'b' }] });
    const l = await log(); const a = l[l.length - 2].body.model, b = l[l.length - 1].body.model;
    assert(a !== b && [a, b].sort().join() === 'pool-a,pool-b', `${a} ${b}`);
  });
  await t('upstream 429 -> RateLimited + Retry-After', async () => {
    try { await client.chat.completions.create({ model: 'err-429', messages: [{ role: 'user', content: 'x' }] }); throw new Error('no error'); }
    catch (e) { assert(e.status === 429 && e.error.type === 'RateLimited' && e.headers.get('retry-after') === '7', `${e.status} ${JSON.stringify(e.error)}`);
      assert(e.error.message === 'rate limited: slow down', e.error.message); }
  });
  await t('upstream 400 context -> ContextWindowExceeded', async () => {
    try { await client.chat.completions.create({ model: 'err-ctx', messages: [{ role: 'user', content: 'x' }] }); throw new Error('no error'); }
    catch (e) { assert(e.status === 400 && e.error.type === 'ContextWindowExceeded', `${e.status} ${JSON.stringify(e.error)}`); }
  });
  await t('upstream 502 -> 503 ServiceUnavailable', async () => {
    try { await client.chat.completions.create({ model: 'err-502', messages: [{ role: 'user', content: 'x' }] }); throw new Error('no error'); }
    catch (e) { assert(e.status === 503 && e.error.type === 'ServiceUnavailable', `${e.status}`); }
  });
  await t('unreachable upstream -> 502 Network', async () => {
    try { await client.chat.completions.create({ model: 'dead', messages: [{ role: 'user', content: 'x' }] }); throw new Error('no error'); }
    catch (e) { assert(e.status === 502 && e.error.type === 'Network', `${e.status} ${JSON.stringify(e.error)}`); }
  });
  await t('embeddings (base64 default of the SDK)', async () => {
    const r = await client.embeddings.create({ model: 'emb', input: ['a', 'b'] });
    assert(r.data.length === 2 && Math.abs(r.data[0].embedding[1] + 1.25) < 1e-6, JSON.stringify(r.data[0]));
    const l = await log(); assert(l[l.length - 1].body.encoding_format === 'base64');
  });
  await t('embeddings float', async () => {
    const r = await client.embeddings.create({ model: 'emb', input: 'a', encoding_format: 'float' });
    assert(r.data[0].embedding[2] === 2, JSON.stringify(r));
  });
  await t('models list', async () => {
    const ids = []; for await (const m of client.models.list()) ids.push(m.id);
    assert(ids.includes('gpt-test') && ids.includes('pool') && ids.includes('emb'), ids.join());
  });
  await t('models retrieve', async () => {
    const m = await client.models.retrieve('gpt-test');
    assert(m.id === 'gpt-test' && m.owned_by === 'liter-llm-proxy');
    try { await client.models.retrieve('nope'); throw new Error('no error'); } catch (e) { assert(e.status === 404 && e.error.message === "model 'nope' not found"); }
  });
  await t('images', async () => {
    const r = await client.images.generate({ model: 'img', prompt: 'a cat' });
    assert(r.data[0].url.endsWith('cat.png'));
  });
  await t('moderations', async () => {
    const r = await client.moderations.create({ model: 'mod', input: 'hello' });
    assert(r.results[0].flagged === false);
  });
  await t('audio speech (binary)', async () => {
    const r = await client.audio.speech.create({ model: 'tts', input: 'hi', voice: 'alloy' });
    const b = Buffer.from(await r.arrayBuffer());
    assert(r.headers.get('content-type') === 'audio/mpeg' && b.slice(0, 3).toString() === 'ID3' && b.length === 20, b.length);
  });
  await t('virtual key outside allow-list -> 403', async () => {
    const vk = new OpenAI({ baseURL: gw + '/v1', apiKey: 'vk-limited-key-1', maxRetries: 0 });
    try { await vk.chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'x' }] }); throw new Error('no error'); }
    catch (e) { assert(e.status === 403 && /^key 'vk-[0-9a-f]{16}' is not allowed to access model 'gpt-test'$/.test(e.error.message), e.error && e.error.message); }
    const r = await vk.chat.completions.create({ model: 'emb', messages: [{ role: 'user', content: 'x' }] });
    assert(r.choices.length === 1);
    const ids = []; for await (const m of vk.models.list()) ids.push(m.id);
    assert(ids.join() === 'emb', ids.join());
  });
  await t('wrong key -> 401', async () => {
    const bad = new OpenAI({ baseURL: gw + '/v1', apiKey: 'sk-wrong', maxRetries: 0 });
    try { await bad.models.list(); throw new Error('no error'); } catch (e) { assert(e.status === 401 && e.error.message === 'Invalid API key'); }
  });
  await t('files: create (multipart from the SDK), list, retrieve, content, delete', async () => {
    const f = await client.files.create({ file: await OpenAI.toFile(Buffer.concat([Buffer.from('{"a":1}\n'), Buffer.from([0, 0xff])]), 'in.jsonl'), purpose: 'batch' });
    assert(f.id.startsWith('file-fake-') && f.filename === 'in.jsonl' && f.purpose === 'batch' && f.bytes === 10, JSON.stringify(f));
    const l = await log(); const last = l[l.length - 1];
    assert(last.headers.authorization === 'Bearer sk-provider-secret', 'default account credential');
    const ids = []; for await (const x of client.files.list({ purpose: 'batch' })) ids.push(x.id);
    assert(ids.includes(f.id), ids.join());
    const l2 = await log(); assert(l2[l2.length - 1].path === '/v1/files?purpose=batch', l2[l2.length - 1].path);
    const r = await client.files.retrieve(f.id); assert(r.id === f.id && r.bytes === 10);
    const c = Buffer.from(await (await client.files.content(f.id)).arrayBuffer());
    assert(c.length === 10 && c[8] === 0 && c[9] === 0xff, 'binary content: ' + c.toString('hex'));
    const d = await client.files.delete(f.id); assert(d.deleted === true && d.id === f.id, JSON.stringify(d));
    try { await client.files.retrieve(f.id); throw new Error('no error'); } catch (e) { assert(e.status === 404 && e.error.type === 'NotFound', `${e.status}`); }
  });
  await t('batches: create, retrieve, list, cancel', async () => {
    const b = await client.batches.create({ input_file_id: 'file-x', endpoint: '/v1/chat/completions', completion_window: '24h', metadata: { k: 'v' } });
    assert(b.id === 'batch_1' && b.status === 'validating' && b.input_file_id === 'file-x' && b.metadata.k === 'v', JSON.stringify(b));
    const r = await client.batches.retrieve('batch_7'); assert(r.id === 'batch_7' && r.status === 'in_progress');
    const ids = []; for await (const x of client.batches.list({ limit: 5 })) ids.push(x.id);
    assert(ids.join() === 'batch_1', ids.join());
    const c = await client.batches.cancel('batch_7'); assert(c.status === 'cancelling');
  });
  await t('responses: create, retrieve, cancel; stream refused', async () => {
    const r = await client.responses.create({ model: 'gpt-4o', input: 'hi' });
    assert(r.id === 'resp_1' && r.output_text === 'Hi from responses', JSON.stringify(r));
    const l = await log(); assert(l[l.length - 1].body.model === 'gpt-4o', 'model verbatim');
    const g = await client.responses.retrieve('resp_9'); assert(g.id === 'resp_9');
    const c = await client.responses.cancel('resp_9'); assert(c.status === 'cancelled');
    try { await client.responses.create({ model: 'gpt-4o', input: 'hi', stream: true }); throw new Error('no error'); }
    catch (e) { assert(e.status === 400 && e.error.type === 'BadRequest' && /streaming is not offered/.test(e.error.message), `${e.status} ${JSON.stringify(e.error)}`); }
  });
  await t('virtual key on files -> 403', async () => {
    const vk = new OpenAI({ baseURL: gw + '/v1', apiKey: 'vk-limited-key-1', maxRetries: 0 });
    try { await vk.batches.retrieve('b'); throw new Error('no error'); }
    catch (e) { assert(e.status === 403 && /^endpoint 'retrieve_batch' requires master-key access; key 'vk-[0-9a-f]{16}' is restricted$/.test(e.error.message), e.error.message); }
  });
} else if (mode === 'anthropic') {
  await t('anthropic chat non-stream', async () => {
    const r = await client.chat.completions.create({ model: 'claude', messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'hi' }], max_tokens: 50, stop: 'END' });
    assert(r.object === 'chat.completion' && r.choices[0].message.content === 'Hello from Claude' && r.choices[0].finish_reason === 'stop', JSON.stringify(r));
    assert(r.usage.prompt_tokens === 12 && r.usage.completion_tokens === 5 && r.id === 'msg_fake', JSON.stringify(r.usage));
    const l = await log(); const last = l[l.length - 1];
    assert(last.path === '/v1/messages', last.path);
    assert(last.headers['x-api-key'] === 'sk-ant-test' && last.headers['anthropic-version'] === '2023-06-01' && !last.headers.authorization, JSON.stringify(last.headers));
    assert(last.body.model === 'claude-3-5-haiku-latest' && last.body.system[0].text === 'be brief' && last.body.max_tokens === 50, JSON.stringify(last.body));
    assert(JSON.stringify(last.body.stop_sequences) === '["END"]' && last.body.messages.length === 1 && last.body.stream === false, JSON.stringify(last.body));
  });
  await t('anthropic tools', async () => {
    const r = await client.chat.completions.create({ model: 'claude', messages: [{ role: 'user', content: 'weather?' }],
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }], tool_choice: 'required' });
    const tc = r.choices[0].message.tool_calls[0];
    assert(r.choices[0].finish_reason === 'tool_calls' && tc.function.name === 'get_weather' && JSON.parse(tc.function.arguments).city === 'Paris', JSON.stringify(r));
    const l = await log(); const b = l[l.length - 1].body;
    assert(b.tools[0].input_schema.type === 'object' && b.tool_choice.type === 'any', JSON.stringify(b));
  });
  await t('anthropic stream', async () => {
    const s = await client.chat.completions.create({ model: 'claude', messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: true } });
    let text = '', fin = null, usage = null, id = null;
    for await (const c of s) { id = id || c.id; text += c.choices[0]?.delta?.content || ''; fin = c.choices[0]?.finish_reason || fin; usage = c.usage || usage; }
    assert(text === 'Hello from Claude' && fin === 'stop' && id === 'msg_stream', `text=${text} fin=${fin} id=${id}`);
    assert(usage && usage.prompt_tokens === 10 && usage.completion_tokens === 3, JSON.stringify(usage));
    const l = await log(); assert(l[l.length - 1].body.stream === true);
  });
  await t('anthropic stream error event surfaces', async () => {
    const s = await client.chat.completions.create({ model: 'claude-stream-err', messages: [{ role: 'user', content: 'hi' }], stream: true });
    let text = '', threw = null;
    try { for await (const c of s) text += c.choices[0]?.delta?.content || ''; } catch (e) { threw = e; }
    assert(text === 'Hello from Claude' && threw && /Overloaded/.test(threw.message), `${text} ${threw && threw.message}`);
  });
  await t('anthropic error body -> 400 BadRequest', async () => {
    try { await client.chat.completions.create({ model: 'claude-err', messages: [{ role: 'user', content: 'x' }] }); throw new Error('no error'); }
    catch (e) { assert(e.status === 400 && e.error.type === 'BadRequest' && e.error.message === 'bad request: max_tokens: too large', `${e.status} ${JSON.stringify(e.error)}`); }
  });
  await t('anthropic empty messages -> 400 (local)', async () => {
    try { await client.chat.completions.create({ model: 'claude', messages: [] }); throw new Error('no error'); }
    catch (e) { assert(e.status === 400 && /messages array must not be empty/.test(e.error.message), e.error.message); }
  });
  await t('retries: 429 Retry-After 0 twice, then success', async () => {
    const before = (await log()).length;
    const r = await client.chat.completions.create({ model: 'flaky', messages: [{ role: 'user', content: 'x' }] });
    assert(r.choices[0].message.content === 'Hello from fake');
    assert((await log()).length - before === 3, 'three attempts');
  });
  await t('retries: 503 with back-off, then success', async () => {
    const t0 = Date.now();
    const r = await client.chat.completions.create({ model: 'flaky503', messages: [{ role: 'user', content: 'x' }] });
    const dt = Date.now() - t0;
    assert(r.choices[0].message.content === 'Hello from fake' && dt >= 450 && dt < 5000, 'took ' + dt);
  });
  await t('retries exhausted: 529 overloaded -> ServerError after 3 attempts', async () => {
    const before = (await log()).length;
    try { await client.chat.completions.create({ model: 'claude-overloaded', messages: [{ role: 'user', content: 'x' }] }); throw new Error('no error'); }
    catch (e) { assert(e.status === 500 && /Overloaded/.test(e.error.message), `${e.status} ${JSON.stringify(e.error)}`); }
    assert((await log()).length - before === 3, 'three attempts');
  });
  await t('no retry on 400', async () => {
    const before = (await log()).length;
    try { await client.chat.completions.create({ model: 'claude-err', messages: [{ role: 'user', content: 'x' }] }); } catch (e) { }
    assert((await log()).length - before === 1);
  });
} else if (mode === 'gemini') {
  const lastReq = async () => { const l = await log(); return l[l.length - 1]; };
  await t('gemini chat non-stream', async () => {
    const r = await client.chat.completions.create({ model: 'gemini-flash', max_tokens: 7, temperature: 0.5,
      messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'hi' }] });
    assert(r.object === 'chat.completion' && r.choices[0].message.content === 'Hello from Gemini', JSON.stringify(r));
    assert(r.choices[0].finish_reason === 'stop' && r.model === 'gemini-fake' && r.id === 'gem-resp-1', JSON.stringify(r));
    assert(r.usage.prompt_tokens === 4 && r.usage.completion_tokens === 3 && r.usage.total_tokens === 7, JSON.stringify(r.usage));
    const q = await lastReq();
    assert(q.path === '/v1beta/models/gemini-fake:generateContent', q.path);
    assert(q.headers['x-goog-api-key'] === 'gm-test-key' && !q.headers.authorization, JSON.stringify(q.headers));
    assert(q.body.systemInstruction.parts[0].text === 'be brief' && q.body.contents[0].parts[0].text === 'hi', JSON.stringify(q.body));
    assert(q.body.generationConfig.maxOutputTokens === 7 && q.body.generationConfig.temperature === 0.5, JSON.stringify(q.body));
  });
  await t('gemini tool call', async () => {
    const r = await client.chat.completions.create({ model: 'gemini-flash', messages: [{ role: 'user', content: 'weather?' }],
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }] });
    const tc = r.choices[0].message.tool_calls;
    assert(r.choices[0].finish_reason === 'tool_calls' && tc && tc[0].function.name === 'get_weather' &&
      JSON.parse(tc[0].function.arguments).city === 'Paris', JSON.stringify(r.choices[0]));
    const q = await lastReq();
    assert(q.body.tools[0].functionDeclarations[0].name === 'get_weather', JSON.stringify(q.body));
  });
  await t('gemini stream with include_usage', async () => {
    const s = await client.chat.completions.create({ model: 'gemini-flash', messages: [{ role: 'user', content: 'hi' }], stream: true,
      stream_options: { include_usage: true } });
    let text = '', finish = null, usage = null, id = null;
    for await (const c of s) {
      id = id || c.id;
      text += c.choices[0]?.delta?.content || '';
      finish = c.choices[0]?.finish_reason || finish;
      if (c.usage) usage = c.usage;
    }
    assert(text === 'Hello from Gemini' && finish === 'stop' && id === 'gem-stream-1', `${text} ${finish} ${id}`);
    assert(usage && usage.total_tokens === 7, JSON.stringify(usage));
    const q = await lastReq();
    assert(q.path === '/v1beta/models/gemini-fake:streamGenerateContent?alt=sse', q.path);
  });
  await t('gemini stream cut before finish -> stream error', async () => {
    const s = await client.chat.completions.create({ model: 'gemini-cut', messages: [{ role: 'user', content: 'hi' }], stream: true });
    let text = '', threw = null;
    try { for await (const c of s) text += c.choices[0]?.delta?.content || ''; } catch (e) { threw = e; }
    assert(text === 'Hello from' && threw && /ended before the response was complete/.test(threw.message), `${text} ${threw && threw.message}`);
  });
  await t('gemini error body -> 429 RateLimited', async () => {
    try { await client.chat.completions.create({ model: 'gemini-err', messages: [{ role: 'user', content: 'x' }] }); throw new Error('no error'); }
    catch (e) { assert(e.status === 429 && e.error.type === 'RateLimited' && /Resource has been exhausted/.test(e.error.message), `${e.status} ${JSON.stringify(e.error)}`); }
  });
  await t('gemini wrong key (array error body) -> 400 with Google message', async () => {
    try { await client.chat.completions.create({ model: 'gemini-badkey', messages: [{ role: 'user', content: 'x' }] }); throw new Error('no error'); }
    catch (e) { assert(e.status === 400 && e.error.message === 'bad request: API key not valid. Please pass a valid API key.', `${e.status} ${JSON.stringify(e.error)}`); }
  });
  await t('gemini empty messages -> 400 (local)', async () => {
    try { await client.chat.completions.create({ model: 'gemini-flash', messages: [] }); throw new Error('no error'); }
    catch (e) { assert(e.status === 400 && /messages array must not be empty/.test(e.error.message), e.error.message); }
  });
  await t('gemini embeddings -> native embedContent', async () => {
    const r = await client.embeddings.create({ model: 'gemini-flash', input: 'x' });
    const v = r.data[0].embedding;
    assert(r.data.length === 1 && v.length === 3 && v[0] === 0.5 && v[1] === -1.25, JSON.stringify(r));
    const l = await log(); const last = l[l.length - 1];
    assert(last.path === '/v1beta/models/gemini-fake:embedContent' && last.body.content.parts[0].text === 'x', JSON.stringify(last));
  });
} else if (mode === 'zero') {
  await t('zero-config chat openai/<model>', async () => {
    const r = await client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    assert(r.model === 'gpt-4o-mini', r.model);
    const l = await log(); const last = l[l.length - 1];
    assert(last.headers.authorization === 'Bearer sk-zero-env-key', last.headers.authorization);
  });
  await t('zero-config stream', async () => {
    const s = await client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], stream: true });
    let text = ''; for await (const c of s) text += c.choices[0]?.delta?.content || '';
    assert(text === 'Hello', text);
  });
  await t('zero-config unknown provider -> 404 with hint', async () => {
    try { await client.chat.completions.create({ model: 'groq/llama', messages: [{ role: 'user', content: 'x' }] }); throw new Error('no error'); }
    catch (e) { assert(e.status === 404 && /^model 'groq\/llama' not found: set GROQ_API_KEY/.test(e.error.message), e.error.message); }
  });
  await t('zero-config models from pricing data', async () => {
    const ids = []; for await (const m of client.models.list()) ids.push(m.id);
    assert(ids.length > 5 && ids.every((i) => i.startsWith('openai/')) && ids.includes('openai/gpt-4o'), ids.slice(0, 5).join());
  });
}
console.log(`${P} passed, ${F} failed`);
process.exit(F ? 1 : 0);
