// The process: command line, start-up line, pings and peer timeouts, SIGTERM/SIGINT.

import {test} from 'node:test';
import assert from 'node:assert/strict';
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {startHub, runFerry, assertAlive, ms, sleep} from './lib/hub.mjs';
import {raw, req, parseOne, RawConn} from './lib/net.mjs';
import {RawWs, OP, closePayload} from './lib/rawws.mjs';
import {openWs, closeWs, assertError} from './lib/wsclient.mjs';

// ---- command line ---------------------------------------------------------------

test('--version prints "ferry X.Y.Z" and exits 0', async () => {
  const r = await runFerry(['--version']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^ferry \d+\.\d+\.\d+\n$/);
});

// Every flag of the contract and of SPEC §8, with the default --help must show (null: a
// flag without a default, e.g. a switch or a path).
const FLAGS = {
  '--port': '8080',
  '--bind': null,
  '--data-dir': null,
  '--max-clients': null,
  '--max-per-address': '64',
  '--max-message': '65536',
  '--head-timeout': '10',
  '--keepalive-timeout': '60',
  '--ping-interval': '20',
  '--peer-timeout': '60',
  '--log-level': null,
  '--tls': null,
  '--tls-cert': null,
  '--tls-key': null,
  '--chunk-size': /1048576|1 ?MiB/,
  '--cache-mb': null,
  '--max-files': null,
  '--max-inflight': '8',
  '--sync-timeout': '30',
  '--upload-timeout': '30',
  '--chunk-ttl': '60',
  '--version': null,
  '--help': null,
};

test('--help prints every flag with its default and exits 0', async () => {
  const r = await runFerry(['--help']);
  assert.equal(r.code, 0, r.stderr);
  const text = r.stdout;
  for (const [flag, def] of Object.entries(FLAGS)) {
    const at = text.search(new RegExp(`(^|[\\s,\\[])${flag}(?![-\\w])`, 'm'));
    assert.ok(at >= 0, `--help does not mention ${flag}:\n${text}`);
    if (def === null) continue;
    // The default sits on the flag's own line (up to the next line that names another flag).
    const rest = text.slice(at + flag.length);
    const next = rest.search(/\n\s*(-\w|--\w)/);
    const entry = next < 0 ? rest : rest.slice(0, next);
    const re = def instanceof RegExp ? def : new RegExp(`(^|\\D)${def}(\\D|$)`);
    assert.match(entry, re, `--help must show ${flag}'s default ${def}; its entry reads ${JSON.stringify(entry)}`);
  }
});

const badArgs = [
  ['--no-such-flag'],
  ['--port', 'abc'],
  ['--port', '70000'],
  ['--port', '-1'],
  ['--port'],
  ['--max-message', '-5'],
  ['--max-message', '10x'],
  ['--head-timeout', 'x'],
  ['--keepalive-timeout', ''],
  ['--ping-interval', '1.5.2'],
  ['--max-clients', '0'],
  ['--peer-timeout', '99999999999999999999'],
  ['stray-argument'],
];
for (const args of badArgs) {
  test(`bad command line ${JSON.stringify(args)} → message on stderr, exit 2`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-it-'));
    try {
      const r = await runFerry(['--bind', '127.0.0.1', '--port', '0', '--data-dir', dir, ...args]);
      assert.equal(r.code, 2, `exit code ${r.code}; stderr: ${r.stderr}`);
      assert.match(r.stderr, /\S/, 'a message on stderr');
      assert.doesNotMatch(r.stdout, /listening/, 'must not start');
    } finally {
      rmSync(dir, {recursive: true, force: true});
    }
  });
}

test('the listening line comes at once and the hub answers right after', async () => {
  const t0 = Date.now();
  const hub = await startHub();
  assert.ok(Date.now() - t0 < ms(2000), `listening line after ${Date.now() - t0} ms`);
  const r = parseOne(await raw(hub.port, req('GET', '/healthz', {Connection: 'close'})));
  assert.equal(r.status, 200);
  await hub.stop();
});

test('two hubs with --port 0 get different ports', async () => {
  const [a, b] = await Promise.all([startHub(), startHub()]);
  assert.notEqual(a.port, b.port);
  await Promise.all([a.stop(), b.stop()]);
});

// ---- pings and peer timeout ----------------------------------------------------

test('--ping-interval 1: a ws client sees the hub\'s pings, about a second apart', async () => {
  const hub = await startHub(['--ping-interval', '1']);
  const ws = await openWs(hub.port);
  const times = [];
  ws.on('ping', () => times.push(Date.now()));
  const t0 = Date.now();
  while (times.length < 3 && Date.now() - t0 < ms(4000)) await sleep(50);
  assert.ok(times.length >= 3, `expected 3 pings within ${ms(4000)} ms, saw ${times.length}`);
  const gaps = times.slice(1).map((t, i) => t - times[i]);
  for (const g of gaps) assert.ok(g >= 600, `pings too close together: ${gaps.join(', ')} ms`);
  await closeWs(ws);
  await hub.stop();
});

