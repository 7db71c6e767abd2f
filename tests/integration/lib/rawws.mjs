// A raw RFC 6455 client over node:net, written independently of the server, for the
// protocol violations that the `ws` package will not produce: unmasked frames, RSV bits,
// reserved opcodes, bad fragmentation, oversized control frames, bad close codes, split
// UTF-8, headers sent one byte at a time.

import {createHash, randomBytes} from 'node:crypto';
import assert from 'node:assert/strict';
import {RawConn, parseResponses} from './net.mjs';
import {ms} from './hub.mjs';

export const OP = {CONT: 0x0, TEXT: 0x1, BINARY: 0x2, CLOSE: 0x8, PING: 0x9, PONG: 0xa};

export const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
export const acceptFor = (key) => createHash('sha1').update(key + WS_GUID).digest('base64');

/**
 * Encode one frame.
 * @param {object} f
 * @param {number} f.opcode
 * @param {Buffer|string} [f.payload]
 * @param {boolean} [f.fin=true]
 * @param {number} [f.rsv=0] the three RSV bits as a number 0..7 (4 = RSV1)
 * @param {boolean} [f.mask=true]
 * @param {Buffer} [f.maskKey] 4 bytes (random by default)
 * @param {number|bigint} [f.length] the length to announce, when it should lie
 * @param {'auto'|7|16|64} [f.lenForm] force a length encoding
 */
export function frame({opcode, payload = Buffer.alloc(0), fin = true, rsv = 0, mask = true, maskKey, length, lenForm = 'auto'}) {
  const p = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  const len = length === undefined ? BigInt(p.length) : BigInt(length);
  const form = lenForm === 'auto' ? (len < 126n ? 7 : len < 65536n ? 16 : 64) : lenForm;
  const parts = [];
  const b0 = (fin ? 0x80 : 0) | ((rsv & 7) << 4) | (opcode & 0x0f);
  const mbit = mask ? 0x80 : 0;
  if (form === 7) parts.push(Buffer.from([b0, mbit | Number(len)]));
  else if (form === 16) {
    const h = Buffer.alloc(4);
    h[0] = b0; h[1] = mbit | 126; h.writeUInt16BE(Number(len), 2);
    parts.push(h);
  } else {
    const h = Buffer.alloc(10);
    h[0] = b0; h[1] = mbit | 127; h.writeBigUInt64BE(len, 2);
    parts.push(h);
  }
  if (mask) {
    const k = maskKey || randomBytes(4);
    parts.push(k);
    const m = Buffer.alloc(p.length);
    for (let i = 0; i < p.length; i++) m[i] = p[i] ^ k[i & 3];
    parts.push(m);
  } else {
    parts.push(p);
  }
  return Buffer.concat(parts);
}

/** A close frame payload: 2-byte code + reason. */
export function closePayload(code, reason = '') {
  const r = Buffer.from(reason, 'utf8');
  const b = Buffer.alloc(2 + r.length);
  b.writeUInt16BE(code, 0);
  r.copy(b, 2);
  return b;
}

/** Parse server frames out of buf. Returns {frames, rest}. Throws on a malformed server frame. */
export function parseFrames(buf) {
  const frames = [];
  let off = 0;
  for (;;) {
    if (buf.length - off < 2) break;
    const b0 = buf[off];
    const b1 = buf[off + 1];
    let len = b1 & 0x7f;
    let hl = 2;
    if (len === 126) {
      if (buf.length - off < 4) break;
      len = buf.readUInt16BE(off + 2);
      hl = 4;
    } else if (len === 127) {
      if (buf.length - off < 10) break;
      len = Number(buf.readBigUInt64BE(off + 2));
      hl = 10;
    }
    const masked = (b1 & 0x80) !== 0;
    if (masked) hl += 4;
    if (buf.length - off < hl + len) break;
    let payload = Buffer.from(buf.subarray(off + hl, off + hl + len));
    if (masked) {
      const k = buf.subarray(off + hl - 4, off + hl);
      for (let i = 0; i < payload.length; i++) payload[i] ^= k[i & 3];
    }
    frames.push({fin: (b0 & 0x80) !== 0, rsv: (b0 >> 4) & 7, opcode: b0 & 0x0f, masked, payload});
    off += hl + len;
  }
  return {frames, rest: buf.subarray(off)};
}

