// Named limits: request line (414), header block (431), head deadline (408), output
// backpressure, --max-clients, --max-message at its default.

import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import {startHub, assertAlive, ms, sleep} from './lib/hub.mjs';
import {raw, RawConn, req, parseOne, parseResponses, assertErrorThenClose, assertSentence} from './lib/net.mjs';
import {RawWs, OP} from './lib/rawws.mjs';

let hub;      // defaults (head-timeout 10)
let fastHub;  // --head-timeout 2
let mcHub;    // --max-clients 3

before(async () => {
  [hub, fastHub, mcHub] = await Promise.all([
    startHub(),
    startHub(['--head-timeout', '2']),
    startHub(['--max-clients', '3']),
  ]);
});
after(async () => {
  await Promise.all([hub?.stop(), fastHub?.stop(), mcHub?.stop()]);
});

const healthy = async (h) => {
  const r = parseOne(await raw(h.port, req('GET', '/healthz', {Connection: 'close'})));
  assert.equal(r.status, 200);
};

test('a request line over 8192 bytes answers 414 and closes', async () => {
  const buf = await raw(hub.port, req('GET', '/' + 'a'.repeat(9000)));
  const r = assertErrorThenClose(buf, 414, '9 KB request line');
  assertSentence(r, '414');
});

test('a request line over 8192 bytes without its line end still answers 414 (no waiting for CRLF)', async () => {
  const t0 = Date.now();
  const buf = await raw(fastHub.port, 'GET /' + 'a'.repeat(12000), {timeoutMs: ms(4000)});
  assertErrorThenClose(buf, 414, 'unterminated 12 KB request line');
  assert.ok(Date.now() - t0 < ms(1500), 'the 414 must not wait for the head deadline');
});

test('a request line a little under 8 KiB is served normally', async () => {
  const r = parseOne(await raw(hub.port, req('GET', '/' + 'a'.repeat(8000), {Connection: 'close'})));
  assert.equal(r.status, 404);
});

test('a header block over 16384 bytes answers 431 and closes', async () => {
  const headers = {};
  for (let i = 0; i < 20; i++) headers[`X-Filler-${i}`] = 'v'.repeat(1000);
  const buf = await raw(hub.port, req('GET', '/healthz', headers));
  const r = assertErrorThenClose(buf, 431, '20 KB header block');
  assertSentence(r, '431');
});

test('one header line of 17 KB answers 431 and closes', async () => {
  const buf = await raw(hub.port, req('GET', '/healthz', {'X-Big': 'v'.repeat(17000)}));
  assertErrorThenClose(buf, 431, '17 KB header line');
});

test('a header block of about 15 KB is served normally', async () => {
  const headers = {Connection: 'close'};
  for (let i = 0; i < 15; i++) headers[`X-Filler-${i}`] = 'v'.repeat(980);
  const r = parseOne(await raw(hub.port, req('GET', '/healthz', headers)));
  assert.equal(r.status, 200);
});

test('thirty ordinary headers are served normally', async () => {
  const headers = {Connection: 'close'};
  for (let i = 0; i < 30; i++) headers[`X-H${i}`] = `value-${i}`;
  const r = parseOne(await raw(hub.port, req('GET', '/healthz', headers)));
  assert.equal(r.status, 200);
});

test('2,000 tiny headers (10 KB) answer 200 or 431, and the hub stays up', async () => {
  let h = '';
  for (let i = 0; i < 2000; i++) h += 'X:1\r\n';
  const buf = await raw(hub.port, `GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n${h}\r\n`);
  const r = parseOne(buf);
  assert.ok([200, 431].includes(r.status), `got ${r.status}`);
  assert.ok(buf.closed);
  await healthy(hub);
});

/** Trickle `bytes` one byte every `everyMs` until the server answers or closes. */
async function trickle(port, bytes, everyMs, limitMs) {
  const c = await RawConn.open(port);
  const t0 = Date.now();
  let i = 0;
  const timer = setInterval(() => { if (i < bytes.length && !c.closed) c.write(bytes[i++]); }, everyMs);
  c.write(bytes[i++]);
  const closed = await c.waitClose(limitMs);
  clearInterval(timer);
  const buf = c.take();
  buf.closed = closed;
  buf.elapsed = Date.now() - t0;
  c.destroy();
  return buf;
}

