// Raw TCP helpers and an independent HTTP/1.1 response parser.
//
// These speak bytes, not HTTP objects, so tests can send what no HTTP library would
// (bare LF, obs-fold, 9000-byte request lines, trickled heads) and see exactly what comes back.

import net from 'node:net';
import tls from 'node:tls';
import assert from 'node:assert/strict';
import {HOST, TLS, ms} from './hub.mjs';

/** Open a socket to the hub (TLS when the suite runs over TLS). Resolves once connected. */
export function connect(port, host = HOST) {
  return new Promise((resolve, reject) => {
    const s = TLS
      ? tls.connect({port, host, rejectUnauthorized: false}, () => resolve(s))
      : net.connect({port, host}, () => resolve(s));
    s.once('error', reject);
  });
}

/**
 * Send `bytes` on a fresh connection and collect everything until the server closes,
 * `until(buf)` says enough, or `timeoutMs` passes.
 * @returns {Promise<Buffer>} the bytes, with `.closed` (server closed or reset) and
 *   `.timedOut` set, and `.elapsed` in ms from the write to the end.
 */
export async function raw(port, bytes, {until, timeoutMs = ms(3000)} = {}) {
  const c = await RawConn.open(port);
  const t0 = Date.now();
  c.write(bytes);
  const closed = await c.waitClose(timeoutMs, until);
  const buf = c.take();
  buf.closed = c.closed;
  buf.timedOut = !closed && !(until && until(buf));
  buf.elapsed = Date.now() - t0;
  c.destroy();
  return buf;
}

/** A connection that buffers what it receives and lets a test wait on it. */
export class RawConn {
  static async open(port, host = HOST) {
    return new RawConn(await connect(port, host));
  }

