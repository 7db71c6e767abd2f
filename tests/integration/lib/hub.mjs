// Start and stop a real ./ferry for one test file, and the knobs every test shares.
//
// Environment (set by tests/integration/run.sh, or by hand):
//   FERRY_BIN   the binary to run (default ./ferry, relative to the repo root)
//   FERRY_WRAP  a command prefix, e.g. "valgrind -q --error-exitcode=99"
//   FERRY_SLOW  "1" multiplies every timeout by 10 (valgrind is that slow)
//   FERRY_TLS   "1" is the seam for a later TLS pass: https/wss schemes and --tls
//
// Every hub gets a fresh data dir from mkdtemp, listens on 127.0.0.1 with --port 0 and is
// found by the line it prints on stdout. stop() asserts a clean exit (code 0): under
// valgrind a 99 means memory errors. When a test fails, the stderr of every hub of that file
// is printed after it, so the server's own account sits next to the failure.

import {spawn} from 'node:child_process';
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join, resolve} from 'node:path';
import {afterEach} from 'node:test';
import assert from 'node:assert/strict';

export const SLOW = process.env.FERRY_SLOW === '1' ? 10 : 1;
/** A timeout in milliseconds, stretched under FERRY_SLOW. */
export const ms = (n) => n * SLOW;

export const TLS = process.env.FERRY_TLS === '1';
/** URL schemes: plain now; a TLS pass flips both (and adds --tls to every hub). */
export const HTTP_SCHEME = TLS ? 'https' : 'http';
export const WS_SCHEME = TLS ? 'wss' : 'ws';
export const HOST = '127.0.0.1';

export const FERRY_BIN = resolve(process.env.FERRY_BIN || './ferry');
export const FERRY_WRAP = (process.env.FERRY_WRAP || '').split(' ').filter((s) => s !== '');

const LISTEN_RE = new RegExp(`^ferry: listening on ${HTTP_SCHEME}:\\/\\/127\\.0\\.0\\.1:(\\d+)$`, 'm');

const hubs = new Set();

// If the test process ends without stopping a hub (a crash, a killed runner), take its hub
// and data dir along rather than leave an orphan listening.
process.on('exit', () => {
  for (const h of hubs) {
    if (h.exitStatus() === null) h.proc.kill('SIGKILL');
    rmSync(h.dataDir, {recursive: true, force: true});
  }
});

afterEach((t) => {
  if (t.passed) return;
  for (const h of hubs) {
    const err = h.stderr();
    const tail = err.length > 8000 ? '…' + err.slice(-8000) : err;
    console.error(`--- ferry pid ${h.pid} (port ${h.port}) stderr after failed test "${t.name}" ---\n` +
      (tail || '(empty)\n') + `--- end of ferry stderr ---`);
  }
});

/** argv for running the binary under FERRY_WRAP: [command, args]. */
export function command(args) {
  const all = [...FERRY_WRAP, FERRY_BIN, ...args];
  return [all[0], all.slice(1)];
}

/**
 * Run the binary to completion (for --help, --version, bad flags).
 * @returns {Promise<{code, signal, stdout, stderr}>}
 */
export function runFerry(args, {timeoutMs = ms(10000)} = {}) {
  const [cmd, argv] = command(args);
  return new Promise((resolveP, reject) => {
    const p = spawn(cmd, argv, {stdio: ['ignore', 'pipe', 'pipe']});
    let stdout = '';
    let stderr = '';
    p.stdout.setEncoding('utf8').on('data', (d) => { stdout += d; });
    p.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => {
      p.kill('SIGKILL');
      reject(new Error(`ferry ${args.join(' ')} did not exit within ${timeoutMs} ms`));
    }, timeoutMs);
    p.on('error', (e) => { clearTimeout(timer); reject(e); });
    p.on('close', (code, signal) => { clearTimeout(timer); resolveP({code, signal, stdout, stderr}); });
  });
}

/**
 * Start a hub on 127.0.0.1 with a free port and a fresh data dir.
 * @param {string[]} extraArgs flags appended after the defaults
 * @returns {Promise<{port, host, proc, pid, dataDir, stdout(), stderr(), exited, stop(signal)}>}
 */
export async function startHub(extraArgs = []) {
  const dataDir = mkdtempSync(join(tmpdir(), 'ferry-it-'));
  const args = ['--bind', HOST, '--port', '0', '--data-dir', dataDir, ...(TLS ? ['--tls'] : []), ...extraArgs];
  const [cmd, argv] = command(args);
  const proc = spawn(cmd, argv, {stdio: ['ignore', 'pipe', 'pipe']});
  let out = '';
  let err = '';
  let exitInfo = null;
  const exited = new Promise((res) => {
    proc.on('exit', (code, signal) => { exitInfo = {code, signal}; res(exitInfo); });
  });
  proc.stderr.setEncoding('utf8').on('data', (d) => { err += d; });
  proc.stdout.setEncoding('utf8');

  const port = await new Promise((res, rej) => {
    const timer = setTimeout(() => {
      rej(new Error(`ferry did not print its listening line within ${ms(5000)} ms\nstdout:\n${out}\nstderr:\n${err}`));
    }, ms(5000));
    proc.stdout.on('data', (d) => {
      out += d;
      const m = LISTEN_RE.exec(out);
      if (m) { clearTimeout(timer); res(Number(m[1])); }
    });
    proc.on('error', (e) => { clearTimeout(timer); rej(e); });
    exited.then((x) => {
      clearTimeout(timer);
      rej(new Error(`ferry exited (${JSON.stringify(x)}) before listening\nstdout:\n${out}\nstderr:\n${err}`));
    });
  }).catch((e) => { proc.kill('SIGKILL'); rmSync(dataDir, {recursive: true, force: true}); throw e; });

  const hub = {
    port,
    host: HOST,
    proc,
    pid: proc.pid,
    dataDir,
    args,
    exited,
    stdout: () => out,
    stderr: () => err,
    /** The exit status if the process has already exited, else null. */
    exitStatus: () => exitInfo,
    /**
     * Send `signal`, wait for the exit and assert code 0. Idempotent.
     * @returns {Promise<{code, signal}>}
     */
    async stop(signal = 'SIGTERM', {timeoutMs = ms(5000)} = {}) {
      if (hub.stopped) return hub.stopped;
      hub.stopped = (async () => {
        const already = exitInfo;
        if (exitInfo === null) proc.kill(signal);
        let timer;
        const res = await Promise.race([
          exited,
          new Promise((r) => { timer = setTimeout(() => r(null), timeoutMs); }),
        ]);
        clearTimeout(timer);
        if (res === null) {
          proc.kill('SIGKILL');
          await exited;
        }
        hubs.delete(hub);
        rmSync(dataDir, {recursive: true, force: true});
        assert.ok(res !== null, `ferry did not exit within ${timeoutMs} ms of ${signal}\nstderr:\n${err}`);
        assert.deepEqual(res, {code: 0, signal: null},
          (already ? `ferry had already exited (crashed?) before stop(${signal})` : `ferry must exit with code 0 after ${signal}`) +
          (res.code === 99 ? ' (99: valgrind found memory errors)' : '') + `\nstderr:\n${err}`);
        return res;
      })();
      return hub.stopped;
    },
  };
  hubs.add(hub);
  return hub;
}

/** Assert the hub is still running (it did not crash during the test). */
export function assertAlive(hub) {
  assert.equal(hub.exitStatus(), null, `ferry exited unexpectedly: ${JSON.stringify(hub.exitStatus())}\n${hub.stderr()}`);
}

export const sleep = (n) => new Promise((r) => setTimeout(r, n));
