// The `ws` package as an independent, well-behaved client, with a queue of received messages.

import WebSocket from 'ws';
import assert from 'node:assert/strict';
import {HOST, WS_SCHEME, ms} from './hub.mjs';

export {WebSocket};

/** URL of the hub's WebSocket endpoint. */
export const wsUrl = (port, path = '/ws') => `${WS_SCHEME}://${HOST}:${port}${path}`;

/**
 * Open a `ws` client; resolves when open. The returned socket has:
 *   next(timeoutMs) → the next message parsed as JSON
 *   closed          → a promise of {code, reason} when it closes
 *   pings           → number of pings received
 */
export function openWs(port, {timeoutMs = ms(5000), ...opts} = {}) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl(port), {rejectUnauthorized: false, ...opts});
    const queue = [];
    const waiters = [];
    ws.pings = 0;
    ws.on('ping', () => { ws.pings++; });
    ws.closed = new Promise((res) => {
      ws.on('close', (code, reason) => {
        res({code, reason: reason.toString()});
        while (waiters.length) waiters.shift()(null);
      });
    });
    ws.on('message', (data, isBinary) => {
      const m = {data, isBinary};
      if (waiters.length) waiters.shift()(m);
      else queue.push(m);
    });
    ws.nextRaw = (t = ms(3000)) => {
      if (queue.length) return Promise.resolve(queue.shift());
      if (ws.readyState === WebSocket.CLOSED) return Promise.resolve(null);
      return new Promise((res) => {
        const w = (m) => { clearTimeout(timer); res(m); };
        const timer = setTimeout(() => {
          const i = waiters.indexOf(w);
          if (i >= 0) waiters.splice(i, 1);
          res(null);
        }, t);
        waiters.push(w);
      });
    };
    ws.next = async (t = ms(3000)) => {
      const m = await ws.nextRaw(t);
      assert.ok(m, `expected a message from the hub (socket state ${ws.readyState})`);
      assert.equal(m.isBinary, false, 'the hub must answer with text messages');
      return JSON.parse(m.data.toString('utf8'));
    };
    const timer = setTimeout(() => { ws.terminate(); reject(new Error('ws open timed out')); }, timeoutMs);
    ws.once('open', () => { clearTimeout(timer); resolve(ws); });
    ws.once('error', (e) => { clearTimeout(timer); reject(e); });
    ws.once('unexpected-response', (_req, res) => {
      clearTimeout(timer);
      reject(new Error(`ws handshake refused: ${res.statusCode}`));
    });
  });
}

/** Close a ws client and wait for the close to finish; returns {code, reason}. */
export async function closeWs(ws, code = 1000) {
  if (ws.readyState === WebSocket.OPEN) ws.close(code);
  let timer;
  const r = await Promise.race([ws.closed, new Promise((res) => { timer = setTimeout(() => res(null), ms(3000)); })]);
  clearTimeout(timer);
  if (!r) ws.terminate();
  return r;
}

/** Assert a hub ERROR reply: code, a readable message, and req present/absent as given. */
export function assertError(msg, code, {req, noReq = false, what = ''} = {}) {
  assert.equal(msg.type, 'ERROR', `${what}: expected an ERROR, got ${JSON.stringify(msg)}`);
  assert.equal(msg.code, code, `${what}: expected ${code}, got ${JSON.stringify(msg)}`);
  assert.equal(typeof msg.message, 'string', `${what}: ERROR.message must be a string`);
  assert.match(msg.message, /^\S.* .*[.!]$/s, `${what}: ERROR.message must be a sentence: ${JSON.stringify(msg.message)}`);
  if (req !== undefined) assert.deepEqual(msg.req, req, `${what}: req must be echoed: ${JSON.stringify(msg)}`);
  if (noReq) assert.ok(!('req' in msg), `${what}: no req expected: ${JSON.stringify(msg)}`);
}
