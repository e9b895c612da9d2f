// tests/integration/vertex/sdk.mjs — drives `liter-llm api` in front of the
// fakes of fake_google.py with the official openai npm SDK.
// usage: node sdk.mjs <gateway-url> <master-key> <fake-url> <mode> <token-path>
//   mode main:   Vertex chat (concurrent first calls, non-stream, stream),
//                Vertex and AI Studio embeddings, the cached token, Copilot
//   mode fail:   the token endpoint refuses: 401 Authentication
//   mode expiry: a 2 s token is refreshed ahead of expiry and after it
// Prints "ok <name>" / "FAIL <name>: why" lines and "N passed, N failed".
import { createRequire } from 'node:module';
const require = createRequire(process.env.OPENAI_NODE_MODULES + '/');
const OpenAI = require('openai');

const [gw, key, fake, mode, tokenPath] = process.argv.slice(2);
let P = 0, F = 0;
const ok = (n) => { P++; console.log('ok ' + n); };
const fail = (n, why) => { F++; console.log('FAIL ' + n + ': ' + why); };
async function t(name, fn) {
  try { await fn(); ok(name); } catch (e) { fail(name, (e && e.stack || String(e)).split('\n').slice(0, 3).join(' | ')); }
}
function assert(c, m) { if (!c) throw new Error(m || 'assertion failed'); }
const near = (a, b) => Math.abs(a - b) < 1e-6;
const log = async () => (await fetch(fake + '/__log')).json();
const tokens = async () => (await log()).token_requests[tokenPath] || 0;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const client = new OpenAI({ baseURL: gw + '/v1', apiKey: key, maxRetries: 0, timeout: 20000 });
const msgs = [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'hi' }];

async function expect401(fn, want) {
  try { await fn(); } catch (e) {
    assert(e.status === 401, 'status ' + e.status + ' ' + JSON.stringify(e.error));
    assert(e.error.type === 'Authentication', 'type ' + e.error.type);
    assert(e.error.param === null && e.error.code === null, 'envelope');
    assert(e.error.message === want, 'message: ' + e.error.message);
    return;
  }
  throw new Error('no error');
}