test('--peer-timeout 2: a silent raw peer is dropped, a ws client answering pings stays', async () => {
  const hub = await startHub(['--ping-interval', '1', '--peer-timeout', '2']);
  const good = await openWs(hub.port);
  const silent = await RawWs.open(hub.port);
  const t0 = Date.now();
  const dropped = await silent.waitClosed(ms(4000));
  const dt = Date.now() - t0;
  assert.ok(dropped, 'the silent peer must be dropped');
  assert.ok(dt >= 1500, `dropped too early: ${dt} ms`);
  assert.ok(dt <= ms(3200), `dropped too late: ${dt} ms`);
  // it saw pings before it was dropped, and nothing but pings and maybe a close
  for (let f; (f = await silent.next(50));) assert.ok([OP.PING, OP.CLOSE].includes(f.opcode), `opcode ${f.opcode}`);
  await sleep(ms(1500)); // the ws client is now > 3.5 s old: past the peer timeout
  assert.equal(good.readyState, 1, 'a client that answers pings stays connected');
  good.send('{"type":"NO_SUCH_TYPE","req":"alive"}');
  assertError(await good.next(), 'UNKNOWN_TYPE', {req: 'alive'});
  silent.destroy();
  await closeWs(good);
  await hub.stop();
});

test('--peer-timeout 2: a raw peer that only sends messages is kept', async () => {
  const hub = await startHub(['--ping-interval', '1', '--peer-timeout', '2']);
  const w = await RawWs.open(hub.port);
  for (let i = 0; i < 6; i++) {
    w.text(`{"type":"NO_SUCH_TYPE","req":${i}}`);
    let m;
    while (!m) {
      const f = await w.expectFrame('a reply');
      if (f.opcode === OP.TEXT) m = JSON.parse(f.payload);
    }
    assertError(m, 'UNKNOWN_TYPE', {req: i});
    await sleep(700);
  }
  assert.equal(w.closed, false, 'activity counts as life');
  w.send({opcode: OP.CLOSE, payload: closePayload(1000)});
  await w.expectClose(1000);
  w.destroy();
  await hub.stop();
});

// ---- signals ---------------------------------------------------------------------------

async function shutdownWithClients(signal) {
  const hub = await startHub();
  const clients = await Promise.all([0, 1, 2].map(() => openWs(hub.port)));
  const mute = await RawWs.open(hub.port); // will not answer the close
  const idleHttp = await RawConn.open(hub.port);
  idleHttp.write(req('GET', '/healthz'));
  await idleHttp.response();
  const t0 = Date.now();
  const stopped = hub.stop(signal, {timeoutMs: ms(5000)});
  const codes = await Promise.all(clients.map((c) => c.closed));
  for (const c of codes) assert.equal(c.code, 1001, `${signal}: ws clients must get close 1001, got ${JSON.stringify(c)}`);
  const f = await mute.expectFrame('a close frame');
  assert.equal(f.opcode, OP.CLOSE);
  assert.equal(f.payload.readUInt16BE(0), 1001);
  const res = await stopped; // asserts exit code 0
  assert.deepEqual(res, {code: 0, signal: null});
  const dt = Date.now() - t0;
  assert.ok(dt <= ms(3000), `${signal}: exit after ${dt} ms`);
  assert.ok(await idleHttp.waitClose(ms(1000)), 'the idle HTTP connection is closed');
  mute.destroy();
  idleHttp.destroy();
}

test('SIGTERM: every WebSocket gets close 1001, exit 0 within 3 s', () => shutdownWithClients('SIGTERM'));
test('SIGINT: every WebSocket gets close 1001, exit 0 within 3 s', () => shutdownWithClients('SIGINT'));

test('SIGTERM with only ws clients that answer the close: exit well before the 2 s grace', async () => {
  const hub = await startHub();
  const clients = await Promise.all([0, 1].map(() => openWs(hub.port)));
  const t0 = Date.now();
  await hub.stop('SIGTERM');
  const dt = Date.now() - t0;
  for (const c of await Promise.all(clients.map((x) => x.closed))) assert.equal(c.code, 1001);
  assert.ok(dt < ms(1500), `every peer answered its close, yet exit took ${dt} ms`);
});

test('SIGTERM on an idle hub exits 0 at once', async () => {
  const hub = await startHub();
  const t0 = Date.now();
  await hub.stop('SIGTERM');
  assert.ok(Date.now() - t0 < ms(1000));
});

test('the hub survives a client that resets mid-response', async () => {
  const hub = await startHub();
  for (let i = 0; i < 20; i++) {
    const c = await RawConn.open(hub.port);
    c.write(req('GET', '/') + req('GET', '/healthz'));
    c.sock.resetAndDestroy ? c.sock.resetAndDestroy() : c.destroy();
  }
  await sleep(200);
  assertAlive(hub);
  const r = parseOne(await raw(hub.port, req('GET', '/healthz', {Connection: 'close'})));
  assert.equal(r.status, 200);
  await hub.stop();
});
