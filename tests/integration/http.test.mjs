// HTTP/1.1 surface: routes, status codes, malformed requests, keep-alive, pipelining,
// chunk PUT bodies. Everything over raw sockets so the bytes are exactly what is written here.

import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import {startHub, assertAlive, ms, sleep} from './lib/hub.mjs';
import {raw, RawConn, req, parseOne, parseResponses, assertSentence, assertErrorThenClose} from './lib/net.mjs';

let hub;
let kaHub; // --keepalive-timeout 1

before(async () => {
  [hub, kaHub] = await Promise.all([startHub(), startHub(['--keepalive-timeout', '1'])]);
});
after(async () => {
  await Promise.all([hub?.stop(), kaHub?.stop()]);
});

const closeReq = (m, p, h = {}, b = '') => req(m, p, {Connection: 'close', ...h}, b);

test('GET /healthz answers 200 "ok\\n" with Content-Length 3', async () => {
  const buf = await raw(hub.port, closeReq('GET', '/healthz'));
  const r = parseOne(buf);
  assert.equal(r.status, 200);
  assert.equal(r.version, 'HTTP/1.1');
  assert.equal(r.headers['content-length'], '3');
  assert.equal(r.body, 'ok\n');
  assert.equal(r.raw.length, buf.length, 'nothing after the body');
});

test('HEAD /healthz answers 200 with Content-Length 3 and no body', async () => {
  // Followed by a GET on the same connection: if HEAD leaked a body, the second response
  // would not start right after the first head.
  const c = await RawConn.open(hub.port);
  c.write(req('HEAD', '/healthz') + req('GET', '/nope', {Connection: 'close'}));
  const [h, n] = await c.responses(2, ['HEAD', 'GET']);
  assert.equal(h.status, 200);
  assert.equal(h.headers['content-length'], '3');
  assert.equal(h.body, '');
  assert.equal(n.status, 404, 'the response after HEAD must start right after its head');
  c.destroy();
});

test('POST /healthz answers 405 with Allow: GET, HEAD', async () => {
  const buf = await raw(hub.port, closeReq('POST', '/healthz', {'Content-Length': '0'}));
  const r = parseOne(buf);
  assert.equal(r.status, 405);
  assert.match(r.headers.allow || '', /^GET,\s*HEAD$/);
  assert.ok('content-length' in r.headers);
  assertSentence(r, '405');
});

test('unknown paths answer 404 with a text/plain sentence', async () => {
  for (const p of ['/nope', '/healthz/x', '/ws/x', '/chunks', '/files', '/%00', '/..%2f..%2fetc%2fpasswd']) {
    const r = parseOne(await raw(hub.port, closeReq('GET', p)));
    assert.equal(r.status, 404, `GET ${p}`);
    assertSentence(r, `GET ${p}`);
  }
});

test('GET / answers 200 text/html', async () => {
  const r = parseOne(await raw(hub.port, closeReq('GET', '/')));
  assert.equal(r.status, 200);
  assert.match(r.headers['content-type'] || '', /^text\/html\b/i);
  assert.equal(Number(r.headers['content-length']), Buffer.byteLength(r.body, 'latin1'));
  assert.match(r.body, /<html|<!doctype html/i);
});

test('GET /chunks/x/0 and GET /files/x answer 404', async () => {
  for (const p of ['/chunks/x/0', '/files/x']) {
    const r = parseOne(await raw(hub.port, closeReq('GET', p)));
    assert.equal(r.status, 404, `GET ${p}`);
  }
});

