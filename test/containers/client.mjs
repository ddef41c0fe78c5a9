// Drives one bizmcp server over streamable HTTP with the official MCP
// TypeScript SDK client (a client this project did not write).
//
//   node client.mjs --server crm --url http://127.0.0.1:18081            checks
//   node client.mjs --server crm --url http://127.0.0.1:18090 --session 12  one session, many calls
//   node client.mjs --server crm --url http://127.0.0.1:18081 --slow-call --marker FILE
//
// checks: initialize, tools/list (every tool has a description and
// annotations), one read call whose text carries an expected substring, one
// unknown-id call that must come back with isError true, GET /healthz and
// GET /readyz.
// --session N: one client session (one initialize) making N rounds of
// tools/list + the read call; every one must succeed (replica test).
// --slow-call: connect, write FILE, then make the read call and report how
// long it took (graceful-shutdown test; the backend is made slow).
//
// Prints one JSON line with the outcome on stdout; exits 0 on success, 1 on
// a failed check, 2 on bad usage, 3 on the overall time limit.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

// Per server: a read call whose text must carry `expect`, and a call with
// an unknown id that must come back as a tool error (isError true), from
// the "smoke" section of servers/<server>/workload.json (ids from
// mock-backends' sample data).
function casesOf(server) {
  if (!/^[a-z][a-z0-9-]*$/.test(server ?? '')) return null;
  const file = new URL(`../../servers/${server}/workload.json`, import.meta.url);
  if (!existsSync(file)) return null;
  return JSON.parse(readFileSync(file, 'utf8')).smoke;
}

const REQUEST_TIMEOUT_MS = 30_000;
const { values: opt } = parseArgs({
  options: {
    server: { type: 'string' },
    url: { type: 'string' },
    session: { type: 'string' },
    'slow-call': { type: 'boolean', default: false },
    marker: { type: 'string' },
    'time-limit': { type: 'string', default: '90' },
  },
});
const cases = casesOf(opt.server);
if (!opt.url || !cases) {
  console.error('usage: node client.mjs --server NAME --url http://127.0.0.1:PORT [--session N | --slow-call --marker FILE] (NAME: a folder under servers/ with a workload.json)');
  process.exit(2);
}
const base = opt.url.replace(/\/+$/, '');
const report = { server: opt.server, url: base, ok: false, checks: [] };

setTimeout(() => {
  report.error = `time limit of ${opt['time-limit']}s reached`;
  console.log(JSON.stringify(report));
  process.exit(3);
}, Number(opt['time-limit']) * 1000).unref();

class CheckError extends Error {}
function check(cond, what) {
  if (!cond) throw new CheckError(what);
  report.checks.push(what);
}

function textOf(result) {
  return (result.content ?? []).filter((c) => c.type === 'text').map((c) => c.text).join('\n');
}

// resolve checks that the case's tool is listed and returns the request.
function resolve(c, tools) {
  if (!tools.some((t) => t.name === c.tool)) {
    throw new CheckError(`tool ${c.tool} is not listed (tools: ${tools.map((t) => t.name).join(', ')})`);
  }
  return { name: c.tool, arguments: c.args };
}

async function connect() {
  const client = new Client({ name: 'bizmcp-container-test', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(base + '/mcp'));
  await client.connect(transport, { timeout: REQUEST_TIMEOUT_MS });
  return client;
}

async function listTools(client) {
  const tools = [];
  let cursor;
  do {
    const page = await client.listTools(cursor ? { cursor } : {}, { timeout: REQUEST_TIMEOUT_MS });
    tools.push(...page.tools);
    cursor = page.nextCursor;
  } while (cursor);
  return tools;
}

async function call(client, req) {
  return client.callTool(req, undefined, { timeout: REQUEST_TIMEOUT_MS });
}

async function getText(path) {
  const res = await fetch(base + path, { signal: AbortSignal.timeout(10_000) });
  return { status: res.status, body: await res.text() };
}

async function checks() {
  const client = await connect();
  const info = client.getServerVersion();
  check(info?.name === `${opt.server}-mcp`, `initialize: server ${info?.name} ${info?.version}, protocol ok`);
  report.serverVersion = info?.version;

  const tools = await listTools(client);
  check(tools.length > 0, `tools/list: ${tools.length} tools`);
  for (const t of tools) {
    check(t.name.startsWith(opt.server + '_'), `${t.name}: domain prefix`);
    check(typeof t.description === 'string' && t.description.trim().length > 0, `${t.name}: has a description`);
    // go-sdk omits false readOnlyHint/idempotentHint, so require the object
    // and at least one hint rather than all four keys.
    const a = t.annotations;
    const hints = Object.keys(a ?? {}).filter((k) => k.endsWith('Hint'));
    check(a && typeof a === 'object' && hints.length > 0, `${t.name}: has annotations (${hints.join(', ')})`);
  }

  const read = resolve(cases.read, tools);
  const res = await call(client, read);
  const text = textOf(res);
  check(!res.isError && text.includes(cases.read.expect), `${read.name}(${JSON.stringify(read.arguments)}): ok, text has ${JSON.stringify(cases.read.expect)}`);

  const missing = resolve(cases.missing, tools);
  const bad = await call(client, missing);
  check(bad.isError === true, `${missing.name}(${JSON.stringify(missing.arguments)}): isError true (${JSON.stringify(textOf(bad).slice(0, 120))})`);

  const h = await getText('/healthz');
  check(h.status === 200 && h.body.trim() === 'ok', `GET /healthz: ${h.status} ${h.body.trim()}`);
  const r = await getText('/readyz');
  check(r.status === 200, `GET /readyz: ${r.status} ${r.body.trim()}`);
  await client.close();
}

async function session(n) {
  const client = await connect();
  check(true, 'initialize');
  let calls = 0;
  for (let i = 0; i < n; i++) {
    const tools = await listTools(client);
    check(tools.length > 0, `round ${i + 1}: tools/list ${tools.length} tools`);
    const read = resolve(cases.read, tools);
    const res = await call(client, read);
    check(!res.isError && textOf(res).includes(cases.read.expect), `round ${i + 1}: ${read.name} ok`);
    calls += 2;
  }
  report.requests = calls;
  await client.close();
}

async function slowCall() {
  const client = await connect();
  const tools = await listTools(client);
  const read = resolve(cases.read, tools);
  if (opt.marker) writeFileSync(opt.marker, String(Date.now()));
  const t0 = Date.now();
  const res = await call(client, read);
  report.elapsedMs = Date.now() - t0;
  check(!res.isError && textOf(res).includes(cases.read.expect), `in-flight ${read.name} completed in ${report.elapsedMs} ms`);
  await client.close().catch(() => {});
}

try {
  if (opt['slow-call']) await slowCall();
  else if (opt.session) await session(Number(opt.session));
  else await checks();
  report.ok = true;
  console.log(JSON.stringify(report));
  process.exit(0);
} catch (err) {
  report.error = err instanceof CheckError ? err.message : String(err?.stack ?? err);
  console.log(JSON.stringify(report));
  process.exit(1);
}