  constructor(sock) {
    this.sock = sock;
    this.buf = Buffer.alloc(0);
    this.closed = false;
    this.error = null;
    this.waiters = new Set();
    sock.on('data', (d) => { this.buf = Buffer.concat([this.buf, d]); this.#wake(); });
    sock.on('end', () => { this.closed = true; this.#wake(); });
    sock.on('close', () => { this.closed = true; this.#wake(); });
    sock.on('error', (e) => { this.error = e; this.closed = true; this.#wake(); });
  }

  #wake() { for (const w of [...this.waiters]) w(); }

  write(bytes) {
    if (!this.sock.destroyed) this.sock.write(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes);
  }

  /** Resolve true when pred(this.buf) holds, false after timeoutMs or if the socket closes first. */
  wait(pred, timeoutMs = ms(3000)) {
    return new Promise((resolve) => {
      const check = () => {
        if (pred(this.buf)) { done(true); return true; }
        if (this.closed) { done(false); return true; }
        return false;
      };
      const done = (v) => { clearTimeout(timer); this.waiters.delete(check); resolve(v); };
      const timer = setTimeout(() => done(pred(this.buf)), timeoutMs);
      if (check()) return;
      this.waiters.add(check);
    });
  }

  /** Resolve true when the peer closes (or `until(buf)` holds), false on timeout. */
  waitClose(timeoutMs = ms(3000), until) {
    return new Promise((resolve) => {
      const check = () => {
        if (this.closed || (until && until(this.buf))) { done(true); return true; }
        return false;
      };
      const done = (v) => { clearTimeout(timer); this.waiters.delete(check); resolve(v); };
      const timer = setTimeout(() => done(false), timeoutMs);
      if (check()) return;
      this.waiters.add(check);
    });
  }

  /** Wait for `n` complete HTTP responses (given the request methods, for HEAD) and consume them. */
  async responses(n, methods = [], timeoutMs = ms(3000)) {
    let parsed = null;
    const ok = await this.wait((b) => {
      parsed = parseResponses(b, methods);
      return parsed.responses.length >= n;
    }, timeoutMs);
    parsed = parseResponses(this.buf, methods);
    assert.ok(ok, `expected ${n} responses, got ${parsed.responses.length}` +
      ` (closed=${this.closed}); received: ${JSON.stringify(this.buf.toString('latin1').slice(0, 600))}`);
    const rs = parsed.responses.slice(0, n);
    const used = rs.reduce((a, r) => a + r.raw.length, 0);
    this.buf = this.buf.subarray(used);
    return rs;
  }

  async response(method = 'GET', timeoutMs = ms(3000)) {
    return (await this.responses(1, [method], timeoutMs))[0];
  }

  /** Everything received so far, consumed. */
  take() {
    const b = this.buf;
    this.buf = Buffer.alloc(0);
    return b;
  }

  end() { this.sock.end(); }
  destroy() { this.sock.destroy(); }
}

/**
 * Parse as many complete HTTP/1.x responses from `buf` as it holds.
 * `methods[i]` is the method of the i-th request ("HEAD" responses have no body).
 * A response without Content-Length (other than 1xx/204/304 and HEAD) is a test failure by
 * contract, so it is reported as `noLength` and parsing stops there.
 * @returns {{responses: Array<{status, reason, version, headers, headerList, body, raw}>, rest: Buffer, error?}}
 */
export function parseResponses(buf, methods = []) {
  const responses = [];
  let off = 0;
  for (;;) {
    const end = buf.indexOf('\r\n\r\n', off, 'latin1');
    if (end < 0) break;
    const head = buf.subarray(off, end).toString('latin1');
    const lines = head.split('\r\n');
    const m = /^(HTTP\/\d\.\d) (\d{3}) ?(.*)$/.exec(lines[0]);
    if (!m) return {responses, rest: buf.subarray(off), error: `bad status line ${JSON.stringify(lines[0])}`};
    const headers = {};
    const headerList = [];
    for (const l of lines.slice(1)) {
      const i = l.indexOf(':');
      if (i <= 0) return {responses, rest: buf.subarray(off), error: `bad header line ${JSON.stringify(l)}`};
      const k = l.slice(0, i).toLowerCase();
      const v = l.slice(i + 1).trim();
      headerList.push([k, v]);
      headers[k] = k in headers ? headers[k] + ', ' + v : v;
    }
    const status = Number(m[2]);
    const method = methods[responses.length] || 'GET';
    let bodyLen = 0;
    const noBody = method === 'HEAD' || (status >= 100 && status < 200) || status === 204 || status === 304;
    if (!noBody) {
      if (!('content-length' in headers)) {
        return {responses, rest: buf.subarray(off), error: 'response without Content-Length', noLength: true};
      }
      bodyLen = Number(headers['content-length']);
    }
    const bodyStart = end + 4;
    if (buf.length < bodyStart + bodyLen) break;
    responses.push({
      version: m[1],
      status,
      reason: m[3],
      headers,
      headerList,
      body: buf.subarray(bodyStart, bodyStart + bodyLen).toString('latin1'),
      raw: buf.subarray(off, bodyStart + bodyLen),
    });
    off = bodyStart + bodyLen;
  }
  return {responses, rest: buf.subarray(off)};
}

/** Parse exactly one response from a buffer (asserting it is complete). */
export function parseOne(buf, method = 'GET') {
  const p = parseResponses(buf, [method]);
  assert.ok(p.responses.length >= 1,
    `no complete HTTP response (${p.error || 'incomplete'}) in ${JSON.stringify(buf.toString('latin1').slice(0, 600))}`);
  return p.responses[0];
}

/** Build a request: req('GET', '/healthz', {Host: 'x'}, body) with CRLF line ends. */
export function req(method, path, headers = {}, body = '', version = 'HTTP/1.1') {
  const h = {Host: '127.0.0.1', ...headers};
  let s = `${method} ${path} ${version}\r\n`;
  for (const [k, v] of Object.entries(h)) if (v !== undefined && v !== null) s += `${k}: ${v}\r\n`;
  return s + '\r\n' + body;
}

/** A readable-sentence check for error bodies ("text/plain sentences"). */
export function assertSentence(res, what = '') {
  assert.match(res.headers['content-type'] || '', /^text\/plain\b/i, `${what} error body must be text/plain`);
  assert.match(res.body, /^\S[^\n]* [^\n]*[.!]\n?$/,
    `${what} error body must be a sentence, got ${JSON.stringify(res.body)}`);
}

/** Assert an error response (status) that is followed by the server closing the connection. */
export function assertErrorThenClose(buf, status, what = '') {
  const r = parseOne(buf);
  assert.equal(r.status, status, `${what}: expected ${status}, got ${r.status} ${r.reason}`);
  assert.ok('content-length' in r.headers, `${what}: ${status} must carry Content-Length`);
  assert.equal(r.raw.length, buf.length, `${what}: nothing may follow the ${status} response`);
  assert.ok(buf.closed, `${what}: the server must close the connection after ${status}`);
  return r;
}
