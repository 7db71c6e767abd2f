// The real curl binary as an independent HTTP client.

import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import {startHub, SLOW, ms, HTTP_SCHEME, HOST} from './lib/hub.mjs';

let hub;
let base;
before(async () => {
  hub = await startHub();
  base = `${HTTP_SCHEME}://${HOST}:${hub.port}`;
});
after(async () => { await hub?.stop(); });

/** Run curl; resolves {code, stdout, stderr, ms}. `input` is written to its stdin. */
function curl(args, {input} = {}) {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const p = spawn('curl', ['-sS', '--max-time', String(10 * SLOW), '-k', ...args],
      {stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe']});
    let stdout = '';
    let stderr = '';
    p.stdout.setEncoding('latin1').on('data', (d) => { stdout += d; });
    p.stderr.setEncoding('latin1').on('data', (d) => { stderr += d; });
    p.on('error', reject);
    p.on('close', (code) => resolve({code, stdout, stderr, ms: Date.now() - t0}));
    if (input !== undefined) {
      p.stdin.on('error', () => {}); // the hub may refuse before reading it all
      p.stdin.end(input);
    }
  });
}

/** Split curl -i / -D - output into status and headers of the last response, plus the body. */
function heads(out) {
  const blocks = [];
  let rest = out;
  while (/^HTTP\/\S+ \d{3}/.test(rest)) {
    const end = rest.indexOf('\r\n\r\n');
    if (end < 0) break;
    const lines = rest.slice(0, end).split('\r\n');
    const headers = {};
    for (const l of lines.slice(1)) {
      const i = l.indexOf(':');
      headers[l.slice(0, i).toLowerCase()] = l.slice(i + 1).trim();
    }
    blocks.push({status: Number(lines[0].split(' ')[1]), headers});
    rest = rest.slice(end + 4);
  }
  return {blocks, last: blocks[blocks.length - 1], body: rest};
}

test('curl GET /healthz → 200 "ok\\n"', async () => {
  const r = await curl(['-i', `${base}/healthz`]);
  assert.equal(r.code, 0, r.stderr);
  const h = heads(r.stdout);
  assert.equal(h.last.status, 200);
  assert.equal(h.last.headers['content-length'], '3');
  assert.equal(h.body, 'ok\n');
});

test('curl -I (HEAD) /healthz → 200 with Content-Length 3, no body', async () => {
  const r = await curl(['-I', `${base}/healthz`]);
  assert.equal(r.code, 0, r.stderr);
  const h = heads(r.stdout);
  assert.equal(h.last.status, 200);
  assert.equal(h.last.headers['content-length'], '3');
  assert.equal(h.body, '');
});

test('curl re-uses one keep-alive connection for two requests', async () => {
  const r = await curl(['-v', '-o', '/dev/null', '-o', '/dev/null', `${base}/healthz`, `${base}/nope`]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /Re-using existing connection/, r.stderr);
  assert.match(r.stderr, /left intact/, r.stderr);
  assert.doesNotMatch(r.stderr, /Closing connection/, 'the hub must not close a keep-alive connection');
  assert.equal((r.stderr.match(/Connected to/g) || []).length, 1, 'one TCP connection');
});

test('curl POST /healthz → 405 with Allow: GET, HEAD', async () => {
  const r = await curl(['-i', '-X', 'POST', '--data', '', `${base}/healthz`]);
  assert.equal(r.code, 0, r.stderr);
  const h = heads(r.stdout);
  assert.equal(h.last.status, 405);
  assert.match(h.last.headers.allow || '', /^GET,\s*HEAD$/);
  assert.match(h.body, /\w/);
});

test('curl GET /nope → 404', async () => {
  const r = await curl(['-i', `${base}/nope`]);
  assert.equal(r.code, 0, r.stderr);
  const h = heads(r.stdout);
  assert.equal(h.last.status, 404);
  assert.match(h.last.headers['content-type'] || '', /^text\/plain/);
});

test('curl GET / → 200 text/html', async () => {
  const r = await curl(['-i', `${base}/`]);
  const h = heads(r.stdout);
  assert.equal(h.last.status, 200);
  assert.match(h.last.headers['content-type'] || '', /^text\/html/);
});

test('curl --http1.0 → 200 and the connection is closed', async () => {
  const r = await curl(['-v', '--http1.0', '-o', '/dev/null', `${base}/healthz`]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /< HTTP\/1\.[01] 200/);
  assert.match(r.stderr, /Closing connection/);
});

test('curl -T - (chunked PUT from stdin) → 411', async () => {
  const r = await curl(['-i', '-T', '-', `${base}/chunks/f1/0`], {input: Buffer.alloc(5000, 'z')});
  const h = heads(r.stdout);
  assert.ok(h.last, `no response: ${r.stderr}`);
  assert.equal(h.last.status, 411);
  assert.match(h.last.headers.connection || '', /^close$/i);
});

test('curl PUT with Expect: 100-continue → 409 at once, Connection: close, no 100', async () => {
  // curl waits --expect100-timeout (1 s by default) for a 100 before it sends the body. Under
  // FERRY_SLOW that wait is stretched so the two cases stay apart.
  const expectTimeout = SLOW > 1 ? ['--expect100-timeout', String(20)] : [];
  const r = await curl(['-v', '-i', ...expectTimeout, '-H', 'Expect: 100-continue', '-H', 'Content-Type: application/octet-stream',
    '--data-binary', '@-', '-X', 'PUT', `${base}/chunks/f1/0`], {input: Buffer.alloc(4096, 'q')});
  const h = heads(r.stdout);
  assert.ok(h.last, `no response: ${r.stderr}`);
  assert.match(r.stderr, /> Expect: 100-continue/, 'curl did send Expect');
  assert.equal(h.last.status, 409);
  assert.ok(!h.blocks.some((b) => b.status === 100), 'no 100 Continue');
  assert.match(h.last.headers.connection || '', /^close$/i);
  assert.ok(r.ms < ms(900), `took ${r.ms} ms: the hub waited for the body instead of answering at once`);
});

test('curl PUT of 1 MiB + 1 byte → 413', async () => {
  const r = await curl(['-i', '-H', 'Expect:', '--data-binary', '@-', '-X', 'PUT', `${base}/chunks/f1/0`],
    {input: Buffer.alloc(1024 * 1024 + 1, 'b')});
  const h = heads(r.stdout);
  assert.ok(h.last, `no response: ${r.stderr}`);
  assert.equal(h.last.status, 413);
});

test('curl PUT of 100 bytes without Expect → 409 and the connection is kept', async () => {
  const r = await curl(['-v', '-o', '/dev/null', '-H', 'Expect:', '--data-binary', '@-', '-X', 'PUT', `${base}/chunks/f1/0`,
    '--next', '-o', '/dev/null', `${base}/healthz`], {input: Buffer.alloc(100, 'c')});
  assert.match(r.stderr, /< HTTP\/1\.1 409/);
  assert.match(r.stderr, /< HTTP\/1\.1 200/);
  assert.match(r.stderr, /Re-using existing connection/);
});