if (mode === 'main') {
  await t('vertex: concurrent first calls share one token exchange', async () => {
    const rs = await Promise.all([...Array(6)].map(() => client.chat.completions.create({ model: 'vx', messages: msgs })));
    for (const r of rs) assert(r.choices[0].message.content === 'Hello from Vertex', JSON.stringify(r));
    const n = await tokens();
    assert(n === 1, 'token requests: ' + n);
  });
  await t('vertex: chat non-stream', async () => {
    const r = await client.chat.completions.create({ model: 'vx', messages: msgs, max_tokens: 20, temperature: 0.2 });
    assert(r.object === 'chat.completion' && r.choices[0].finish_reason === 'stop', JSON.stringify(r));
    assert(r.usage.prompt_tokens === 5 && r.usage.completion_tokens === 3 && r.usage.total_tokens === 8, JSON.stringify(r.usage));
    assert(r.model === 'gemini-2.5-flash', 'model ' + r.model);
    const b = (await log()).last_vertex_body;
    assert(b.systemInstruction.parts[0].text === 'be brief' && b.generationConfig.maxOutputTokens === 20, JSON.stringify(b));
  });
  await t('vertex: chat stream', async () => {
    const s = await client.chat.completions.create({ model: 'vx', messages: msgs, stream: true, stream_options: { include_usage: true } });
    let text = '', finish = null, usage = null;
    for await (const c of s) {
      text += c.choices[0]?.delta?.content || '';
      finish = c.choices[0]?.finish_reason || finish;
      usage = c.usage || usage;
    }
    assert(text === 'Hello from Vertex' && finish === 'stop', `text=${text} finish=${finish}`);
    assert(usage && usage.total_tokens === 8, JSON.stringify(usage));
  });
  await t('vertex: embeddings, one input (the SDK asks for base64)', async () => {
    const r = await client.embeddings.create({ model: 'vx-emb', input: 'hello' });
    const v = r.data[0].embedding;
    assert(r.data.length === 1 && v.length === 3 && near(v[0], 0.5) && near(v[2], 0.25), JSON.stringify(r));
    assert(r.usage.prompt_tokens === 2, JSON.stringify(r.usage));
    const b = (await log()).last_vertex_body;
    assert(JSON.stringify(b) === '{"instances":[{"content":"hello"}]}', JSON.stringify(b));
  });
  await t('vertex: embeddings, several inputs, float, dimensions', async () => {
    const r = await client.embeddings.create({ model: 'vx-emb', input: ['a', 'b'], dimensions: 4, encoding_format: 'float' });
    assert(r.object === 'list' && r.data.length === 2 && r.data[1].index === 1, JSON.stringify(r));
    assert(r.data[0].embedding.length === 4 && r.data[1].embedding[0] === 1, JSON.stringify(r.data));
    assert(r.usage.prompt_tokens === 4 && r.usage.total_tokens === 4, JSON.stringify(r.usage));
    const b = (await log()).last_vertex_body;
    assert(b.parameters.outputDimensionality === 4 && b.instances.length === 2, JSON.stringify(b));
  });
  await t('gemini (AI Studio): embeddings, one input -> embedContent', async () => {
    const r = await client.embeddings.create({ model: 'gm-emb', input: 'x', dimensions: 2 });
    const v = r.data[0].embedding;
    assert(v.length === 2 && near(v[0], 0.5) && near(v[1], -1.25), JSON.stringify(r));
    const l = (await log()).last_studio_body;
    assert(l.method === 'embedContent' && l.body.outputDimensionality === 2, JSON.stringify(l));
  });
  await t('gemini (AI Studio): embeddings, several -> batchEmbedContents', async () => {
    const r = await client.embeddings.create({ model: 'gm-emb', input: ['a', 'b', 'c'], encoding_format: 'float' });
    assert(r.data.length === 3 && r.data[2].embedding[0] === 1.5 && r.data[2].index === 2, JSON.stringify(r));
    const l = (await log()).last_studio_body;
    assert(l.method === 'batchEmbedContents' && l.body.requests.length === 3, JSON.stringify(l));
  });
  await t('vertex: every later call reused the one token', async () => {
    await client.chat.completions.create({ model: 'vx', messages: msgs });
    const l = await log();
    assert(l.token_requests[tokenPath] === 1, JSON.stringify(l.token_requests));
    assert(l.bad_auth === 0 && l.errors.length === 0, JSON.stringify(l));
  });
  await t('copilot: token exchange, then chat (non-stream and stream) with the Copilot token', async () => {
    const r = await client.chat.completions.create({ model: 'cp', messages: msgs });
    assert(r.choices[0].message.content === 'Hello from Copilot', JSON.stringify(r));
    const s = await client.chat.completions.create({ model: 'cp', messages: msgs, stream: true });
    let text = '';
    for await (const c of s) text += c.choices[0]?.delta?.content || '';
    assert(text === 'Hi Copilot', text);
    const l = await log();
    assert(l.copilot_token_requests === 1, 'copilot token requests ' + l.copilot_token_requests);
    assert(l.last_copilot.model === 'gpt-4o', JSON.stringify(l.last_copilot));
  });
  await t('copilot: a wrong GitHub token -> 401', async () => {
    await expect401(() => client.chat.completions.create({ model: 'cp-bad', messages: msgs }),
      `authentication failed: token exchange at ${fake}/copilot_internal/v2/token failed: HTTP 401: Bad credentials`);
  });
} else if (mode === 'fail') {
  const want = `authentication failed: token exchange at ${fake}${tokenPath} failed: HTTP 400: invalid_grant: Invalid JWT Signature.`;
  await t('token endpoint refuses: chat -> 401 Authentication', async () => {
    await expect401(() => client.chat.completions.create({ model: 'vx', messages: msgs }), want);
  });
  await t('token endpoint refuses: stream -> 401 before the stream', async () => {
    await expect401(async () => {
      const s = await client.chat.completions.create({ model: 'vx', messages: msgs, stream: true });
      for await (const c of s) void c;
    }, want);
  });
  await t('token endpoint refuses: embeddings -> 401; failures are not cached', async () => {
    await expect401(() => client.embeddings.create({ model: 'vx-emb', input: 'x' }), want);
    const n = await tokens();
    assert(n === 3, 'token requests ' + n);
  });
} else if (mode === 'expiry') {
  await t('expiry: first call mints', async () => {
    const r = await client.chat.completions.create({ model: 'vx', messages: msgs });
    assert(r.choices[0].message.content === 'Hello from Vertex');
    assert(await tokens() === 1);
  });
  await t('expiry: in the refresh window the old token is used and a new one minted beside it', async () => {
    await sleep(1200);
    const r = await client.chat.completions.create({ model: 'vx', messages: msgs });
    assert(r.choices[0].message.content === 'Hello from Vertex');
    for (let i = 0; i < 50 && await tokens() < 2; i++) await sleep(20);
    assert(await tokens() === 2, 'token requests ' + await tokens());
  });
  await t('expiry: after expiry a fresh token is used (the fake refuses expired ones)', async () => {
    await sleep(2300);
    const r = await client.chat.completions.create({ model: 'vx', messages: msgs });
    assert(r.choices[0].message.content === 'Hello from Vertex');
    const l = await log();
    assert(l.token_requests[tokenPath] === 3 && l.bad_auth === 0, JSON.stringify(l));
  });
}
console.log(`${P} passed, ${F} failed`);
process.exit(F ? 1 : 0);