test('a head trickled a byte every 300 ms gets 408 at the 2 s total deadline', async () => {
  const buf = await trickle(fastHub.port, req('GET', '/healthz', {'X-Pad': 'p'.repeat(200)}), 300, ms(5000));
  assertErrorThenClose(buf, 408, 'trickled head');
  assert.ok(buf.elapsed >= 1700, `408 too early: ${buf.elapsed} ms`);
  assert.ok(buf.elapsed <= ms(3500), `408 too late: ${buf.elapsed} ms (a total deadline, not an idle one)`);
});

test('a head that stops half-way gets 408 at the 2 s deadline', async () => {
  const buf = await raw(fastHub.port, 'GET /healthz HTTP/1.1\r\nHost: x\r\n', {timeoutMs: ms(5000)});
  assertErrorThenClose(buf, 408, 'half a head');
  assert.ok(buf.elapsed >= 1700 && buf.elapsed <= ms(3500), `408 after ${buf.elapsed} ms`);
});

test('the head deadline counts from the first byte, not from the connection', async () => {
  const c = await RawConn.open(fastHub.port);
  await sleep(1500); // connected, silent: no head has started
  const t0 = Date.now();
  c.write('GET /healthz HTTP/1.1\r\n');
  await sleep(1000);
  c.write('Host: x\r\nConnection: close\r\n\r\n');
  const r = await c.response();
  assert.equal(r.status, 200, `a head completed 1 s after its first byte must be served (t=${Date.now() - t0} ms)`);
  c.destroy();
});

test('the head deadline restarts for each keep-alive request', async () => {
  const c = await RawConn.open(fastHub.port);
  for (let i = 0; i < 3; i++) {
    c.write('GET /healthz HTTP/1.1\r\n');
    await sleep(800);
    c.write('Host: x\r\n\r\n');
    assert.equal((await c.response()).status, 200, `request ${i}`);
  }
  c.destroy();
});

test('a head trickled a byte every 300 ms gets 408 at the default 10 s deadline', async () => {
  const bytes = req('GET', '/healthz', {'X-Pad': 'p'.repeat(100)});
  const buf = await trickle(hub.port, bytes, 300, ms(14000));
  assertErrorThenClose(buf, 408, 'trickled head (default deadline)');
  assert.ok(buf.elapsed >= 9500, `408 too early: ${buf.elapsed} ms`);
  assert.ok(buf.elapsed <= ms(11500), `408 too late: ${buf.elapsed} ms`);
});

test('twenty slow heads at once all get 408 while others are served', async () => {
  const slow = await Promise.all(Array.from({length: 20}, () => RawConn.open(fastHub.port)));
  const t0 = Date.now();
  for (const c of slow) c.write('GET /healthz HTTP/1.1\r\nHos');
  await sleep(500);
  await healthy(fastHub);
  const closed = await Promise.all(slow.map((c) => c.waitClose(ms(4000))));
  assert.ok(closed.every(Boolean), 'every slow head must be closed');
  for (const c of slow) {
    const r = parseOne(c.take());
    assert.equal(r.status, 408);
    c.destroy();
  }
  assert.ok(Date.now() - t0 <= ms(4000));
  await healthy(fastHub);
});

test('backpressure: 20,000 pipelined requests read after a 2 s stall are all answered in order', async () => {
  const N = 20000;
  const methods = [];
  const want = [];
  const parts = [];
  for (let i = 0; i < N; i++) {
    // Mostly GET /healthz; every 97th a 404 and every 89th a HEAD, so order is visible.
    if (i % 97 === 0) { parts.push(req('GET', '/nope')); methods.push('GET'); want.push(404); }
    else if (i % 89 === 0) { parts.push(req('HEAD', '/healthz')); methods.push('HEAD'); want.push(200); }
    else { parts.push(req('GET', '/healthz')); methods.push('GET'); want.push(200); }
  }
  const c = await RawConn.open(hub.port);
  c.sock.pause(); // do not read: the kernel buffers fill and the hub must hold back
  c.write(parts.join(''));
  await sleep(500);
  // The hub keeps serving others while this client is stalled.
  const t0 = Date.now();
  await healthy(hub);
  assert.ok(Date.now() - t0 < ms(1000), 'another client must be answered promptly during the stall');
  await sleep(1500);
  await healthy(hub);
  c.sock.resume();
  const rs = await c.responses(N, methods, ms(20000));
  for (let i = 0; i < N; i++) {
    if (rs[i].status !== want[i]) assert.fail(`response ${i}: expected ${want[i]}, got ${rs[i].status}`);
    if (methods[i] === 'GET' && want[i] === 200 && rs[i].body !== 'ok\n') assert.fail(`response ${i}: body ${rs[i].body}`);
  }
  await sleep(100);
  assert.equal(c.buf.length, 0, 'exactly N responses');
  assert.equal(c.closed, false);
  c.destroy();
  assertAlive(hub);
});