// Each malformed request: 400, then the server closes.
const malformed = {
  'bare LF line ends': 'GET /healthz HTTP/1.1\nHost: x\n\n',
  'bare LF after a header': 'GET /healthz HTTP/1.1\r\nHost: x\nAccept: */*\r\n\r\n',
  'obs-fold header': 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: one\r\n two\r\n\r\n',
  'obs-fold with a tab': 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: one\r\n\ttwo\r\n\r\n',
  'space before colon': 'GET /healthz HTTP/1.1\r\nHost : x\r\n\r\n',
  'Content-Length: abc': 'POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n',
  'Content-Length: -1': 'POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n',
  'Content-Length: 1x': 'PUT /chunks/f/0 HTTP/1.1\r\nHost: x\r\nContent-Length: 1x\r\n\r\n',
  'two different Content-Lengths': 'PUT /chunks/f/0 HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd',
  'Content-Length list of different values': 'PUT /chunks/f/0 HTTP/1.1\r\nHost: x\r\nContent-Length: 3, 4\r\n\r\nabcd',
  'header without colon': 'GET /healthz HTTP/1.1\r\nHost: x\r\nNoColonHere\r\n\r\n',
  'garbage request line': 'HELLO\r\n\r\n',
  'NUL in header value': 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: a\0b\r\n\r\n',
  'HTTP/1.1 without Host': 'GET /healthz HTTP/1.1\r\nAccept: */*\r\n\r\n',
  'absolute-form target': 'GET http://x/healthz HTTP/1.1\r\nHost: x\r\n\r\n',
  'asterisk target': 'OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n',
};
for (const [name, bytes] of Object.entries(malformed)) {
  test(`malformed request (${name}) answers 400 and closes`, async () => {
    const buf = await raw(hub.port, bytes);
    const r = assertErrorThenClose(buf, 400, name);
    assertSentence(r, name);
  });
}

test('a malformed request after a good one on the same connection: 200, then 400 and close', async () => {
  const buf = await raw(hub.port, req('GET', '/healthz') + 'GET /healthz HTTP/1.1\nHost: x\n\n');
  const p = parseResponses(buf, ['GET', 'GET']);
  assert.equal(p.responses.length, 2, JSON.stringify(buf.toString('latin1')));
  assert.equal(p.responses[0].status, 200);
  assert.equal(p.responses[1].status, 400);
  assert.ok(buf.closed);
});

test('Transfer-Encoding: chunked on a chunk PUT answers 411 and closes', async () => {
  const buf = await raw(hub.port,
    'PUT /chunks/f/0 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n');
  assertErrorThenClose(buf, 411, 'chunked PUT');
});

test('any Transfer-Encoding answers 411 and closes (GET, gzip+chunked)', async () => {
  for (const [p, te] of [['/healthz', 'chunked'], ['/nope', 'gzip, chunked'], ['/chunks/f/0', 'identity']]) {
    const buf = await raw(hub.port, `GET ${p} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: ${te}\r\n\r\n0\r\n\r\n`);
    assertErrorThenClose(buf, 411, `GET ${p} with Transfer-Encoding: ${te}`);
  }
});

test('keep-alive: several sequential requests on one HTTP/1.1 connection', async () => {
  const c = await RawConn.open(hub.port);
  for (let i = 0; i < 6; i++) {
    const [m, p, st] = [['GET', '/healthz', 200], ['HEAD', '/healthz', 200], ['GET', '/nope', 404]][i % 3];
    c.write(req(m, p));
    const r = await c.response(m);
    assert.equal(r.status, st, `request ${i}`);
    assert.notEqual((r.headers.connection || '').toLowerCase(), 'close', `request ${i} must keep the connection`);
    await sleep(20);
    assert.equal(c.closed, false, `the server closed the connection after request ${i}`);
  }
  c.destroy();
});

test('Connection: close gets Connection: close and the server closes', async () => {
  const c = await RawConn.open(hub.port);
  c.write(req('GET', '/healthz'));
  await c.response();
  c.write(req('GET', '/healthz', {Connection: 'close'}));
  const r = await c.response();
  assert.equal(r.status, 200);
  assert.match(r.headers.connection || '', /^close$/i);
  assert.ok(await c.waitClose(ms(2000)), 'the server must close after Connection: close');
  assert.equal(c.buf.length, 0, 'nothing after the response');
});

