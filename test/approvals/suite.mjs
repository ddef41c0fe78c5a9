// The approvals console in a real browser: headless Chromium from Debian's
// packages, driven by playwright-core. browser_test.go starts the servers
// (orders-mcp twice on one redis-server, bizmcp-approvals, a local OpenID
// provider, an MCP agent) and runs this with their URLs in the environment.
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';

const CONSOLE = process.env.CONSOLE_URL;
const AGENT = process.env.AGENT_URL;
const SHOTS = process.env.SCREENSHOTS || 'screenshots';
const ORDER = 'ORD-49005'; // USD 486.40 paid, USD 120.00 refunded in the demo data

async function agent(user, args, { server = 'main', urlElicitation = false } = {}) {
  const r = await fetch(AGENT, { method: 'POST', body: JSON.stringify({ user, server, args, url_elicitation: urlElicitation }) });
  if (!r.ok) throw new Error(`agent: ${r.status} ${await r.text()}`);
  return r.json();
}

function refund(amount, extra = {}) {
  return { order_id: ORDER, amount_minor: amount, currency: 'USD', reason: 'customer_request', ...extra };
}

function pendingID(res) {
  assert.equal(res.ok, false, `expected a pending approval, got ${res.text}`);
  const m = res.text.match(/approvals page (http:\/\/\S+\/approvals\/(apr_[0-9a-f]{20}))/);
  assert.ok(m, `no approvals page link in: ${res.text}`);
  assert.ok(m[1].startsWith(CONSOLE + '/approvals/'));
  return { id: m[2], link: m[1] };
}

// Each person gets their own Chromium with a fresh profile directory
// (playwright passes it as --user-data-dir).
const launchArgs = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const profiles = [];
const contexts = [];

let failures = 0;
async function step(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
    console.log(`ok    ${name} (${Date.now() - t0} ms)`);
  } catch (e) {
    failures++;
    console.log(`FAIL  ${name}: ${e.stack || e}`);
  }
}

// A person's browser: its own context (cookies), desktop or phone size.
async function person(username, { phone = false } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'bizmcp-approvals-chromium-'));
  profiles.push(dir);
  const ctx = await chromium.launchPersistentContext(dir, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true, args: launchArgs,
    ...(phone ? { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true } : { viewport: { width: 1200, height: 900 } }),
  });
  contexts.push(ctx);
  const page = ctx.pages()[0] || await ctx.newPage();
  page.on('dialog', (d) => { throw new Error(`a dialog opened: ${d.message()}`); });
  page.setDefaultTimeout(10000);
  page.username = username;
  return { ctx, page };
}

// Open url; on the provider's sign-in page, choose the user.
async function open(page, url) {
  await page.goto(url);
  if (await page.getByRole('heading', { name: 'Test identity provider' }).count()) {
    await page.getByRole('button', { name: new RegExp(`^Sign in as ${page.username}`, 'i') }).click();
    await page.waitForURL((u) => u.href.startsWith(CONSOLE));
  }
}

