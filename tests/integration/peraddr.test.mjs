// --max-per-address: one device (one peer address) cannot take every slot.

import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import {startHub, ms, sleep, HOST} from './lib/hub.mjs';
import {RawConn, req, parseOne, assertSentence} from './lib/net.mjs';

let hub;
before(async () => {
  hub = await startHub(['--max-clients', '8', '--max-per-address', '2']);
});
after(async () => {
  await hub?.stop();
});

const fromAddress = (localAddress) => new Promise((resolve, reject) => {
  const s = net.connect({port: hub.port, host: HOST, localAddress}, () => resolve(new RawConn(s)));
  s.once('error', reject);
});

test('a third connection from one address gets 503 and is closed; others are unaffected', async () => {
  const a = await RawConn.open(hub.port);
  const b = await RawConn.open(hub.port);
  for (const c of [a, b]) {
    c.write(req('GET', '/healthz'));
    assert.equal((await c.response()).status, 200);
  }
  const third = await RawConn.open(hub.port);
  await third.waitClose(ms(3000));
  const r = parseOne(third.take());
  assert.equal(r.status, 503, 'over the per-address limit');
  assert.equal(r.headers['connection'], 'close');
  assertSentence(r, '503');
  assert.ok(third.closed, 'the refused connection is closed');

  // Another address on the same machine is its own device.
  const other = await fromAddress('127.0.0.2');
  other.write(req('GET', '/healthz'));
  assert.equal((await other.response()).status, 200, 'a different address is served');

  // The first two are still served, and a slot freed is a slot to use again.
  a.write(req('GET', '/healthz'));
  assert.equal((await a.response()).status, 200);
  b.destroy();
  await sleep(ms(200));
  const again = await RawConn.open(hub.port);
  again.write(req('GET', '/healthz'));
  assert.equal((await again.response()).status, 200, 'served again once one closed');
  for (const c of [a, again, other, third]) c.destroy();
});
