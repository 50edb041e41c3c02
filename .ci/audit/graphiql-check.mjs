// Opens autogql's GraphiQL page in headless Chromium and checks that it works
// offline under its Content-Security-Policy: the IDE renders, loads the
// schema, runs a query against the endpoint, and the browser reports no CSP
// violation, failed request or script error.
//
//   node --experimental-websocket graphiql-check.mjs <page url> [chromium] [screenshot.png]
//
// It drives Chromium over the DevTools protocol, with no dependency beyond
// Node's built-in fetch and WebSocket. Exits 1 on failure, 2 on bad usage.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [url, chromium = 'chromium', screenshot] = process.argv.slice(2);
if (!url) {
  console.error('usage: node --experimental-websocket graphiql-check.mjs <page url> [chromium] [screenshot.png]');
  process.exit(2);
}

const profile = mkdtempSync(join(tmpdir(), 'graphiql-check-'));
const browser = spawn(chromium, [
  '--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-extensions',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--remote-debugging-port=0', `--user-data-dir=${profile}`, '--window-size=1400,900', 'about:blank',
], { stdio: ['ignore', 'ignore', 'pipe'] });

const problems = [];
let exitCode = 1;
try {
  const port = await new Promise((resolve, reject) => {
    let err = '';
    const timer = setTimeout(() => reject(new Error(`chromium did not start:\n${err}`)), 20000);
    browser.stderr.on('data', (chunk) => {
      err += chunk;
      const m = /DevTools listening on ws:\/\/[^:]+:(\d+)\//.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    browser.on('exit', (code) => reject(new Error(`chromium exited with ${code}:\n${err}`)));
  });
  const targets = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
  const page = targets.find((t) => t.type === 'page');
  const cdp = await connect(page.webSocketDebuggerUrl);

  cdp.on('Runtime.consoleAPICalled', (p) => {
    if (p.type === 'error' || p.type === 'assert') {
      problems.push(`console.${p.type}: ${p.args.map((a) => a.value ?? a.description).join(' ')}`);
    }
  });
  cdp.on('Runtime.exceptionThrown', (p) => problems.push(`exception: ${p.exceptionDetails.exception?.description ?? p.exceptionDetails.text}`));
  cdp.on('Log.entryAdded', ({ entry }) => {
    if (entry.level === 'error' || /Content Security Policy/i.test(entry.text)) {
      problems.push(`${entry.source}: ${entry.text}${entry.url ? ` (${entry.url})` : ''}`);
    }
  });
  const requests = new Map();
  cdp.on('Network.requestWillBeSent', (p) => requests.set(p.requestId, p.request.url));
  cdp.on('Network.loadingFailed', (p) => {
    if (!p.canceled) problems.push(`request failed: ${requests.get(p.requestId)}: ${p.errorText} ${p.blockedReason ?? ''}`);
  });
  cdp.on('Network.responseReceived', (p) => {
    const u = new URL(p.response.url);
    if (!u.protocol.startsWith('data') && u.host !== new URL(url).host) {
      problems.push(`request left the server: ${p.response.url}`);
    }
    if (p.response.status >= 400) problems.push(`HTTP ${p.response.status}: ${p.response.url}`);
  });

  await cdp.send('Runtime.enable');
  await cdp.send('Log.enable');
  await cdp.send('Network.enable');
  await cdp.send('Page.enable');
  const loaded = cdp.once('Page.loadEventFired');
  await cdp.send('Page.navigate', { url });
  await loaded;

  const evaluate = async (expression) => {
    const r = await cdp.send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true });
    if (r.exceptionDetails) throw new Error(`${expression}: ${r.exceptionDetails.exception?.description}`);
    return r.result.value;
  };
  const waitFor = async (what, expression, ms = 15000) => {
    const deadline = Date.now() + ms;
    for (;;) {
      const v = await evaluate(expression);
      if (v) return v;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };

  await waitFor('GraphiQL to render', `!!document.querySelector('.graphiql-container')`);
  await waitFor('the schema to load (docs button)', `!!document.querySelector('[aria-label="Show Documentation Explorer"]')`);
  await evaluate(`document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.setValue('{ __typename }')`);
  await evaluate(`document.querySelector('.graphiql-execute-button').click()`);
  const result = await waitFor('the query result',
    `(() => { const v = document.querySelector('.graphiql-response .CodeMirror').CodeMirror.getValue(); return v.includes('__typename') && v; })()`);
  console.log(`query result: ${result.replace(/\s+/g, ' ')}`);

  if (screenshot) {
    const shot = await cdp.send('Page.captureScreenshot', { format: 'png' });
    writeFileSync(screenshot, Buffer.from(shot.data, 'base64'));
  }
  cdp.close();
  exitCode = problems.length > 0 ? 1 : 0;
} catch (err) {
  problems.push(err.stack ?? String(err));
} finally {
  if (browser.exitCode === null) {
    const exited = new Promise((resolve) => browser.once('exit', resolve));
    browser.kill();
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
  }
  // Chromium's helper processes may still write to the profile for a
  // moment after the browser exits: removing it is best effort, and a
  // leftover temporary directory must not fail the check.
  try {
    rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  } catch (err) {
    console.error(`warning: could not remove ${profile}: ${err.message}`);
  }
}
for (const p of problems) console.error(p);
if (exitCode === 0) console.log('ok');
process.exit(exitCode);

// connect opens a DevTools protocol session on a WebSocket URL.
async function connect(wsURL) {
  const ws = new WebSocket(wsURL);
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = () => reject(new Error(`cannot connect to ${wsURL}`));
  });
  let nextID = 1;
  const pending = new Map();
  const listeners = new Map();
  ws.onmessage = ({ data }) => {
    const msg = JSON.parse(data);
    if (msg.id && pending.has(msg.id)) {
      const { resolve, reject } = pending.get(msg.id);
      pending.delete(msg.id);
      if (msg.error) reject(new Error(msg.error.message));
      else resolve(msg.result);
    } else if (msg.method) {
      for (const fn of listeners.get(msg.method) ?? []) fn(msg.params);
    }
  };
  const on = (method, fn) => listeners.set(method, [...(listeners.get(method) ?? []), fn]);
  return {
    on,
    once: (method) => new Promise((resolve) => on(method, resolve)),
    send: (method, params = {}) => new Promise((resolve, reject) => {
      const id = nextID++;
      pending.set(id, { resolve, reject });
      ws.send(JSON.stringify({ id, method, params }));
    }),
    close: () => ws.close(),
  };
}
