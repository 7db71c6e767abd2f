// RFC 6455 framing, driven by a raw client: every protocol violation closes with the RFC's
// code (1002, 1003, 1007, 1009) followed by the server closing TCP; legal but unusual framing
// (fragments, interleaved pings, byte-at-a-time headers, split UTF-8) is answered.
// The hub runs with --max-message 1024.

import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import {startHub, assertAlive, ms, sleep} from './lib/hub.mjs';
import {RawWs, OP, frame, closePayload} from './lib/rawws.mjs';
import {assertError} from './lib/wsclient.mjs';

let hub;
before(async () => { hub = await startHub(['--max-message', '1024']); });
after(async () => { await hub?.stop(); });

const open = () => RawWs.open(hub.port);

/** A JSON message of exactly n bytes: {"type":"NO_SUCH_TYPE","req":R,"pad":"xxx…"}. */
function sized(n, req = 1) {
  const s = `{"type":"NO_SUCH_TYPE","req":${req},"pad":""}`;
  assert.ok(n >= s.length);
  return s.slice(0, -2) + 'x'.repeat(n - s.length) + '"}';
}

/** Open, send the frames, expect close `code` then TCP close. */
async function violation(frames, code, what) {
  const w = await open();
  // A good message first: the connection is healthy before the violation.
  w.text('{"type":"NO_SUCH_TYPE","req":"pre"}');
  assertError(await w.json(), 'UNKNOWN_TYPE', {req: 'pre'});
  for (const f of frames) Buffer.isBuffer(f) ? w.sendRaw(f) : w.send(f);
  await w.expectClose(code, what);
  w.destroy();
}

// ---- answered ------------------------------------------------------------------

test('a 1024-byte message is answered at --max-message 1024', async () => {
  const w = await open();
  w.text(sized(1024, 1024));
  assertError(await w.json(), 'UNKNOWN_TYPE', {req: 1024});
  w.destroy();
});

test('a 1024-byte message in three fragments is answered', async () => {
  const w = await open();
  const s = Buffer.from(sized(1024, 3));
  w.send({opcode: OP.TEXT, fin: false, payload: s.subarray(0, 100)});
  w.send({opcode: OP.CONT, fin: false, payload: s.subarray(100, 900)});
  w.send({opcode: OP.CONT, fin: true, payload: s.subarray(900)});
  assertError(await w.json(), 'UNKNOWN_TYPE', {req: 3});
  w.destroy();
});

test('a message in 1-byte fragments (and empty ones) is reassembled', async () => {
  const w = await open();
  const s = Buffer.from('{"type":"NO_SUCH_TYPE","req":"frag"}');
  w.send({opcode: OP.TEXT, fin: false, payload: Buffer.alloc(0)});
  for (let i = 0; i < s.length; i++) w.send({opcode: OP.CONT, fin: false, payload: s.subarray(i, i + 1)});
  w.send({opcode: OP.CONT, fin: true, payload: Buffer.alloc(0)});
  assertError(await w.json(), 'UNKNOWN_TYPE', {req: 'frag'});
  w.destroy();
});

test('a frame written one byte at a time is answered', async () => {
  const w = await open();
  const f = frame({opcode: OP.TEXT, payload: sized(300, 4)});
  for (let i = 0; i < f.length; i++) {
    w.sendRaw(f.subarray(i, i + 1));
    if (i < 16 || i % 50 === 0) await sleep(2);
  }
  assertError(await w.json(), 'UNKNOWN_TYPE', {req: 4});
  w.destroy();
});

test('ten frames in one write get ten answers in order', async () => {
  const w = await open();
  const fs = [];
  for (let i = 0; i < 10; i++) fs.push(frame({opcode: OP.TEXT, payload: `{"type":"NO_SUCH_TYPE","req":${i}}`}));
  w.sendRaw(Buffer.concat(fs));
  for (let i = 0; i < 10; i++) assertError(await w.json(), 'UNKNOWN_TYPE', {req: i});
  w.destroy();
});

test('a 16-bit length for a 200-byte message and a 64-bit length for a 300-byte one are accepted', async () => {
  const w = await open();
  w.send({opcode: OP.TEXT, payload: sized(200, 16), lenForm: 16});
  assertError(await w.json(), 'UNKNOWN_TYPE', {req: 16});
  w.send({opcode: OP.TEXT, payload: sized(300, 64), lenForm: 64});
  assertError(await w.json(), 'UNKNOWN_TYPE', {req: 64});
  w.destroy();
});

test('ping with payload → pong with the same payload; 125 bytes and empty too', async () => {
  const w = await open();
  for (const p of [Buffer.from('hello ferry'), Buffer.alloc(125, 0xab), Buffer.alloc(0)]) {
    w.send({opcode: OP.PING, payload: p});
    const f = await w.expectFrame('a pong');
    assert.equal(f.opcode, OP.PONG);
    assert.equal(f.fin, true);
    assert.deepEqual(f.payload, p);
  }
  w.destroy();
});