test('--max-clients 3: a fourth connection waits until one of the three closes', async () => {
  const conns = await Promise.all([0, 1, 2].map(() => RawConn.open(mcHub.port)));
  for (const c of conns) {
    c.write(req('GET', '/healthz'));
    assert.equal((await c.response()).status, 200);
  }
  const fourth = await RawConn.open(mcHub.port); // the kernel completes the TCP handshake
  fourth.write(req('GET', '/healthz'));
  const early = await fourth.wait((b) => b.length > 0, ms(1000));
  assert.equal(early, false, `the 4th connection must not be served while 3 are open: ${JSON.stringify(fourth.buf.toString('latin1'))}`);
  // the three are still fine meanwhile
  conns[1].write(req('GET', '/nope'));
  assert.equal((await conns[1].response()).status, 404);
  conns[0].end();
  const r = await fourth.response('GET', ms(3000));
  assert.equal(r.status, 200, 'the 4th connection is served once a slot is free');
  conns[2].write(req('HEAD', '/healthz'));
  assert.equal((await conns[2].response('HEAD')).status, 200);
  for (const c of [...conns, fourth]) c.destroy();
  await sleep(200);
  await healthy(mcHub);
});

test('--max-clients 3: WebSocket connections count too and free their slot on close', async () => {
  const a = await RawWs.open(mcHub.port);
  const b = await RawWs.open(mcHub.port);
  const c = await RawConn.open(mcHub.port);
  c.write(req('GET', '/healthz'));
  assert.equal((await c.response()).status, 200);
  const d = await RawConn.open(mcHub.port);
  d.write(req('GET', '/healthz'));
  assert.equal(await d.wait((x) => x.length > 0, ms(800)), false, 'the 4th must wait');
  a.send({opcode: OP.CLOSE, payload: Buffer.from([0x03, 0xe8])});
  await a.expectClose(1000, 'client close');
  assert.equal((await d.response('GET', ms(3000))).status, 200);
  b.destroy(); c.destroy(); d.destroy(); a.destroy();
  await sleep(200);
  await healthy(mcHub);
});

test('--max-message default 65536: a 65536-byte message is answered, 65537 closes 1009', async () => {
  const pad = (n) => {
    const s = '{"type":"NO_SUCH_TYPE","pad":""}';
    return s.slice(0, -2) + 'x'.repeat(n - s.length) + '"}';
  };
  const w = await RawWs.open(hub.port);
  w.text(pad(65536));
  const m = await w.json();
  assert.equal(m.code, 'UNKNOWN_TYPE');
  w.text(pad(65537));
  await w.expectClose(1009, '65537-byte message');
  w.destroy();
});

test('a client that pipelines and never reads is dropped after --keepalive-timeout without progress', async () => {
  const kaHub = await startHub(['--keepalive-timeout', '1']);
  try {
    const c = await RawConn.open(kaHub.port);
    c.sock.pause(); // never read: the hub's output stays full
    // ~27 MB of answers: more than the kernel's socket buffers can hold.
    const N = 60000;
    c.write(req('GET', '/').repeat(N));
    await sleep(ms(3000));
    c.sock.resume();
    await c.waitClose(ms(3000));
    assert.ok(c.closed, 'the hub closed the stalled connection');
    const got = parseResponses(c.buf, []).responses.length;
    assert.ok(got < N, `it was dropped, not served to the end (${got} answers)`);
    await healthy(kaHub);
    c.destroy();
  } finally {
    await kaHub.stop();
  }
});

test('64 header lines are served; a 65th answers 431 and closes', async () => {
  // req() adds Host, so n - 1 more lines make n.
  const lines = (n) => Object.fromEntries(Array.from({length: n - 1}, (_, i) => [`X-H${i}`, 'v']));
  const ok = parseOne(await raw(hub.port, req('GET', '/healthz', {...lines(63), Connection: 'close'})));
  assert.equal(ok.status, 200, '64 lines (Host, 62 more, Connection)');
  const buf = await raw(hub.port, req('GET', '/healthz', lines(65)));
  assertErrorThenClose(buf, 431, '65 header lines');
});
