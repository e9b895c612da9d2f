// tests/integration/providers_native/sdk.mjs — drives `liter-llm api` in front
// of the fake Cohere v2 / Azure OpenAI / Mistral upstreams (fake.py) with the
// official openai npm SDK (rerank with fetch: the SDK has no rerank).
// usage: node sdk.mjs <gateway-url> <master-key> <fake-url> <config|zero>
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
const J = JSON.stringify;
const log = async () => (await fetch(fake + '/__log')).json();
const lastReq = async () => { const l = await log(); return l[l.length - 1]; };
const client = new OpenAI({ baseURL: gw + '/v1', apiKey: key, maxRetries: 0, timeout: 20000 });
const user = (s) => [{ role: 'user', content: s }];
const WEATHER = [{ type: 'function', function: { name: 'get_weather', description: 'Weather of a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } }];

// Read a whole stream: text, finish reason, last usage, first id, tool calls by index.
async function drain(s) {
  const r = { text: '', finish: null, usage: null, id: null, n: 0, calls: [] };
  for await (const c of s) {
    r.n++;
    r.id = r.id || c.id || null;
    if (c.usage) r.usage = c.usage;
    const ch = c.choices[0];
    if (!ch) continue;
    r.text += ch.delta?.content || '';
    r.finish = ch.finish_reason || r.finish;
    for (const tc of ch.delta?.tool_calls || []) {
      const k = r.calls[tc.index] || (r.calls[tc.index] = { id: '', name: '', args: '' });
      k.id += tc.id || ''; k.name += tc.function?.name || ''; k.args += tc.function?.arguments || '';
    }
  }
  return r;
}

// The call must fail with this status, error type and message (string: equal; RegExp: matches).
async function expectError(params, status, type, msg, retryAfter) {
  try { await client.chat.completions.create(params); } catch (e) {
    assert(e.status === status && e.error && e.error.type === type, `${e.status} ${J(e.error)}`);
    assert(e.error.param === null && e.error.code === null, 'envelope: ' + J(e.error));
    if (msg instanceof RegExp) assert(msg.test(e.error.message), e.error.message);
    else assert(e.error.message === msg, e.error.message);
    if (retryAfter !== undefined) assert(e.headers.get('retry-after') === retryAfter, 'retry-after ' + e.headers.get('retry-after'));
    return;
  }
  throw new Error('no error');
}

async function rerank(model, body) {
  const r = await fetch(gw + '/v1/rerank', { method: 'POST', headers: { Authorization: 'Bearer ' + key, 'Content-Type': 'application/json' },
    body: J({ model, ...body }) });
  return { status: r.status, body: await r.json() };
}

async function cohereSuite(m) {
  await t(`cohere chat non-stream [${m.chat}]`, async () => {
    const r = await client.chat.completions.create({ model: m.chat, temperature: 0.3, top_p: 0.5, stop: ['END'], max_completion_tokens: 20,
      messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'hi' }] });
    assert(r.object === 'chat.completion' && r.choices[0].message.content === 'Hello from Cohere' && r.choices[0].finish_reason === 'stop', J(r));
    assert(r.id === 'co-resp-1' && r.model === 'command-r-plus', J(r));
    assert(r.usage.prompt_tokens === 5 && r.usage.completion_tokens === 4 && r.usage.total_tokens === 9, J(r.usage));
    const q = await lastReq();
    assert(q.path === '/cohere/v2/chat', q.path);
    assert(q.headers.authorization === 'Bearer co-test-key', q.headers.authorization);
    const b = q.body;
    assert(b.model === 'command-r-plus' && b.stream === false && b.p === 0.5 && b.temperature === 0.3 && b.max_tokens === 20, J(b));
    assert(J(b.stop_sequences) === '["END"]' && b.top_p === undefined && b.stop === undefined, J(b));
    assert(J(b.messages) === J([{ role: 'system', content: 'be brief' }, { role: 'user', content: 'hi' }]), J(b.messages));
  });
  if (!m.full) return;
  let call = null;
  await t('cohere tool call', async () => {
    const r = await client.chat.completions.create({ model: m.chat, messages: user('weather in Paris?'), tools: WEATHER, tool_choice: 'required' });
    call = r.choices[0].message.tool_calls && r.choices[0].message.tool_calls[0];
    assert(r.choices[0].finish_reason === 'tool_calls' && call && call.type === 'function' && call.function.name === 'get_weather', J(r));
    assert(call.id === 'get_weather_xk1' && JSON.parse(call.function.arguments).city === 'Paris', J(call));
    const b = (await lastReq()).body;
    assert(b.tool_choice === 'REQUIRED' && b.tools.length === 1 && b.tools[0].type === 'function', J(b));
    assert(b.tools[0].function.name === 'get_weather' && b.tools[0].function.parameters.required[0] === 'city', J(b.tools));
  });
  await t('cohere tool result round trip', async () => {
    assert(call, 'needs the tool call');
    const r = await client.chat.completions.create({ model: m.chat, tools: WEATHER, messages: [...user('weather in Paris?'),
      { role: 'assistant', content: null, tool_calls: [call] }, { role: 'tool', tool_call_id: call.id, content: '18C' }] });
    assert(r.choices[0].message.content === 'It is 18C in Paris' && r.choices[0].finish_reason === 'stop', J(r));
    const b = (await lastReq()).body;
    assert(J(b.messages[1]) === J({ role: 'assistant', tool_calls: [{ id: call.id, type: 'function', function: { name: 'get_weather',
      arguments: call.function.arguments } }] }), J(b.messages[1]));
    assert(J(b.messages[2]) === J({ role: 'tool', tool_call_id: call.id, content: '18C' }), J(b.messages[2]));
  });
  await t('cohere stream (include_usage)', async () => {
    const s = await client.chat.completions.create({ model: m.chat, messages: user('hi'), stream: true, stream_options: { include_usage: true } });
    const r = await drain(s);
    assert(r.text === 'Hello from Cohere' && r.finish === 'stop' && r.id === 'co-stream-1', J(r));
    assert(r.usage && r.usage.prompt_tokens === 6 && r.usage.completion_tokens === 3 && r.usage.total_tokens === 9, J(r.usage));
    const q = await lastReq();
    assert(q.body.stream === true && q.body.stream_options === undefined && q.headers.accept === 'text/event-stream', J(q));
  });
  await t('cohere stream tool call', async () => {
    const s = await client.chat.completions.create({ model: m.chat, messages: user('weather?'), tools: WEATHER, stream: true });
    const r = await drain(s);
    assert(r.finish === 'tool_calls' && r.calls.length === 1, J(r));
    const c = r.calls[0];
    assert(c.id === 'get_weather_s1' && c.name === 'get_weather' && JSON.parse(c.args).city === 'Paris', J(c));
  });
  await t('cohere stream cut before message-end -> stream error', async () => {
    const s = await client.chat.completions.create({ model: 'cohere-cut', messages: user('hi'), stream: true });
    let text = '', threw = null;
    try { for await (const c of s) text += c.choices[0]?.delta?.content || ''; } catch (e) { threw = e; }
    assert(text === 'Hello from' && threw && /streaming error: Cohere stream ended before the response was complete/.test(threw.message),
      `${text} ${threw && threw.message}`);
  });
  await t('cohere stream: upstream connection dropped -> stream error', async () => {
    const s = await client.chat.completions.create({ model: 'cohere-drop', messages: user('hi'), stream: true });
    let text = '', threw = null;
    try { for await (const c of s) text += c.choices[0]?.delta?.content || ''; } catch (e) { threw = e; }
    assert(text === 'Hello from' && threw && /streaming error: .*closed mid-body/.test(threw.message), `${text} ${threw && threw.message}`);
  });
  await t('cohere 400 -> 400 BadRequest with Cohere message', () => expectError({ model: 'cohere-err-400', messages: user('x') }, 400,
    'BadRequest', 'bad request: invalid request: message must be at least 1 token long'));
  await t('cohere 401 (wrong key) -> 401 Authentication', () => expectError({ model: 'cohere-badkey', messages: user('x') }, 401,
    'Authentication', 'authentication failed: invalid api token'));
  await t('cohere 429 -> 429 RateLimited + Retry-After', () => expectError({ model: 'cohere-err-429', messages: user('x') }, 429,
    'RateLimited', 'rate limited: You are using a Trial key, which is limited to 10 API calls / minute.', '2'));
  await t('cohere 500 -> 500 ServerError', () => expectError({ model: 'cohere-err-500', messages: user('x') }, 500,
    'ServerError', 'server error: internal server error, this has been reported to our developers'));
  await t('cohere top_p outside [0.01, 0.99] -> 400 before any upstream call', async () => {
    const before = (await log()).length;
    await expectError({ model: m.chat, messages: user('x'), top_p: 1 }, 400, 'BadRequest', /^bad request: top_p must be between 0.01 and 0.99/);
    assert((await log()).length === before, 'no upstream call');
  });
  await t('cohere empty messages -> 400 (local)', () => expectError({ model: m.chat, messages: [] }, 400, 'BadRequest',
    'bad request: messages array must not be empty'));
  await t('cohere bare command-* model, key from COHERE_API_KEY', async () => {
    const r = await client.chat.completions.create({ model: 'cohere-env', messages: user('hi') });
    assert(r.choices[0].message.content === 'Hello from Cohere' && r.model === 'command-light', J(r));
    const q = await lastReq();
    assert(q.headers.authorization === 'Bearer co-test-key' && q.body.model === 'command-light', J(q));
  });
  await t('cohere embeddings through Cohere v2 /embed (SDK default base64)', async () => {
    const r = await client.embeddings.create({ model: 'cohere-embed', input: ['a', 'b'] });
    assert(r.data.length === 2 && Math.abs(r.data[1].embedding[0] - 1.5) < 1e-6 && r.data[0].embedding[1] === -1.25, J(r.data));
    assert(r.usage.prompt_tokens === 6 && r.object === 'list', J(r));
    const q = await lastReq();
    assert(q.path === '/cohere/v2/embed' && q.body.model === 'embed-english-v3.0' && J(q.body.texts) === '["a","b"]' &&
      q.body.input_type === 'search_document' && q.body.encoding_format === undefined, J(q));
  });
  await t('cohere embeddings: float, one string, dimensions, input_type', async () => {
    const r = await client.embeddings.create({ model: 'cohere-embed', input: 'solo', encoding_format: 'float', dimensions: 3, input_type: 'search_query' });
    assert(r.data.length === 1 && r.data[0].embedding[0] === 0.5, J(r));
    const q = await lastReq();
    assert(J(q.body.texts) === '["solo"]' && q.body.output_dimension === 3 && q.body.input_type === 'search_query', J(q));
  });
}

async function cohereRerank(model) {
  await t(`cohere rerank passes through [${model}]`, async () => {
    const r = await rerank(model, { query: 'capital of France', documents: ['Paris', 'Berlin', { text: 'Rome' }], top_n: 2, return_documents: false });
    assert(r.status === 200 && r.body.id === 'rr-1' && r.body.results.length === 2, J(r));
    assert(r.body.results[0].index === 0 && r.body.results[0].relevance_score === 0.9 && r.body.meta.billed_units.search_units === 1, J(r.body));
    const q = await lastReq();
    assert(q.path === '/cohere/v2/rerank' && q.headers.authorization === 'Bearer co-test-key', J(q));
    assert(q.body.model === 'rerank-v3.5' && q.body.top_n === 2 && q.body.documents[2].text === 'Rome', J(q.body));
  });
}

async function azureSuite(m, ver) {
  const path = (dep, op, base = '/azure') => `${base}/openai/deployments/${dep}/${op}?api-version=${ver}`;
  await t(`azure chat non-stream [${m.chat}, api-version ${ver}]`, async () => {
    const r = await client.chat.completions.create({ model: m.chat, messages: user('hi'), temperature: 0.2 });
    assert(r.choices[0].message.content === `Hello from Azure my-deployment ${ver}` && r.choices[0].finish_reason === 'stop', J(r));
    assert(r.model === 'gpt-4o-2024-08-06' && r.usage.total_tokens === 14, J(r));
    const q = await lastReq();
    assert(q.path === path('my-deployment', 'chat/completions'), q.path);
    assert(q.headers['api-key'] === 'az-test-key' && q.headers.authorization === undefined, J(q.headers));
    assert(q.body.model === undefined && q.body.temperature === 0.2, 'no model in the body: ' + J(q.body));
  });
  await t(`azure stream [${m.chat}]`, async () => {
    const s = await client.chat.completions.create({ model: m.chat, messages: user('hi'), stream: true });
    const r = await drain(s);
    assert(r.text === 'Hello from Azure' && r.finish === 'stop' && r.n === 5, J(r));
    const q = await lastReq();
    assert(q.path === path('my-deployment', 'chat/completions') && q.body.stream === true && q.body.model === undefined, J(q));
  });
  if (!m.full) return;
  await t('azure entry base_url', async () => {
    const r = await client.chat.completions.create({ model: 'azure-base', messages: user('hi') });
    assert(r.choices[0].message.content === `Hello from Azure other-dep ${ver}`, J(r));
    assert((await lastReq()).path === path('other-dep', 'chat/completions'));
  });
  await t('azure base already holding /openai/deployments/', async () => {
    const r = await client.chat.completions.create({ model: 'azure-fixed', messages: user('hi') });
    assert(r.choices[0].message.content === `Hello from Azure fixed-dep ${ver}`, J(r));
    const q = await lastReq();
    assert(q.path === path('fixed-dep', 'chat/completions', '/azure2'), q.path);
  });
  await t('azure embeddings', async () => {
    const r = await client.embeddings.create({ model: 'azure-emb', input: ['a', 'b'], encoding_format: 'float' });
    assert(r.data.length === 2 && r.data[0].embedding[1] === -1.25, J(r));
    const q = await lastReq();
    assert(q.path === path('text-embedding-3-small', 'embeddings') && q.body.model === undefined && q.headers['api-key'] === 'az-test-key', J(q));
  });
  await t('azure content-filtered choice gets the refusal message', async () => {
    const r = await client.chat.completions.create({ model: 'azure-filter', messages: user('bad') });
    const c = r.choices[0];
    assert(c.finish_reason === 'content_filter' && c.message && c.message.role === 'assistant' && c.message.content === null, J(r));
    assert(c.message.refusal === 'Content filtered by Azure content safety.' && c.content_filter_results.hate.filtered === true, J(c));
    assert(r.id === 'chatcmpl-azf' && r.usage.prompt_tokens === 3, J(r));
  });
  await t('azure o-series deployments: temperature/top_p (and o1 stream) removed', async () => {
    await client.chat.completions.create({ model: 'azure-o3', messages: user('hi'), temperature: 0.2, top_p: 0.9, max_completion_tokens: 9 });
    let b = (await lastReq()).body;
    assert(b.temperature === undefined && b.top_p === undefined && b.max_completion_tokens === 9, J(b));
    await client.chat.completions.create({ model: 'azure-o1', messages: user('hi'), temperature: 0.2, stream: false });
    b = (await lastReq()).body;
    assert(b.temperature === undefined && b.stream === undefined && b.messages.length === 1, J(b));
    await client.chat.completions.create({ model: 'azure-o10', messages: user('hi'), temperature: 0.2, stream: false });
    b = (await lastReq()).body;
    assert(b.temperature === 0.2 && b.stream === false, 'o10 is not o1: ' + J(b));
  });
  await t('azure o1: a client stream is made of the whole answer (o1 cannot stream)', async () => {
    const st = await client.chat.completions.create({ model: 'azure-o1', messages: user('hi'), stream: true,
      stream_options: { include_usage: true } });
    let text = '', fin = null, usage = null, n = 0, role = null;
    for await (const ch of st) {
      n++;
      if (ch.usage) usage = ch.usage;
      for (const c of ch.choices) {
        if (c.delta.role) role = c.delta.role;
        if (c.delta.content) text += c.delta.content;
        if (c.finish_reason) fin = c.finish_reason;
      }
      assert(ch.object === 'chat.completion.chunk', J(ch));
    }
    const b = (await lastReq()).body;
    assert(b.stream === undefined && b.stream_options === undefined, 'upstream body: ' + J(b));
    assert(role === 'assistant' && text.startsWith('Hello from Azure o1-preview') && fin === 'stop', J({ text, fin, role }));
    assert(n === 3 && usage && usage.total_tokens > 0, J({ n, usage }));
  });
  await t('azure 400 -> 400 BadRequest', () => expectError({ model: 'azure-err-400', messages: user('x') }, 400, 'BadRequest',
    "bad request: Invalid value for 'temperature'"));
  await t('azure 400 context_length_exceeded -> ContextWindowExceeded', () => expectError({ model: 'azure-ctx', messages: user('x') }, 400,
    'ContextWindowExceeded', "context window exceeded: This model's maximum context length is 8192 tokens"));
  await t('azure 401 (wrong api-key) -> 401 Authentication', () => expectError({ model: 'azure-badkey', messages: user('x') }, 401,
    'Authentication', 'authentication failed: Access denied due to invalid subscription key or wrong API endpoint.'));
  await t('azure 429 -> 429 RateLimited + Retry-After', () => expectError({ model: 'azure-err-429', messages: user('x') }, 429,
    'RateLimited', 'rate limited: Requests to the ChatCompletions_Create Operation have exceeded call rate limit', '3'));
  await t('azure 500 -> 500 ServerError', () => expectError({ model: 'azure-err-500', messages: user('x') }, 500, 'ServerError',
    'server error: The server had an error while processing your request'));
}

async function mistralSuite(m) {
  await t(`mistral chat non-stream: unsupported params removed [${m.chat}]`, async () => {
    const r = await client.chat.completions.create({ model: m.chat, messages: user('salut'), presence_penalty: 0.5, frequency_penalty: 0.1,
      logit_bias: { 50256: -100 }, parallel_tool_calls: false, temperature: 0.7, max_tokens: 30 });
    assert(r.choices[0].message.content === 'Bonjour from Mistral' && r.model === 'mistral-large-latest' && r.usage.total_tokens === 7, J(r));
    const q = await lastReq();
    assert(q.path === '/mistral/v1/chat/completions' && q.headers.authorization === 'Bearer mi-test-key', J(q));
    const b = q.body;
    assert(b.model === 'mistral-large-latest' && b.temperature === 0.7 && b.max_tokens === 30, J(b));
    for (const k of ['presence_penalty', 'frequency_penalty', 'logit_bias', 'parallel_tool_calls']) assert(!(k in b), k + ' sent: ' + J(b));
  });
  await t(`mistral stream [${m.chat}]`, async () => {
    const s = await client.chat.completions.create({ model: m.chat, messages: user('salut'), stream: true, stream_options: { include_usage: true } });
    const r = await drain(s);
    assert(r.text === 'Bonjour from Mistral' && r.finish === 'stop' && r.usage && r.usage.total_tokens === 7, J(r));
    const b = (await lastReq()).body;
    assert(b.stream === true && b.stream_options.include_usage === true, J(b));
  });
  if (!m.full) return;
  await t('mistral tool_choice required -> any', async () => {
    const r = await client.chat.completions.create({ model: m.chat, messages: user('weather?'), tools: WEATHER, tool_choice: 'required' });
    const c = r.choices[0].message.tool_calls[0];
    assert(r.choices[0].finish_reason === 'tool_calls' && c.function.name === 'get_weather' && JSON.parse(c.function.arguments).city === 'Lyon', J(r));
    const b = (await lastReq()).body;
    assert(b.tool_choice === 'any' && b.tools[0].function.name === 'get_weather', J(b));
  });
  await t('mistral extra_body merged after the fixes', async () => {
    await client.chat.completions.create({ model: m.chat, messages: user('x'), tool_choice: 'auto', extra_body: { safe_prompt: true, random_seed: 3 } });
    const b = (await lastReq()).body;
    assert(b.safe_prompt === true && b.random_seed === 3 && b.tool_choice === 'auto' && b.extra_body === undefined, J(b));
  });
  await t('mistral bare model name, key from MISTRAL_API_KEY', async () => {
    const r = await client.chat.completions.create({ model: 'mistral-bare', messages: user('x') });
    assert(r.model === 'mistral-small-latest', J(r));
    const q = await lastReq();
    assert(q.headers.authorization === 'Bearer mi-test-key' && q.body.model === 'mistral-small-latest', J(q));
  });
  await t('mistral embeddings', async () => {
    const r = await client.embeddings.create({ model: 'mistral-emb', input: 'a' });
    assert(r.data.length === 1 && Math.abs(r.data[0].embedding[2] - 2) < 1e-6, J(r));
    assert((await lastReq()).path === '/mistral/v1/embeddings');
  });
  await t('mistral 400 -> 400 BadRequest (raw body as detail)', () => expectError({ model: 'mistral-err-400', messages: user('x') }, 400,
    'BadRequest', /^bad request: \{"object": "error", "message": "Invalid model: mistral-err-400"/));
  await t('mistral 401 (wrong key) -> 401 Authentication', () => expectError({ model: 'mistral-badkey', messages: user('x') }, 401,
    'Authentication', 'authentication failed: {"message": "Unauthorized", "request_id": "req-401"}'));
  await t('mistral 429 -> 429 RateLimited + Retry-After', () => expectError({ model: 'mistral-err-429', messages: user('x') }, 429,
    'RateLimited', 'rate limited: {"message": "Requests rate limit exceeded"}', '4'));
  await t('mistral 500 -> 500 ServerError', () => expectError({ model: 'mistral-err-500', messages: user('x') }, 500, 'ServerError',
    /^server error: \{"object": "error", "message": "Internal server error"/));
}

if (mode === 'config') {
  await cohereSuite({ chat: 'cohere', full: true });
  await cohereRerank('rerank');
  await azureSuite({ chat: 'azure-chat', full: true }, '2025-02-01-preview');
  await mistralSuite({ chat: 'mistral', full: true });
} else if (mode === 'zero') {
  await cohereSuite({ chat: 'cohere/command-r-plus' });
  await t('zero-config cohere stream', async () => {
    const r = await drain(await client.chat.completions.create({ model: 'cohere/command-r-plus', messages: user('hi'), stream: true }));
    assert(r.text === 'Hello from Cohere' && r.finish === 'stop' && r.usage && r.usage.total_tokens === 9, J(r));
  });
  await cohereRerank('cohere/rerank-v3.5');
  await azureSuite({ chat: 'azure/my-deployment' }, '2024-10-21');
  await mistralSuite({ chat: 'mistral/mistral-large-latest' });
  await t('zero-config models list: only the configured providers (pricing data)', async () => {
    const ids = []; for await (const x of client.models.list()) ids.push(x.id);
    assert(ids.length > 0 && ids.every((i) => /^(cohere|azure|mistral)\//.test(i)), ids.slice(0, 8).join());
  });
}
console.log(`${P} passed, ${F} failed`);
process.exit(F ? 1 : 0);