test('fragmented text with a ping in between: pong first, then the reply to the whole message', async () => {
  const w = await open();
  const s = Buffer.from('{"type":"NO_SUCH_TYPE","req":"between"}');
  w.send({opcode: OP.TEXT, fin: false, payload: s.subarray(0, 10)});
  w.send({opcode: OP.PING, payload: 'mid'});
  const pong = await w.expectFrame('a pong');
  assert.equal(pong.opcode, OP.PONG);
  assert.equal(pong.payload.toString(), 'mid');
  w.send({opcode: OP.CONT, fin: true, payload: s.subarray(10)});
  assertError(await w.json(), 'UNKNOWN_TYPE', {req: 'between'});
  w.destroy();
});

test('an unsolicited pong is ignored', async () => {
  const w = await open();
  w.send({opcode: OP.PONG, payload: 'whatever'});
  w.text('{"type":"NO_SUCH_TYPE","req":"after-pong"}');
  assertError(await w.json(), 'UNKNOWN_TYPE', {req: 'after-pong'});
  w.destroy();
});

test('UTF-8 split across fragments inside a character is accepted', async () => {
  const w = await open();
  const s = Buffer.from('{"type":"NO_SUCH_TYPE","req":"u","s":"€😀"}');
  const cut1 = s.indexOf(0xe2) + 1; // inside the 3-byte €
  const cut2 = s.indexOf(0xf0) + 2; // inside the 4-byte emoji
  w.send({opcode: OP.TEXT, fin: false, payload: s.subarray(0, cut1)});
  w.send({opcode: OP.CONT, fin: false, payload: s.subarray(cut1, cut2)});
  w.send({opcode: OP.CONT, fin: true, payload: s.subarray(cut2)});
  assertError(await w.json(), 'UNKNOWN_TYPE', {req: 'u'});
  w.destroy();
});

test('client close 1000 with a reason: the server echoes 1000 and closes TCP', async () => {
  const w = await open();
  w.send({opcode: OP.CLOSE, payload: closePayload(1000, 'done')});
  await w.expectClose(1000, 'client close 1000');
  w.destroy();
});

test('client close with an empty payload: the server answers with a close and closes TCP', async () => {
  const w = await open();
  w.send({opcode: OP.CLOSE});
  const f = await w.expectFrame('a close frame');
  assert.equal(f.opcode, OP.CLOSE);
  assert.ok(f.payload.length === 0 || f.payload.readUInt16BE(0) === 1000, 'empty close or 1000');
  assert.ok(await w.waitClosed(), 'TCP closed');
  w.destroy();
});

test('client close with codes 1001, 3000, 4999: a close frame back and TCP closed', async () => {
  for (const code of [1001, 3000, 4999]) {
    const w = await open();
    w.send({opcode: OP.CLOSE, payload: closePayload(code)});
    await w.expectClose([code, 1000], `client close ${code}`);
    w.destroy();
  }
});

// ---- closes ------------------------------------------------------------------

test('binary message → close 1003', () =>
  violation([{opcode: OP.BINARY, payload: Buffer.from([1, 2, 3])}], 1003, 'binary'));

test('fragmented binary message → close 1003', () =>
  violation([{opcode: OP.BINARY, fin: false, payload: 'ab'}, {opcode: OP.CONT, payload: 'cd'}], 1003, 'binary fragments'));

test('1025-byte message → close 1009', () =>
  violation([{opcode: OP.TEXT, payload: sized(1025)}], 1009, '1025 bytes'));

test('1025 bytes across fragments → close 1009', async () => {
  const s = Buffer.from(sized(1025));
  await violation([
    {opcode: OP.TEXT, fin: false, payload: s.subarray(0, 500)},
    {opcode: OP.CONT, fin: false, payload: s.subarray(500, 1000)},
    {opcode: OP.CONT, fin: true, payload: s.subarray(1000)},
  ], 1009, '1025 bytes in fragments');
});

test('a frame header announcing 2^40 bytes → close 1009 without waiting for the payload', async () => {
  const w = await open();
  w.sendRaw(frame({opcode: OP.TEXT, payload: Buffer.alloc(0), length: 2n ** 40n}).subarray(0, 14));
  await w.expectClose(1009, 'huge length');
  w.destroy();
});

test('a 64-bit length with the top bit set → close 1002 or 1009', async () => {
  const w = await open();
  w.sendRaw(frame({opcode: OP.TEXT, payload: Buffer.alloc(0), length: 2n ** 63n}).subarray(0, 14));
  await w.expectClose([1002, 1009], 'length with MSB set');
  w.destroy();
});