test('HTTP/1.0 without keep-alive: the server closes after the response', async () => {
  const buf = await raw(hub.port, 'GET /healthz HTTP/1.0\r\nHost: x\r\n\r\n');
  const r = parseOne(buf);
  assert.equal(r.status, 200);
  assert.equal(r.body, 'ok\n');
  assert.ok(buf.closed, 'HTTP/1.0 connection must be closed by the server');
  assert.equal(r.raw.length, buf.length);
});

test('an idle keep-alive connection is closed after --keepalive-timeout 1', async () => {
  const c = await RawConn.open(kaHub.port);
  c.write(req('GET', '/healthz'));
  assert.equal((await c.response()).status, 200);
  const t0 = Date.now();
  const closed = await c.waitClose(ms(4000));
  const dt = Date.now() - t0;
  assert.ok(closed, 'idle connection must be closed by the server');
  assert.ok(dt >= 700, `closed too early (${dt} ms after the response)`);
  c.destroy();
});

test('a keep-alive connection that keeps talking outlives --keepalive-timeout', async () => {
  const c = await RawConn.open(kaHub.port);
  for (let i = 0; i < 5; i++) {
    c.write(req('GET', '/healthz'));
    assert.equal((await c.response()).status, 200, `request ${i}`);
    await sleep(500);
  }
  assert.equal(c.closed, false, 'a busy connection is not idle');
  c.destroy();
});

test('pipelining: 100 mixed requests in one write are answered in order', async () => {
  const kinds = [['GET', '/healthz', 200, 'ok\n'], ['HEAD', '/healthz', 200, ''], ['GET', '/nope', 404, null]];
  let bytes = '';
  const expect = [];
  for (let i = 0; i < 100; i++) {
    const k = kinds[(i * 7 + (i >> 2)) % 3];
    bytes += req(k[0], k[1]);
    expect.push(k);
  }
  const c = await RawConn.open(hub.port);
  c.write(bytes);
  const rs = await c.responses(100, expect.map((k) => k[0]), ms(5000));
  rs.forEach((r, i) => {
    assert.equal(r.status, expect[i][2], `response ${i} (${expect[i][0]} ${expect[i][1]})`);
    if (expect[i][3] !== null) assert.equal(r.body, expect[i][3], `response ${i} body`);
    assert.ok('content-length' in r.headers, `response ${i} must carry Content-Length`);
  });
  await sleep(50);
  assert.equal(c.buf.length, 0, 'exactly 100 responses');
  assert.equal(c.closed, false);
  c.destroy();
});

test('pipelining survives a request split at every byte boundary', async () => {
  const c = await RawConn.open(hub.port);
  const bytes = req('GET', '/healthz') + req('HEAD', '/healthz') + req('GET', '/nope');
  for (let i = 0; i < bytes.length; i += 7) {
    c.write(bytes.slice(i, i + 7));
    await sleep(1);
  }
  const rs = await c.responses(3, ['GET', 'HEAD', 'GET']);
  assert.deepEqual(rs.map((r) => r.status), [200, 200, 404]);
  c.destroy();
});

test('PUT /chunks with a small body: 409, connection kept, the pipelined request is answered', async () => {
  const body = 'x'.repeat(10);
  const c = await RawConn.open(hub.port);
  c.write(req('PUT', '/chunks/f1/0', {'Content-Length': body.length}, body) + req('GET', '/healthz'));
  const [p, g] = await c.responses(2, ['PUT', 'GET']);
  assert.equal(p.status, 409);
  assertSentence(p, 'PUT 409');
  assert.notEqual((p.headers.connection || '').toLowerCase(), 'close');
  assert.equal(g.status, 200, 'the body must be consumed, not parsed as the next request');
  assert.equal(g.body, 'ok\n');
  c.destroy();
});

