// Hostile input from many peers at once never crashes the hub and never costs
// a well-behaved client its connection or its answers.
//
// Hundreds of connections send random bytes, mutated HTTP requests, and valid
// WebSocket handshakes followed by random frames, while a `ws` client keeps
// talking to the hub. The inputs come from a seeded generator; the seed is
// printed, and FERRY_GARBAGE_SEED replays a run.

import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import {randomBytes} from 'node:crypto';
import {startHub, assertAlive, ms, sleep, SLOW} from './lib/hub.mjs';
import {RawConn, req, parseOne, raw} from './lib/net.mjs';
import {frame} from './lib/rawws.mjs';
import {openWs, closeWs} from './lib/wsclient.mjs';

const SEED = Number(process.env.FERRY_GARBAGE_SEED || (Date.now() % 1e9));
const ROUNDS = SLOW > 1 ? 120 : 600;
const PARALLEL = 24;

// xorshift32: small, seeded, reproducible.
let state = SEED >>> 0 || 1;
const rnd = () => {
  state ^= state << 13; state >>>= 0;
  state ^= state >>> 17;
  state ^= state << 5; state >>>= 0;
  return state / 4294967296;
};
const int = (n) => Math.floor(rnd() * n);
const bytes = (n) => Buffer.from(Array.from({length: n}, () => int(256)));
const pick = (a) => a[int(a.length)];

const VALID = [
  req('GET', '/healthz'),
  req('HEAD', '/healthz'),
  req('PUT', '/chunks/f/0', {'Content-Length': '10'}, '0123456789'),
  req('GET', '/ws', {Upgrade: 'websocket', Connection: 'Upgrade', 'Sec-WebSocket-Version': '13',
    'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ=='}),
  req('GET', '/metrics'),
];

function mutate(buf) {
  const b = Buffer.from(buf);
  const edits = 1 + int(6);
  let out = b;
  for (let i = 0; i < edits; i++) {
    const at = int(out.length + 1);
    switch (int(5)) {
      case 0: if (out.length) out[Math.min(at, out.length - 1)] = int(256); break; // flip a byte
      case 1: out = Buffer.concat([out.subarray(0, at), bytes(1 + int(8)), out.subarray(at)]); break;
      case 2: out = Buffer.concat([out.subarray(0, at), out.subarray(Math.min(out.length, at + 1 + int(8)))]); break;
      case 3: out = Buffer.concat([out.subarray(0, at), Buffer.from(pick(['\n', '\r', ' ', '\t', ':', '\0', '\r\n', '\r\n\r\n'])), out.subarray(at)]); break;
      case 4: out = out.subarray(0, at); break; // truncate
    }
  }
  return out;
}

function randomFrames() {
  const parts = [];
  const n = 1 + int(6);
  for (let i = 0; i < n; i++) {
    const opcode = int(16);
    const len = pick([0, 1, 2, 125, 126, 127, int(300), int(5000)]);
    parts.push(frame({
      opcode,
      payload: int(2) ? bytes(len) : Buffer.from('{"type":"X","req":' + int(100) + '}'),
      fin: int(4) !== 0,
      rsv: int(8) === 0 ? int(8) : 0,
      mask: int(10) !== 0,
    }));
  }
  const all = Buffer.concat(parts);
  return int(3) === 0 ? mutate(all) : all;
}

const HANDSHAKE = (key) => Buffer.from(req('GET', '/ws', {Upgrade: 'websocket', Connection: 'Upgrade',
  'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': key}), 'latin1');

function garbage() {
  switch (int(5)) {
    case 0: return bytes(1 + int(4096));
    case 1: return mutate(Buffer.from(pick(VALID), 'latin1'));
    case 2: return Buffer.concat([HANDSHAKE(randomBytes(16).toString('base64')), randomFrames()]);
    case 3: return Buffer.concat(Array.from({length: 1 + int(20)}, () => Buffer.from(pick(VALID), 'latin1')));
    default: return Buffer.alloc(0); // connect and go away
  }
}

let hub;
before(async () => {
  hub = await startHub(['--max-message', '4096', '--max-per-address', '128', '--max-clients', '128']);
});
after(async () => {
  await hub?.stop();
});

async function hostile() {
  let c;
  try {
    c = await RawConn.open(hub.port);
  } catch {
    return; // the hub may be at its limits for a moment; that is allowed
  }
  const g = garbage();
  if (g.length) c.write(g);
  await c.waitClose(ms(int(3) === 0 ? 50 : 600));
  if (int(2) && !c.closed) {
    c.sock.resetAndDestroy(); // abrupt: RST while the hub may still be writing
  } else {
    c.end();
    c.destroy();
  }
}

test(`hostile peers never crash the hub or disturb a good client (seed ${SEED})`, async () => {
  console.log(`# garbage seed ${SEED} (FERRY_GARBAGE_SEED=${SEED} replays it)`);
  const good = await openWs(hub.port);
  let sent = 0;
  let answered = 0;
  let stop = false;
  const talker = (async () => {
    while (!stop) {
      good.send(JSON.stringify({type: 'STILL_HERE', req: sent}));
      const m = await good.next(ms(5000));
      assert.equal(m.type, 'ERROR');
      assert.equal(m.code, 'UNKNOWN_TYPE');
      assert.equal(m.req, sent, 'answers stay in order');
      sent++;
      answered++;
      await sleep(20);
    }
  })();

  let done = 0;
  const worker = async () => {
    while (done < ROUNDS) {
      done++;
      await hostile();
    }
  };
  await Promise.all(Array.from({length: PARALLEL}, worker));
  stop = true;
  await talker;

  assertAlive(hub);
  assert.ok(answered > 10, `the good client kept being answered (${answered})`);
  assert.equal(good.readyState, 1, 'the good client is still connected');
  const r = parseOne(await raw(hub.port, req('GET', '/healthz', {Connection: 'close'})));
  assert.equal(r.status, 200);
  await closeWs(good);
});