// Each bad sequence sits inside a JSON string, except the last, which ends the message.
const inString = (bytes) => Buffer.concat([Buffer.from('{"type":"NO_SUCH_TYPE","s":"'), Buffer.from(bytes), Buffer.from('"}')]);
const invalidUtf8 = {
  'a lone continuation byte': inString([0x80]),
  'an overlong "/" (C0 AF)': inString([0xc0, 0xaf]),
  'an overlong 3-byte NUL (E0 80 80)': inString([0xe0, 0x80, 0x80]),
  'a UTF-16 surrogate (ED A0 80)': inString([0xed, 0xa0, 0x80]),
  'a code point above U+10FFFF (F4 90 80 80)': inString([0xf4, 0x90, 0x80, 0x80]),
  'an FF byte': inString([0xff]),
  'a message ending inside a character (E2 82)': Buffer.from([...Buffer.from('{"type":"x"} '), 0xe2, 0x82]),
};
for (const [name, payload] of Object.entries(invalidUtf8)) {
  test(`invalid UTF-8 (${name}) → close 1007`, () =>
    violation([{opcode: OP.TEXT, payload}], 1007, name));
}

test('invalid UTF-8 split across fragments → close 1007', () => {
  // E2 82 is a valid start of €; the next fragment continues with 41 ("A"): invalid.
  return violation([
    {opcode: OP.TEXT, fin: false, payload: Buffer.from([0x7b, 0x22, 0xe2, 0x82])},
    {opcode: OP.CONT, fin: true, payload: Buffer.from([0x41, 0x22, 0x7d])},
  ], 1007, 'split invalid UTF-8');
});

test('a message that ends inside a UTF-8 character (split) → close 1007', () => {
  return violation([
    {opcode: OP.TEXT, fin: false, payload: Buffer.from('{"type":"NO_SUCH_TYPE"} ')},
    {opcode: OP.CONT, fin: true, payload: Buffer.from([0xf0, 0x9f])},
  ], 1007, 'message ends mid-character');
});

test('unmasked frame → close 1002', () =>
  violation([{opcode: OP.TEXT, payload: '{"type":"NO_SUCH_TYPE"}', mask: false}], 1002, 'unmasked'));

test('unmasked ping → close 1002', () =>
  violation([{opcode: OP.PING, payload: 'x', mask: false}], 1002, 'unmasked ping'));

for (const [name, rsv] of [['RSV1', 4], ['RSV2', 2], ['RSV3', 1]]) {
  test(`${name} set → close 1002`, () =>
    violation([{opcode: OP.TEXT, rsv, payload: '{"type":"NO_SUCH_TYPE"}'}], 1002, name));
}

for (const op of [0x3, 0x7, 0xb, 0xf]) {
  test(`reserved opcode 0x${op.toString(16)} → close 1002`, () =>
    violation([{opcode: op, payload: 'x'}], 1002, `opcode ${op}`));
}

test('continuation without a start → close 1002', () =>
  violation([{opcode: OP.CONT, payload: '{"type":"NO_SUCH_TYPE"}'}], 1002, 'orphan continuation'));

test('a new text frame inside a fragmented message → close 1002', () =>
  violation([
    {opcode: OP.TEXT, fin: false, payload: '{"type":'},
    {opcode: OP.TEXT, fin: true, payload: '"NO_SUCH_TYPE"}'},
  ], 1002, 'text inside fragmented'));

test('a binary frame inside a fragmented text message → close 1002', () =>
  violation([
    {opcode: OP.TEXT, fin: false, payload: '{"type":'},
    {opcode: OP.BINARY, fin: true, payload: '"x"}'},
  ], [1002], 'binary inside fragmented'));

test('a fragmented ping → close 1002', () =>
  violation([{opcode: OP.PING, fin: false, payload: 'x'}], 1002, 'fragmented ping'));

test('a ping of 126 bytes → close 1002', () =>
  violation([{opcode: OP.PING, payload: Buffer.alloc(126, 0x61)}], 1002, '126-byte ping'));

test('a close frame of 126 bytes → close 1002', () =>
  violation([{opcode: OP.CLOSE, payload: closePayload(1000, 'r'.repeat(124))}], 1002, '126-byte close'));

test('a close frame with a 1-byte payload → close 1002', () =>
  violation([{opcode: OP.CLOSE, payload: Buffer.from([0x03])}], 1002, '1-byte close'));

for (const code of [999, 1004, 1005, 1006, 1015, 2000, 2999, 5000, 65535]) {
  test(`a close frame with invalid code ${code} → close 1002`, () =>
    violation([{opcode: OP.CLOSE, payload: closePayload(code)}], 1002, `close code ${code}`));
}

test('a close frame whose reason is invalid UTF-8 → close 1007 (or 1002)', () =>
  violation([{opcode: OP.CLOSE, payload: Buffer.concat([closePayload(1000), Buffer.from([0xff, 0xfe])])}],
    [1007, 1002], 'close reason not UTF-8'));

test('the hub is still healthy after all the violations', async () => {
  assertAlive(hub);
  const w = await open();
  w.text('{"type":"NO_SUCH_TYPE","req":"end"}');
  assertError(await w.json(), 'UNKNOWN_TYPE', {req: 'end'});
  w.send({opcode: OP.CLOSE, payload: closePayload(1000)});
  await w.expectClose(1000);
  w.destroy();
});