test('PUT /chunks with exactly 1 MiB: 409 after reading the body, then the next request', async () => {
  const body = Buffer.alloc(1024 * 1024, 'G'); // "GET /..." lookalikes inside would be a giveaway
  body.write('GET /nope HTTP/1.1\r\n\r\n', 0, 'latin1');
  const c = await RawConn.open(hub.port);
  c.write(Buffer.concat([
    Buffer.from(req('PUT', '/chunks/f1/3', {'Content-Length': body.length}), 'latin1'),
    body,
    Buffer.from(req('GET', '/healthz'), 'latin1'),
  ]));
  const [p, g] = await c.responses(2, ['PUT', 'GET'], ms(5000));
  assert.equal(p.status, 409);
  assert.equal(g.status, 200);
  await sleep(50);
  assert.equal(c.buf.length, 0, 'exactly two responses');
  c.destroy();
});

test('PUT /chunks with Expect: 100-continue: 409 at once with Connection: close, no 100', async () => {
  const c = await RawConn.open(hub.port);
  const t0 = Date.now();
  c.write(req('PUT', '/chunks/f1/0', {'Content-Length': '1000', Expect: '100-continue'}));
  const ok = await c.wait((b) => parseResponses(b, ['PUT']).responses.length > 0, ms(2000));
  const dt = Date.now() - t0;
  assert.ok(ok, `no answer without the body: ${JSON.stringify(c.buf.toString('latin1'))}`);
  assert.ok(!c.buf.toString('latin1').startsWith('HTTP/1.1 100'), 'no 100 Continue for a PUT nobody asked for');
  const r = await c.response('PUT');
  assert.equal(r.status, 409);
  assert.match(r.headers.connection || '', /^close$/i);
  assert.ok(await c.waitClose(ms(2000)), 'the server must close (the body was never read)');
  assert.ok(dt < ms(900), `answered after ${dt} ms`);
});

test('PUT /chunks with Content-Length over 1 MiB answers 413 and closes', async () => {
  const buf = await raw(hub.port, req('PUT', '/chunks/f1/0', {'Content-Length': String(1024 * 1024 + 1)}));
  assertErrorThenClose(buf, 413, 'PUT 1 MiB + 1');
});

test('PUT /chunks with an absurd Content-Length answers 400 or 413 and closes', async () => {
  const buf = await raw(hub.port, req('PUT', '/chunks/f1/0', {'Content-Length': '99999999999999999999999999'}));
  const r = parseOne(buf);
  assert.ok([400, 413].includes(r.status), `got ${r.status}`);
  assert.ok(buf.closed);
});

test('every response carries Content-Length (sampled across statuses)', async () => {
  const c = await RawConn.open(hub.port);
  const reqs = [['GET', '/healthz'], ['HEAD', '/healthz'], ['GET', '/'], ['GET', '/nope'],
    ['POST', '/healthz'], ['DELETE', '/healthz'], ['GET', '/files/x'], ['GET', '/chunks/x/0'],
    ['PUT', '/chunks/x/0']];
  c.write(reqs.map(([m, p]) => req(m, p, m === 'POST' || m === 'PUT' ? {'Content-Length': '0'} : {})).join(''));
  const rs = await c.responses(reqs.length, reqs.map((r) => r[0]));
  rs.forEach((r, i) => assert.ok('content-length' in r.headers, `${reqs[i].join(' ')} → ${r.status} without Content-Length`));
  c.destroy();
  assertAlive(hub);
});

test('the web app carries an ETag; If-None-Match answers 304 without a body and keeps the connection', async () => {
  const c = await RawConn.open(hub.port);
  c.write(req('GET', '/'));
  const first = await c.response();
  assert.equal(first.status, 200);
  const etag = first.headers['etag'];
  assert.match(etag || '', /^"[0-9a-f]+"$/, 'a strong ETag');
  assert.ok(first.headers['date'], 'responses carry a Date');
  c.write(req('GET', '/', {'If-None-Match': etag}) + req('GET', '/', {'If-None-Match': '"other"'}));
  const [notModified, full] = await c.responses(2, ['HEAD', 'GET']);
  assert.equal(notModified.status, 304);
  assert.equal(notModified.headers['etag'], etag);
  assert.equal(full.status, 200, 'a different ETag gets the file');
  assert.equal(full.body, first.body);
  c.destroy();
});