/** A raw WebSocket connection after a completed handshake. */
export class RawWs {
  /**
   * Connect, send the handshake, check 101 and the accept value.
   * Extra request bytes may be appended in the same write (`after`).
   */
  static async open(port, {path = '/ws', headers = {}, after} = {}) {
    const c = await RawConn.open(port);
    const key = randomBytes(16).toString('base64');
    let r = `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n`;
    for (const [k, v] of Object.entries(headers)) r += `${k}: ${v}\r\n`;
    c.write(Buffer.concat([Buffer.from(r + '\r\n', 'latin1'), after || Buffer.alloc(0)]));
    const got = await c.wait((b) => b.indexOf('\r\n\r\n') >= 0, ms(3000));
    assert.ok(got, `no handshake response: ${JSON.stringify(c.buf.toString('latin1'))}`);
    const end = c.buf.indexOf('\r\n\r\n');
    const head = c.buf.subarray(0, end + 4);
    // Parsed as if for HEAD: only the head is wanted here, whatever body a refusal carries.
    const res = parseResponses(head, ['HEAD']).responses[0];
    assert.ok(res, `unparseable handshake response ${JSON.stringify(head.toString('latin1'))}`);
    assert.equal(res.status, 101, `handshake: expected 101, got ${res.status}`);
    assert.equal(res.headers['sec-websocket-accept'], acceptFor(key), 'Sec-WebSocket-Accept');
    c.buf = c.buf.subarray(end + 4);
    const ws = new RawWs(c);
    ws.handshake = res;
    return ws;
  }

  constructor(conn) {
    this.c = conn;
    this.frames = [];
  }

  send(f) { this.c.write(frame(f)); }
  sendRaw(bytes) { this.c.write(bytes); }
  text(s, extra = {}) { this.send({opcode: OP.TEXT, payload: s, ...extra}); }

  #pull() {
    const {frames, rest} = parseFrames(this.c.buf);
    this.c.buf = Buffer.from(rest);
    for (const f of frames) {
      assert.equal(f.masked, false, 'a server must not mask its frames');
      this.frames.push(f);
    }
  }

  /** Next frame from the server, or null if the connection closed / timed out first. */
  async next(timeoutMs = ms(3000)) {
    this.#pull();
    if (this.frames.length) return this.frames.shift();
    await this.c.wait((b) => parseFrames(b).frames.length > 0, timeoutMs);
    this.#pull();
    return this.frames.length ? this.frames.shift() : null;
  }

  /** Next frame, asserting it exists. */
  async expectFrame(what = 'a frame', timeoutMs = ms(3000)) {
    const f = await this.next(timeoutMs);
    assert.ok(f, `expected ${what}, but the connection ${this.c.closed ? 'closed' : 'stayed silent'}`);
    return f;
  }

  /** Next message as parsed JSON (asserting a final text frame). */
  async json(timeoutMs = ms(3000)) {
    const f = await this.expectFrame('a JSON text message', timeoutMs);
    assert.equal(f.opcode, OP.TEXT, `expected a text frame, got opcode ${f.opcode}` +
      (f.opcode === OP.CLOSE ? ` (close ${describeClose(f)})` : ''));
    assert.equal(f.fin, true, 'server messages are expected unfragmented');
    return JSON.parse(f.payload.toString('utf8'));
  }

  /**
   * Expect the server to close with `codes` (a number or array): a close frame with that code,
   * then the TCP connection closed by the server. Skips any data frames before it.
   */
  async expectClose(codes, what = '', timeoutMs = ms(3000)) {
    const want = Array.isArray(codes) ? codes : [codes];
    for (;;) {
      const f = await this.next(timeoutMs);
      assert.ok(f, `${what}: expected close ${want.join('|')}, but the connection ` +
        (this.c.closed ? 'was closed without a close frame' : 'stayed open'));
      if (f.opcode !== OP.CLOSE) continue;
      assert.ok(f.payload.length >= 2, `${what}: close frame without a code`);
      const code = f.payload.readUInt16BE(0);
      assert.ok(want.includes(code), `${what}: expected close ${want.join('|')}, got ${describeClose(f)}`);
      assert.ok(f.fin, 'close frame must be final');
      const closed = await this.c.waitClose(timeoutMs);
      assert.ok(closed, `${what}: the server must close TCP after its close frame`);
      return code;
    }
  }

  /** Resolve true when the server closes the TCP connection within timeoutMs. */
  waitClosed(timeoutMs = ms(3000)) { return this.c.waitClose(timeoutMs); }
  get closed() { return this.c.closed; }
  destroy() { this.c.destroy(); }
}

export function describeClose(f) {
  if (f.payload.length < 2) return `close without code (${f.payload.length} bytes)`;
  return `close ${f.payload.readUInt16BE(0)} ${JSON.stringify(f.payload.subarray(2).toString('utf8'))}`;
}