async function shot(page, name) {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

async function noHorizontalScroll(page) {
  const [sw, iw] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  assert.ok(sw <= iw, `page is ${sw}px wide in a ${iw}px viewport`);
}

const alice = await person('Alice Finance');
const alicePhone = await person('Alice Finance', { phone: true });
const bob = await person('Bob Lead');

await step('sign in, see a pending refund from orders-mcp, approve it; the retry with approval_id refunds', async () => {
  const res = await agent('carol', refund(15000));
  const { id, link } = pendingID(res);
  const { page } = alice;
  await open(page, link);
  assert.equal(page.url(), link);
  const resp = await page.request.get(link);
  const csp = resp.headers()['content-security-policy'];
  assert.match(csp, /default-src 'none'/);
  assert.doesNotMatch(csp, /unsafe/);
  const card = page.locator('section.card').first();
  await card.getByText('refund USD 150.00 of order ORD-49005 (reason: customer_request)').waitFor();
  const facts = await card.innerText();
  for (const want of ['USD 150.00', 'order ORD-49005', '00u-carol through approvals-e2e-agent 1.0', 'orders_create_refund>10000', 'pending', 'Expires']) {
    assert.ok(facts.includes(want), `approval page lacks ${want}:\n${facts}`);
  }
  const cookies = await alice.ctx.cookies();
  const session = cookies.find((c) => c.name === 'bizmcp_approvals');
  assert.ok(session && session.httpOnly && session.secure && session.sameSite === 'Lax', JSON.stringify(cookies));
  await shot(page, '01-approval-desktop');
  await page.getByLabel(/Reason/).fill('Customer called; parcel lost (ticket 4411)');
  await page.getByRole('button', { name: 'Approve' }).click();
  await page.getByRole('status').filter({ hasText: 'Approved.' }).waitFor();
  assert.match(await page.locator('section.card').innerText(), /approved[\s\S]*alice@example\.com[\s\S]*ticket 4411/);
  await shot(page, '02-approved');

  const retry = await agent('carol', refund(15000, { approval_id: id }));
  assert.equal(retry.ok, true, retry.text);
  assert.equal(retry.structured.amount.amount_minor, 15000, JSON.stringify(retry.structured));
  const again = await agent('carol', refund(15000, { approval_id: id, reference: 'second' }));
  assert.equal(again.ok, false, 'one approval, one write');
});

await step('the pending list at phone width', async () => {
  await agent('carol', refund(12500));
  const { page } = alicePhone;
  await open(page, CONSOLE + '/');
  await page.getByRole('heading', { name: /Pending approvals \(\d+\)/ }).waitFor();
  await page.getByText('refund USD 125.00 of order ORD-49005').first().waitFor();
  await noHorizontalScroll(page);
  await shot(page, '03-pending-phone');
});

await step('deny with a reason; the agent is told', async () => {
  const { id, link } = pendingID(await agent('carol', refund(12000)));
  const { page } = alicePhone;
  await open(page, link);
  await page.getByRole('button', { name: 'Deny' }).click();
  await page.getByRole('alert').filter({ hasText: 'Give a reason' }).waitFor(); // a denial needs a reason
  await page.getByLabel(/Reason/).fill('Duplicate of the refund made yesterday');
  await page.getByRole('button', { name: 'Deny' }).click();
  await page.getByRole('status').filter({ hasText: 'Denied.' }).waitFor();
  await noHorizontalScroll(page);
  await shot(page, '04-denied-phone');
  const retry = await agent('carol', refund(12000, { approval_id: id }));
  assert.equal(retry.ok, false);
  assert.match(retry.text, /denied by alice@example\.com: Duplicate of the refund made yesterday/);
});

await step('an expired request cannot be approved, and the agent must ask again', async () => {
  const { id, link } = pendingID(await agent('carol', refund(13000), { server: 'short' }));
  const { page } = alice;
  await open(page, link);
  await page.getByRole('button', { name: 'Approve' }).waitFor();
  // The server's approval TTL is 3 s: wait until the store no longer has it.
  const deadline = Date.now() + 20000;
  while ((await page.request.get(link)).status() !== 404) {
    assert.ok(Date.now() < deadline, 'the approval did not expire');
    await new Promise((r) => setTimeout(r, 200));
  }
  await page.getByLabel(/Reason/).fill('ok');
  await page.getByRole('button', { name: 'Approve' }).click();
  await page.getByRole('alert').filter({ hasText: /expired/ }).waitFor();
  assert.match(await page.getByRole('alert').innerText(), /Nothing was decided/);
  await shot(page, '05-expired');
  const retry = await agent('carol', refund(13000, { approval_id: id }), { server: 'short' });
  assert.equal(retry.ok, false);
  assert.match(retry.text, /unknown or has expired/);
});

await step('the requester cannot approve their own request; a member of another group cannot either', async () => {
  const { id, link } = pendingID(await agent('alice', refund(14000)));
  const { page } = alice;
  await open(page, link);
  await page.getByText('You asked for this approval, so you cannot decide it').waitFor();
  assert.equal(await page.getByRole('button', { name: 'Approve' }).count(), 0);
  await shot(page, '06-own-request');
  // A crafted POST with a valid CSRF token is refused by the server too.
  const csrf = await page.locator('input[name=csrf]').first().inputValue();
  const forced = await page.request.post(link, { form: { csrf, action: 'approve', reason: 'me' }, headers: { Origin: CONSOLE } });
  assert.equal(forced.status(), 403);
  assert.match(await forced.text(), /You asked for this approval/);
  // Bob leads support; refunds above USD 100.00 need finance.
  await open(bob.page, link);
  await bob.page.getByText('You may not decide this approval: finance may.').waitFor();
  const bcsrf = await bob.page.locator('input[name=csrf]').first().inputValue();
  const byBob = await bob.page.request.post(link, { form: { csrf: bcsrf, action: 'approve' }, headers: { Origin: CONSOLE } });
  assert.equal(byBob.status(), 403);
  assert.match(await byBob.text(), /only members of finance may decide it/);
  // A form posted without the CSRF token is refused.
  const noToken = await bob.page.request.post(link, { form: { action: 'deny', reason: 'x' }, headers: { Origin: CONSOLE } });
  assert.equal(noToken.status(), 403);
  const retry = await agent('alice', refund(14000, { approval_id: id }));
  assert.match(retry.text, /still pending/);
});

await step('a hostile summary is rendered inert', async () => {
  const note = '<script>document.title="pwned"</script><img src=x onerror="document.title=\'pwned\'"> \u001b[2J\u001b]0;owned\u0007 \u202eevil';
  const { link } = pendingID(await agent('carol', refund(11000, { note })));
  const { page } = alice;
  const violations = [];
  page.on('console', (m) => violations.push(m.text()));
  await open(page, link);
  const summary = page.locator('p.summary');
  const text = await summary.innerText();
  assert.ok(text.includes('<script>document.title'), text);
  assert.ok(text.includes('\\x1b[2J'), `escape not made visible: ${JSON.stringify(text)}`);
  assert.ok(text.includes('\\u202e'), text);
  assert.ok(!/[\u001b\u0007\u202e]/.test(text), 'raw control characters reached the page');
  assert.equal(await page.locator('main script, main img').count(), 0);
  assert.notEqual(await page.title(), 'pwned');
  await shot(page, '07-hostile-summary');
  await open(page, CONSOLE + '/');
  assert.equal(await page.locator('main script, main img').count(), 0);
  assert.notEqual(await page.title(), 'pwned');
});

await step('URL-mode elicitation: a client that supports it is sent the approval page', async () => {
  const res = await agent('carol', refund(10500), { urlElicitation: true });
  assert.equal(res.ok, false);
  assert.equal(res.elicited.length, 1, JSON.stringify(res));
  assert.match(res.elicited[0], new RegExp(`^url ${CONSOLE}/approvals/apr_[0-9a-f]{20}$`));
  assert.match(res.text, /still pending/);
  const page = alice.page;
  await open(page, res.elicited[0].slice(4));
  await page.getByText('refund USD 105.00 of order ORD-49005').waitFor();
});

await step('the history of decisions', async () => {
  const { page } = alicePhone;
  await open(page, CONSOLE + '/history');
  const body = await page.locator('main').innerText();
  assert.match(body, /USD 150\.00[\s\S]*/);
  for (const want of ['refund USD 150.00 of order ORD-49005', 'Customer called; parcel lost', 'Duplicate of the refund made yesterday', 'alice@example.com']) {
    assert.ok(body.includes(want), `history lacks ${want}`);
  }
  assert.match(body, /used|approved/);
  assert.match(body, /denied/);
  await noHorizontalScroll(page);
  await shot(page, '08-history-phone');
});

for (const c of contexts) await c.close();
for (const d of profiles) rmSync(d, { recursive: true, force: true });
console.log(failures ? `${failures} step(s) failed` : 'all steps passed');
process.exit(failures ? 1 : 0);
