// RSS does not grow with traffic (SPEC §8: all memory is taken at start-up).
// Only in the release pass (FERRY_RSS=1): under valgrind or ASan, RSS measures the tool.

import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {startHub, ms, sleep} from './lib/hub.mjs';
import {RawConn, req} from './lib/net.mjs';
import {openWs, closeWs} from './lib/wsclient.mjs';

let hub;
before(async () => { hub = await startHub(); });
after(async () => { await hub?.stop(); });

const rssKb = (pid) => {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  assert.ok(m, 'VmRSS in /proc/PID/status');
  return Number(m[1]);
};

const MAX = 65536;
const big = (i) => {
  const s = `{"type":"NO_SUCH_TYPE","req":${i},"pad":""}`;
  return s.slice(0, -2) + 'x'.repeat(MAX - 16 - s.length) + '"}';
};

/**
 * The i-th message of the mix and the code it is answered with. Each connection's 8th message
 * is a big one, in the warm-up too, so that every connection's buffers are touched there.
 */
function message(i, local) {
  if (local === 7) return [big(i), 'UNKNOWN_TYPE'];
  switch (i % 10) {
    case 0: return [`nope ${i}`, 'BAD_MESSAGE'];
    case 1: return [`{"type":"NO_SUCH_TYPE","req":${i},"a":[1,2,{"b":"é😀"}]}`, 'UNKNOWN_TYPE'];
    case 2: return [`{"type":"X","type":"Y","req":${i}}`, 'BAD_MESSAGE'];
    case 3: return [`{"type":"NO_SUCH_TYPE","req":${i},"d":${'['.repeat(40)}${']'.repeat(40)}}`, 'BAD_MESSAGE'];
    default: return i % 500 === 7 ? [big(i), 'UNKNOWN_TYPE'] : [`{"type":"NO_SUCH_TYPE","req":"r${i}"}`, 'UNKNOWN_TYPE'];
  }
}

/** n messages over `conns` concurrent ws connections, each with a window of 32 in flight. */
async function traffic(n, conns) {
  const clients = await Promise.all(Array.from({length: conns}, () => openWs(hub.port)));
  const per = Math.ceil(n / conns);
  await Promise.all(clients.map(async (c, ci) => {
    let sent = 0;
    let got = 0;
    const total = Math.min(per, n - ci * per);
    const expect = [];
    const pump = () => {
      while (sent < total && sent - got < 32) {
        const [text, code] = message(ci * per + sent, sent);
        expect.push(code);
        c.send(text);
        sent++;
      }
    };
    pump();
    while (got < total) {
      const m = await c.next(ms(10000));
      assert.equal(m.code, expect[got], `connection ${ci}, message ${got}`);
      got++;
      pump();
    }
  }));
  await Promise.all(clients.map((c) => closeWs(c)));
}

/** `n` keep-alive HTTP requests over `conns` connections, in pipelined batches of 10. */
async function http(n, conns) {
  await Promise.all(Array.from({length: conns}, async () => {
    const c = await RawConn.open(hub.port);
    for (let i = 0; i < n / conns; i += 10) {
      const kinds = ['GET /healthz', 'HEAD /healthz', 'GET /nope', 'GET /', 'PUT /chunks/f/0'];
      const batch = Array.from({length: 10}, (_, j) => kinds[(i + j) % kinds.length].split(' '));
      c.write(batch.map(([m, p]) => req(m, p, m === 'PUT' ? {'Content-Length': '5'} : {}, m === 'PUT' ? 'abcde' : '')).join(''));
      await c.responses(10, batch.map((b) => b[0]), ms(5000));
    }
    c.destroy();
  }));
}

test('RSS after 100,000 messages over 50 connections equals RSS after warm-up', {timeout: ms(120000)}, async () => {
  // Warm-up with the same concurrency as the measured run (50 ws + 4 HTTP connections).
  await Promise.all([traffic(2000, 50), http(200, 4)]);
  await sleep(300);
  const before = rssKb(hub.pid);
  const t0 = Date.now();
  await Promise.all([traffic(100000, 50), http(400, 4)]);
  await sleep(300);
  const afterKb = rssKb(hub.pid);
  console.log(`# RSS before: ${before} kB, after: ${afterKb} kB (${afterKb - before >= 0 ? '+' : ''}${afterKb - before} kB), ` +
    `traffic took ${Date.now() - t0} ms`);
  assert.equal(afterKb, before, `RSS grew from ${before} kB to ${afterKb} kB`);
});
