// tests/integration/bedrock/sdk.mjs — drives `liter-llm api` in front of the
// fake Bedrock runtime with the official openai npm SDK.
// usage: node sdk.mjs <gateway-url> <master-key> <fake-url> <mode>
//   mode "main":     chat, stream, tools, usage, errors, stream failures, embeddings
//   mode "badsig":   the gateway signs with a tampered secret: 403 -> Authentication
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
const last = async () => { const l = await log(); return l[l.length - 1]; };
const client = new OpenAI({ baseURL: gw + '/v1', apiKey: key, maxRetries: 0, timeout: 20000 });
const HAIKU_PATH = '/model/anthropic.claude-3-haiku-20240307-v1%3A0';
const weatherTool = { type: 'function', function: { name: 'get_weather', description: 'Weather of a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } };

async function expectError(name, fn, status, type, re) {
  await t(name, async () => {
    let err = null;
    try { await fn(); } catch (e) { err = e; }
    assert(err, 'no error');
    assert(err.status === status && err.error && err.error.type === type, `${err.status} ${JSON.stringify(err.error)}`);
    if (re) assert(re.test(err.error.message), err.error.message);
  });
}

/* every chunk of a stream: [chunks, error or null] */
async function drain(s) {
  const chunks = [];
  try { for await (const c of s) chunks.push(c); } catch (e) { return [chunks, e]; }
  return [chunks, null];
}

if (mode === 'main') {
  await t('chat non-stream: text, usage, signed Converse call', async () => {
    const r = await client.chat.completions.create({ model: 'claude-bedrock', max_tokens: 64, temperature: 0.2,
      messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'hi' }] });
    assert(r.object === 'chat.completion' && r.choices[0].message.content === 'Hello from Bedrock', JSON.stringify(r));
    assert(r.choices[0].finish_reason === 'stop', r.choices[0].finish_reason);
    assert(r.model === 'anthropic.claude-3-haiku-20240307-v1:0', r.model);
    assert(r.usage.prompt_tokens === 16 && r.usage.completion_tokens === 4 && r.usage.total_tokens === 20 &&
      r.usage.prompt_tokens_details.cached_tokens === 5, JSON.stringify(r.usage));
    const q = await last();
    assert(q.path === HAIKU_PATH + '/converse', q.path);
    assert(q.sig === 'ok', 'signature verified by @smithy/signature-v4');
    assert(/^AWS4-HMAC-SHA256 Credential=AKIDBEDROCKTEST\/\d{8}\/us-west-2\/bedrock\/aws4_request, SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=[0-9a-f]{64}$/.test(q.headers.authorization), q.headers.authorization);
    assert(q.headers['x-amz-security-token'] === 'FwoGZXIvYXdzEBYaDFAKE/session+token==', 'session token header');
    assert(!JSON.stringify(q.headers).includes(key), 'client key never forwarded');
    assert(JSON.stringify(q.body.system) === '[{"text":"Be brief."}]', JSON.stringify(q.body));
    assert(JSON.stringify(q.body.messages) === '[{"role":"user","content":[{"text":"hi"}]}]', JSON.stringify(q.body.messages));
    assert(q.body.inferenceConfig.maxTokens === 64 && q.body.inferenceConfig.temperature === 0.2, JSON.stringify(q.body));
    assert(!('model' in q.body) && !('stream' in q.body), 'no model/stream in the Converse body');
  });
  await t('chat non-stream: max_tokens stop -> length', async () => {
    const r = await client.chat.completions.create({ model: 'claude-bedrock', max_tokens: 1, messages: [{ role: 'user', content: 'hi' }] });
    assert(r.choices[0].finish_reason === 'length' && r.choices[0].message.content === 'Hel', JSON.stringify(r));
  });
  await t('tool call round trip (toolUse -> tool_calls -> toolResult)', async () => {
    const msgs = [{ role: 'user', content: 'Weather in Paris?' }];
    const r = await client.chat.completions.create({ model: 'claude-bedrock', messages: msgs, tools: [weatherTool], tool_choice: 'required' });
    const m = r.choices[0].message;
    assert(r.choices[0].finish_reason === 'tool_calls', r.choices[0].finish_reason);
    assert(m.content === 'Let me check.' && m.tool_calls.length === 1, JSON.stringify(m));
    const tc = m.tool_calls[0];
    assert(tc.id === 'tooluse_w1' && tc.type === 'function' && tc.function.name === 'get_weather', JSON.stringify(tc));
    assert(JSON.parse(tc.function.arguments).city === 'Paris', tc.function.arguments);
    let q = await last();
    assert(JSON.stringify(q.body.toolConfig) === JSON.stringify({ tools: [{ toolSpec: { name: 'get_weather', description: 'Weather of a city',
      inputSchema: { json: weatherTool.function.parameters } } }], toolChoice: { any: {} } }), JSON.stringify(q.body.toolConfig));
    msgs.push(m, { role: 'tool', tool_call_id: tc.id, content: '18C' });
    const r2 = await client.chat.completions.create({ model: 'claude-bedrock', messages: msgs, tools: [weatherTool] });
    assert(r2.choices[0].message.content === 'It is 18C in Paris.', JSON.stringify(r2));
    q = await last();
    const turns = q.body.messages;
    assert(turns.length === 3 && turns[1].role === 'assistant' && turns[2].role === 'user', JSON.stringify(turns));
    assert(JSON.stringify(turns[1].content[1]) === '{"toolUse":{"toolUseId":"tooluse_w1","name":"get_weather","input":{"city":"Paris"}}}', JSON.stringify(turns[1]));
    assert(JSON.stringify(turns[2].content[0]) === '{"toolResult":{"toolUseId":"tooluse_w1","content":[{"text":"18C"}],"status":"success"}}', JSON.stringify(turns[2]));
  });
  await t('chat stream: text chunks, finish, [DONE]', async () => {
    const s = await client.chat.completions.create({ model: 'claude-bedrock', messages: [{ role: 'user', content: 'hi' }], stream: true });
    const [chunks, err] = await drain(s);
    assert(!err, String(err));
    const text = chunks.map((c) => c.choices[0]?.delta?.content || '').join('');
    assert(text === 'Hello from Bedrock', text);
    assert(chunks[0].choices[0].delta.role === 'assistant', JSON.stringify(chunks[0]));
    const fin = chunks[chunks.length - 1];
    assert(fin.choices[0].finish_reason === 'stop' && fin.usage.prompt_tokens === 21 && fin.usage.completion_tokens === 9, JSON.stringify(fin));
    assert(chunks.every((c) => c.object === 'chat.completion.chunk' && c.model === 'anthropic.claude-3-haiku-20240307-v1:0'), 'chunk shape');
    const q = await last();
    assert(q.path === HAIKU_PATH + '/converse-stream' && q.sig === 'ok', q.path + ' ' + q.sig);
    assert(q.headers.accept === 'application/vnd.amazon.eventstream', 'accept: ' + q.headers.accept);
  });
  await t('chat stream: interleaved text + tool use, include_usage', async () => {
    const s = await client.chat.completions.create({ model: 'claude-bedrock', messages: [{ role: 'user', content: 'Weather?' }],
      tools: [weatherTool], stream: true, stream_options: { include_usage: true } });
    const [chunks, err] = await drain(s);
    assert(!err, String(err));
    let text = '', args = '', id = '', name = '', finish = null, usage = null;
    for (const c of chunks) {
      if (c.usage) usage = c.usage;
      const ch = c.choices[0];
      if (!ch) continue;
      text += ch.delta.content || '';
      for (const tc of ch.delta.tool_calls || []) {
        assert(tc.index === 0, 'tool index ' + tc.index);
        if (tc.id) id = tc.id;
        if (tc.function?.name) name = tc.function.name;
        args += tc.function?.arguments || '';
      }
      if (ch.finish_reason) finish = ch.finish_reason;
    }
    assert(text === 'Let me check.', text);
    assert(id === 'tooluse_s1' && name === 'get_weather' && JSON.parse(args).city === 'Paris', `${id} ${name} ${args}`);
    assert(finish === 'tool_calls', finish);
    const lastc = chunks[chunks.length - 1];
    assert(lastc.choices.length === 0 && usage.prompt_tokens === 21 && usage.completion_tokens === 9 && usage.total_tokens === 30, JSON.stringify(lastc));
  });
  await t('chat stream through the SDK helper (accumulated message)', async () => {
    const runner = client.chat.completions.stream({ model: 'claude-bedrock', messages: [{ role: 'user', content: 'Weather?' }], tools: [weatherTool] });
    const done = await runner.finalChatCompletion();
    const m = done.choices[0].message;
    assert(m.content === 'Let me check.' && m.tool_calls[0].function.arguments === '{"city": "Paris"}', JSON.stringify(m));
  });
  await expectError('upstream 400 ValidationException -> 400 BadRequest',
    () => client.chat.completions.create({ model: 'bedrock-400', messages: [{ role: 'user', content: 'x' }] }),
    400, 'BadRequest', /^bad request: Malformed input request: #\/messages: expected minimum item count: 1$/);
  await t('upstream 429 ThrottlingException -> 429 RateLimited', async () => {
    try { await client.chat.completions.create({ model: 'bedrock-429', messages: [{ role: 'user', content: 'x' }] }); throw new Error('no error'); }
    catch (e) { assert(e.status === 429 && e.error.type === 'RateLimited' && e.error.message === 'rate limited: Too many requests, please wait before trying again.', `${e.status} ${JSON.stringify(e.error)}`); }
  });
  await expectError('upstream 500 InternalServerException -> 500 ServerError',
    () => client.chat.completions.create({ model: 'bedrock-500', messages: [{ role: 'user', content: 'x' }] }),
    500, 'ServerError', /^server error: The system encountered an unexpected error/);
  await expectError('stream request, upstream 429 before the stream -> 429',
    () => client.chat.completions.create({ model: 'bedrock-429', messages: [{ role: 'user', content: 'x' }], stream: true }),
    429, 'RateLimited', /Too many requests/);
  await t('exception event mid-stream -> the SDK sees an error after the partial text', async () => {
    const s = await client.chat.completions.create({ model: 'bedrock-exception', messages: [{ role: 'user', content: 'x' }], stream: true });
    const [chunks, err] = await drain(s);
    const text = chunks.map((c) => c.choices[0]?.delta?.content || '').join('');
    assert(text === 'partial', 'partial text: ' + text);
    assert(err && /streaming error: throttlingException: Too many tokens/.test(err.message), 'SDK error: ' + (err && err.message));
  });
  await t('corrupted CRC -> stream ends with an error event', async () => {
    const s = await client.chat.completions.create({ model: 'bedrock-badcrc', messages: [{ role: 'user', content: 'x' }], stream: true });
    const [chunks, err] = await drain(s);
    const text = chunks.map((c) => c.choices[0]?.delta?.content || '').join('');
    assert(text === 'Hel', 'text before the bad message: ' + text);
    assert(err && /malformed AWS event stream/.test(err.message), 'SDK error: ' + (err && err.message));
  });
  await t('stream cut inside a message -> error event', async () => {
    const s = await client.chat.completions.create({ model: 'bedrock-cut', messages: [{ role: 'user', content: 'x' }], stream: true });
    const [chunks, err] = await drain(s);
    assert(chunks.map((c) => c.choices[0]?.delta?.content || '').join('') === 'Hello', 'text');
    assert(err && /ended inside a message/.test(err.message), 'SDK error: ' + (err && err.message));
  });
  await t('content Bedrock cannot take -> 400 before any upstream call', async () => {
    const before = (await log()).length;
    try {
      await client.chat.completions.create({ model: 'claude-bedrock', messages: [{ role: 'user', content: [
        { type: 'image_url', image_url: { url: 'https://example.com/cat.png' } }] }] });
      throw new Error('no error');
    } catch (e) {
      assert(e.status === 400 && e.error.type === 'BadRequest' && /Bedrock takes images only as base64 data: URLs/.test(e.error.message), `${e.status} ${JSON.stringify(e.error)}`);
    }
    assert((await log()).length === before, 'nothing sent upstream');
  });
  await t('image as a data: URL -> image block', async () => {
    await client.chat.completions.create({ model: 'claude-bedrock', messages: [{ role: 'user', content: [
      { type: 'text', text: 'what is it?' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } }] }] });
    const q = await last();
    assert(JSON.stringify(q.body.messages[0].content[1]) === '{"image":{"format":"png","source":{"bytes":"iVBORw0KGgo="}}}', JSON.stringify(q.body.messages));
  });
  await t('embeddings: Titan, SDK default (base64 float32)', async () => {
    const r = await client.embeddings.create({ model: 'titan', input: 'hello' });
    const v = Array.from(r.data[0].embedding);
    assert(r.object === 'list' && v.length === 3 && v[0] === 0.5 && v[1] === -1.25 && v[2] === 2, JSON.stringify(r));
    assert(r.usage.prompt_tokens === 3 && r.model === 'amazon.titan-embed-text-v2:0', JSON.stringify(r.usage));
    const q = await last();
    assert(q.path === '/model/amazon.titan-embed-text-v2%3A0/invoke' && q.sig === 'ok' && JSON.stringify(q.body) === '{"inputText":"hello"}', JSON.stringify(q));
  });
  await t('embeddings: Cohere, floats', async () => {
    const r = await client.embeddings.create({ model: 'cohere-embed', input: ['a', 'b'], encoding_format: 'float' });
    assert(r.data.length === 2 && r.data[1].index === 1 && r.data[1].embedding[0] === 1 && r.data[1].embedding[1] === 0.25, JSON.stringify(r));
  });
  await expectError('embeddings: two inputs to Titan -> 400',
    () => client.embeddings.create({ model: 'titan', input: ['a', 'b'] }), 400, 'BadRequest', /one input per request/);
  await t('every upstream request was signed correctly', async () => {
    const l = await log();
    const bad = l.filter((q) => q.sig !== 'ok');
    assert(l.length >= 15 && bad.length === 0, `${l.length} requests, bad: ${JSON.stringify(bad.map((q) => q.path))}`);
  });
} else if (mode === 'badsig') {
  await t('tampered secret: the fake refuses the signature (403) -> 401 Authentication', async () => {
    const before = (await log()).length;
    try { await client.chat.completions.create({ model: 'claude-bedrock', messages: [{ role: 'user', content: 'x' }] }); throw new Error('no error'); }
    catch (e) {
      assert(e.status === 401 && e.error.type === 'Authentication', `${e.status} ${JSON.stringify(e.error)}`);
      assert(/^authentication failed: The request signature we calculated does not match/.test(e.error.message), e.error.message);
    }
    const l = await log();
    assert(l.length === before + 1 && l[l.length - 1].sig === 'bad', 'the fake saw one badly signed request');
  });
  await t('tampered secret, stream: 401 before the stream', async () => {
    try { await client.chat.completions.create({ model: 'claude-bedrock', messages: [{ role: 'user', content: 'x' }], stream: true }); throw new Error('no error'); }
    catch (e) { assert(e.status === 401 && e.error.type === 'Authentication', `${e.status} ${JSON.stringify(e.error)}`); }
  });
}
console.log(`${P} passed, ${F} failed`);
