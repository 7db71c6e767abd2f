// WebSocket at /ws with well-behaved clients: the handshake (raw, to see every header),
// the ERROR contract for every kind of text message, pings, closes, many clients at once.

import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import {randomBytes} from 'node:crypto';
import {startHub, assertAlive, ms} from './lib/hub.mjs';
import {raw, req, parseOne, parseResponses, assertErrorThenClose, assertSentence} from './lib/net.mjs';
import {acceptFor, RawWs, frame, OP} from './lib/rawws.mjs';
import {openWs, closeWs, assertError} from './lib/wsclient.mjs';

let hub;
let ws; // one shared ws client for the message-contract tests (they run in order)

before(async () => {
  hub = await startHub();
  ws = await openWs(hub.port);
});
after(async () => {
  if (ws) await closeWs(ws);
  await hub?.stop();
});

// A refusal may keep the connection open (keep-alive): stop reading at the first full response.
const oneResponse = (b) => parseResponses(b).responses.length > 0;
const key = () => randomBytes(16).toString('base64');
const upgrade = (h = {}, method = 'GET', path = '/ws') => {
  const base = {Upgrade: 'websocket', Connection: 'Upgrade', 'Sec-WebSocket-Key': key(), 'Sec-WebSocket-Version': '13'};
  return req(method, path, {...base, ...h});
};

// ---- handshake -------------------------------------------------------------

test('handshake: 101 with the right Sec-WebSocket-Accept and no Content-Length', async () => {
  const k = 'dGhlIHNhbXBsZSBub25jZQ==';
  const buf = await raw(hub.port, upgrade({'Sec-WebSocket-Key': k}), {until: (b) => b.indexOf('\r\n\r\n') >= 0});
  const head = buf.toString('latin1');
  const r = parseOne(buf, 'HEAD');
  assert.equal(r.status, 101, head);
  assert.equal(r.headers['sec-websocket-accept'], 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=', 'RFC 6455 §1.3 sample value');
  assert.equal(r.headers['sec-websocket-accept'], acceptFor(k));
  assert.match(r.headers.upgrade || '', /^websocket$/i);
  assert.match(r.headers.connection || '', /\bupgrade\b/i);
  assert.ok(!('content-length' in r.headers), '101 carries no Content-Length');
});

test('handshake: header names and tokens are case-insensitive; Connection may be a list', async () => {
  const k = key();
  const bytes = `GET /ws HTTP/1.1\r\nhost: x\r\nupgrade: WebSocket\r\nconnection: keep-alive, Upgrade\r\n` +
    `sec-websocket-key: ${k}\r\nsec-websocket-version: 13\r\n\r\n`;
  const buf = await raw(hub.port, bytes, {until: (b) => b.indexOf('\r\n\r\n') >= 0});
  const r = parseOne(buf, 'HEAD');
  assert.equal(r.status, 101, buf.toString('latin1'));
  assert.equal(r.headers['sec-websocket-accept'], acceptFor(k));
});

const refusals = {
  'missing Sec-WebSocket-Key': [{'Sec-WebSocket-Key': null}, 400],
  'Sec-WebSocket-Key not base64 of 16 bytes (too short)': [{'Sec-WebSocket-Key': 'abc'}, 400],
  'Sec-WebSocket-Key of 20 bytes': [{'Sec-WebSocket-Key': randomBytes(20).toString('base64')}, 400],
  'Sec-WebSocket-Key with bad characters': [{'Sec-WebSocket-Key': '!!!!!!!!!!!!!!!!!!!!!!=='}, 400],
  'missing Upgrade': [{Upgrade: null}, 400],
  'Upgrade: h2c': [{Upgrade: 'h2c'}, 400],
  'missing Connection: Upgrade': [{Connection: null}, 400],
  'Connection: keep-alive only': [{Connection: 'keep-alive'}, 400],
};
for (const [name, [h, status]] of Object.entries(refusals)) {
  test(`handshake refused: ${name} → ${status}`, async () => {
    const buf = await raw(hub.port, upgrade(h), {until: oneResponse});
    const r = parseOne(buf);
    assert.equal(r.status, status, `${name}: got ${r.status}`);
    assert.ok('content-length' in r.headers);
    assertSentence(r, name);
  });
}

test('handshake refused: Sec-WebSocket-Version: 8 → 426 with Sec-WebSocket-Version: 13', async () => {
  const buf = await raw(hub.port, upgrade({'Sec-WebSocket-Version': '8'}),
    {until: oneResponse});
  const r = parseOne(buf);
  assert.equal(r.status, 426);
  assert.equal(r.headers['sec-websocket-version'], '13');
});

test('handshake refused: missing Sec-WebSocket-Version → 400 or 426', async () => {
  const buf = await raw(hub.port, upgrade({'Sec-WebSocket-Version': null}),
    {until: oneResponse});
  const r = parseOne(buf);
  assert.ok([400, 426].includes(r.status), `got ${r.status}`);
});

test('POST /ws → 405', async () => {
  const buf = await raw(hub.port, upgrade({'Content-Length': '0', Connection: 'close'}, 'POST'));
  const r = parseOne(buf);
  assert.equal(r.status, 405);
});

test('GET /ws without any upgrade headers → 400 (and the connection can go on)', async () => {
  const buf = await raw(hub.port, req('GET', '/ws', {Connection: 'close'}));
  const r = parseOne(buf);
  assert.equal(r.status, 400);
});

test('HTTP/1.0 upgrade request is refused', async () => {
  const k = key();
  const buf = await raw(hub.port, `GET /ws HTTP/1.0\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    `Sec-WebSocket-Key: ${k}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
  const r = parseOne(buf);
  assert.ok(r.status >= 400 && r.status < 500, `got ${r.status}`);
});

test('a frame sent in the same write as the handshake is processed', async () => {
  const w = await RawWs.open(hub.port, {after: frame({opcode: OP.TEXT, payload: '{"type":"NO_SUCH_TYPE","req":7}'})});
  const m = await w.json();
  assertError(m, 'UNKNOWN_TYPE', {req: 7});
  w.destroy();
});

// ---- the message contract ------------------------------------------------------

async function ask(text) {
  ws.send(text);
  return ws.next();
}

test('an object with a string type → UNKNOWN_TYPE without req', async () => {
  const m = await ask('{"type":"NO_SUCH_TYPE"}');
  assertError(m, 'UNKNOWN_TYPE', {noReq: true});
  assert.deepEqual(Object.keys(m).sort(), ['code', 'message', 'type']);
});

const validReqs = [
  ['"abc"', 'abc'],
  ['""', ''],
  ['0', 0],
  ['42', 42],
  ['-7', -7],
  ['9007199254740991', 9007199254740991],
  [JSON.stringify('r'.repeat(64)), 'r'.repeat(64)],
  [JSON.stringify('é'.repeat(32)), 'é'.repeat(32)], // 64 bytes of UTF-8
  ['"a\\"b\\\\c\\u0041\\n"', 'a"b\\cA\n'],
];
for (const [src, val] of validReqs) {
  test(`UNKNOWN_TYPE echoes a valid req ${src.length > 20 ? src.slice(0, 20) + '…' : src}`, async () => {
    const m = await ask(`{"req":${src},"type":"NO_SUCH_TYPE"}`);
    assertError(m, 'UNKNOWN_TYPE', {req: val});
  });
}

test('UNKNOWN_TYPE for type strings of every shape (escapes, unicode, empty)', async () => {
  for (const t of ['"x"', '""', '"\\u0041BC"', '"日本語"', '"PING"', '"error"']) {
    const m = await ask(`{"type":${t},"req":"t"}`);
    assertError(m, 'UNKNOWN_TYPE', {req: 't', what: t});
  }
});

test('valid JSON with whitespace, nested values, all literal kinds → UNKNOWN_TYPE', async () => {
  const m = await ask(' \t\r\n{ "type" : "NO_SUCH_TYPE" , "a" : [1, -2.5e3, 0.0, true, false, null, {"b":"\\ud83d\\ude00"}], "req" : 5 } \n');
  assertError(m, 'UNKNOWN_TYPE', {req: 5});
});

test('depth 32 is accepted (the message object counts as 1)', async () => {
  const m = await ask('{"type":"NO_SUCH_TYPE","req":32,"a":' + '['.repeat(31) + ']'.repeat(31) + '}');
  assertError(m, 'UNKNOWN_TYPE', {req: 32});
});

test('depth 32 with nested objects is accepted', async () => {
  let v = '1';
  for (let i = 0; i < 31; i++) v = `{"k":${v}}`;
  const m = await ask(`{"type":"NO_SUCH_TYPE","req":"d","a":${v}}`);
  assertError(m, 'UNKNOWN_TYPE', {req: 'd'});
});

const bad = {
  'not JSON': 'hello',
  'empty message': '',
  'truncated object': '{"type":"NO_SUCH_TYPE"',
  'array': '[]',
  'array holding an object': '[{"type":"NO_SUCH_TYPE"}]',
  'number': '42',
  'string': '"NO_SUCH_TYPE"',
  'null': 'null',
  'empty object (no type)': '{}',
  'type is a number': '{"type":1}',
  'type is null': '{"type":null}',
  'type is an object': '{"type":{}}',
  'duplicate keys': '{"type":"A","type":"B"}',
  'duplicate non-type keys': '{"type":"NO_SUCH_TYPE","a":1,"a":2}',
  'duplicate keys spelled with escapes': '{"type":"NO_SUCH_TYPE","ab":1,"a\\u0062":2}',
  'depth 33': '{"type":"NO_SUCH_TYPE","a":' + '['.repeat(32) + ']'.repeat(32) + '}',
  'depth 1000': '{"type":"NO_SUCH_TYPE","a":' + '['.repeat(1000) + ']'.repeat(1000) + '}',
  'NaN': '{"type":"NO_SUCH_TYPE","n":NaN}',
  'Infinity': '{"type":"NO_SUCH_TYPE","n":Infinity}',
  'leading zero': '{"type":"NO_SUCH_TYPE","n":01}',
  'plus sign': '{"type":"NO_SUCH_TYPE","n":+1}',
  'bare minus': '{"type":"NO_SUCH_TYPE","n":-}',
  'trailing dot': '{"type":"NO_SUCH_TYPE","n":1.}',
  'leading dot': '{"type":"NO_SUCH_TYPE","n":.5}',
  'trailing comma': '{"type":"NO_SUCH_TYPE",}',
  'single quotes': "{'type':'NO_SUCH_TYPE'}",
  'unquoted key': '{type:"NO_SUCH_TYPE"}',
  'raw control character in a string': '{"type":"NO_\u0001TYPE"}',
  'raw tab in a string': '{"type":"NO\tTYPE"}',
  'bad escape': '{"type":"NO_\\xTYPE"}',
  'short unicode escape': '{"type":"\\u12"}',
  'trailing garbage': '{"type":"NO_SUCH_TYPE"} x',
  'two objects': '{"type":"NO_SUCH_TYPE"}{"type":"NO_SUCH_TYPE"}',
  'comment': '{"type":"NO_SUCH_TYPE"/* c */}',
  'TRUE in caps': '{"type":"NO_SUCH_TYPE","b":TRUE}',
};
for (const [name, text] of Object.entries(bad)) {
  test(`BAD_MESSAGE: ${name}`, async () => {
    const m = await ask(text);
    assertError(m, 'BAD_MESSAGE', {noReq: true, what: name});
  });
}

const badReqs = {
  'a 65-byte string': JSON.stringify('r'.repeat(65)),
  'a 66-byte UTF-8 string of 33 characters': JSON.stringify('é'.repeat(33)),
  'a fraction 1.5': '1.5',
  'an object': '{}',
  'an array': '[1]',
  'true': 'true',
  'null': 'null',
};
for (const [name, src] of Object.entries(badReqs)) {
  test(`BAD_MESSAGE without req when req is ${name}`, async () => {
    const m = await ask(`{"type":"NO_SUCH_TYPE","req":${src}}`);
    assertError(m, 'BAD_MESSAGE', {noReq: true, what: name});
  });
}

test('BAD_MESSAGE for a missing or non-string type echoes a valid req', async () => {
  for (const [text, r] of [['{"req":"r1"}', 'r1'], ['{"type":5,"req":77}', 77], ['{"req":"x","type":["A"]}', 'x']]) {
    const m = await ask(text);
    assertError(m, 'BAD_MESSAGE', {req: r, what: text});
  }
});

test('the connection stays open after many ERRORs and answers in order', async () => {
  const texts = ['nope', '{"type":"NO_SUCH_TYPE","req":1}', '[]', '{"type":"NO_SUCH_TYPE","req":"two"}', '{"type":1}'];
  for (let round = 0; round < 20; round++) for (const t of texts) ws.send(t);
  for (let round = 0; round < 20; round++) {
    assertError(await ws.next(), 'BAD_MESSAGE', {noReq: true});
    assertError(await ws.next(), 'UNKNOWN_TYPE', {req: 1});
    assertError(await ws.next(), 'BAD_MESSAGE', {noReq: true});
    assertError(await ws.next(), 'UNKNOWN_TYPE', {req: 'two'});
    assertError(await ws.next(), 'BAD_MESSAGE', {noReq: true});
  }
  assert.equal(ws.readyState, 1);
});

test('a 60 KB message within the default --max-message is answered', async () => {
  const m = await ask(JSON.stringify({type: 'NO_SUCH_TYPE', req: 'big', pad: 'é'.repeat(30000)}));
  assertError(m, 'UNKNOWN_TYPE', {req: 'big'});
});

test('a ping with payload gets a pong with the same payload', async () => {
  const payload = Buffer.from('ferry-ping-' + randomBytes(8).toString('hex'));
  const pong = new Promise((res) => ws.once('pong', res));
  ws.ping(payload);
  const got = await Promise.race([pong, new Promise((r) => setTimeout(() => r(null), ms(2000)))]);
  assert.ok(got, 'no pong');
  assert.deepEqual(got, payload);
});

test('client close 1000: the server echoes 1000 and closes TCP', async () => {
  const w = await openWs(hub.port);
  w.send('{"type":"NO_SUCH_TYPE","req":1}');
  assertError(await w.next(), 'UNKNOWN_TYPE', {req: 1});
  const closedTcp = new Promise((res) => w._socket.once('close', res));
  w.close(1000, 'bye');
  const c = await w.closed;
  assert.equal(c.code, 1000);
  const t = await Promise.race([closedTcp.then(() => true), new Promise((r) => setTimeout(() => r(false), ms(2000)))]);
  assert.ok(t, 'the TCP connection must be closed');
});

test('50 ws clients at once all get their own answers', async () => {
  const clients = await Promise.all(Array.from({length: 50}, () => openWs(hub.port)));
  await Promise.all(clients.map(async (c, i) => {
    for (let j = 0; j < 5; j++) c.send(JSON.stringify({type: 'NO_SUCH_TYPE', req: `c${i}-${j}`}));
    for (let j = 0; j < 5; j++) assertError(await c.next(ms(5000)), 'UNKNOWN_TYPE', {req: `c${i}-${j}`});
  }));
  const codes = await Promise.all(clients.map((c) => closeWs(c)));
  assert.ok(codes.every((c) => c && c.code === 1000), JSON.stringify(codes));
  assertAlive(hub);
});

test('HTTP keeps working on the same hub while WebSockets are open', async () => {
  const r = parseOne(await raw(hub.port, req('GET', '/healthz', {Connection: 'close'})));
  assert.equal(r.status, 200);
  const u = await raw(hub.port, 'GET /ws HTTP/1.1\r\nHost: x\nUpgrade: websocket\r\n\r\n');
  assertErrorThenClose(u, 400, 'bare LF in an upgrade request');
});
