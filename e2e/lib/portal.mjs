// Starts the real city-portal binary for one test file.
//
// Each portal gets a free loopback port, a fresh temp dir with its own SQLite
// database, and the demo city (loaded on first start). Nothing is inherited
// from the developer's configuration: the child runs in the temp dir (so no
// `.env` from the repository is read) with a minimal environment.
import { spawn, execFile } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startMailbox } from './mailbox.mjs';
import { portalBin } from './paths.mjs';

const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;
const START_ATTEMPTS = 3;
const LOG_TAIL_BYTES = 16 * 1024;
/** Variables passed through from the test runner's environment. */
const INHERITED_ENV = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'LC_ALL', 'TZ', 'RUST_BACKTRACE'];
export const DEFAULT_CITY_NAME = 'Demo City';

/** Children still running; killed if the test process exits without `stop()`. */
const live = new Set();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** A free TCP port on 127.0.0.1 (the OS picks it for a listener on port 0). */
export async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Start a portal and wait until `GET /readyz` answers 200.
 *
 * @param {object} [options]
 * @param {Record<string,string>} [options.env] extra or overriding variables
 *   (e.g. `{ CITY_NAME: 'Testburg', DEFAULT_LOCALE: 'en' }`)
 * @param {number} [options.readyTimeoutMs] how long to wait for readiness
 * @param {(baseUrl: string) => Promise<Record<string,string>>} [options.setup] called
 *   once the portal's address is known, before it starts: further variables (e.g. a
 *   client registered at an OpenID Provider for exactly this address)
 * @returns {Promise<Portal>}
 */
export async function startPortal({ env = {}, readyTimeoutMs = READY_TIMEOUT_MS, setup } = {}) {
  const bin = portalBin();
  try {
    await fsp.access(bin, fs.constants.X_OK);
  } catch {
    throw new Error(
      `portal binary not found or not executable: ${bin}\n` +
        'Build it with `cargo build -p api` or set PORTAL_BIN.',
    );
  }
  let lastError;
  for (let attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
    const portal = new Portal(bin, { ...env });
    portal.setup = setup ?? null;
    try {
      await portal.start(readyTimeoutMs);
      return portal;
    } catch (err) {
      lastError = err;
      await portal.stop();
      // Another process may have taken the port between our check and the
      // bind; only that case is worth another try.
      if (!/address (already )?in use|AddrInUse/i.test(String(err.message))) break;
    }
  }
  throw lastError;
}

export class Portal {
  constructor(bin, extraEnv) {
    this.bin = bin;
    this.extraEnv = extraEnv;
    this.child = null;
    this.exited = null;
    this.dataDir = null;
    this.logFile = null;
    this.baseUrl = null;
    this.port = null;
    this.cityName = extraEnv.CITY_NAME ?? DEFAULT_CITY_NAME;
    /** @type {import('./mailbox.mjs').Mailbox | null} what the portal emails */
    this.mailbox = null;
    this._tail = '';
    this._stopped = false;
  }

  /** The environment the binary runs with (also used for CLI commands). */
  get env() {
    const env = {};
    for (const k of INHERITED_ENV) if (process.env[k] !== undefined) env[k] = process.env[k];
    return {
      ...env,
      BIND_ADDR: `127.0.0.1:${this.port}`,
      DATABASE_URL: `sqlite://${this.dataDir}/e2e.db?mode=rwc`,
      LOG: 'warn',
      DEMO_DATA: 'true',
      // The demo city's example modules take the parking permit and street-defect
      // services; the suites that register their own modules for them need them off
      // (examples.test.mjs turns them on).
      DEMO_MODULES: 'false',
      CITY_NAME: DEFAULT_CITY_NAME,
      // The whole suite comes from 127.0.0.1: the per-address limits of registrations
      // and anonymous requests are tested in the Rust tests.
      REGISTRATIONS_PER_HOUR: '1000000',
      ANONYMOUS_REQUESTS_PER_MINUTE: '0',
      // The suites' own modules run on loopback.
      MODULE_NETWORKS: '127.0.0.0/8,::1/128',
      ...(this.mailbox ? { SMTP_URL: this.mailbox.url } : {}),
      ...this.extraEnv,
    };
  }

  /** Absolute URL of a path on this portal. */
  url(pathAndQuery = '/') {
    return new URL(pathAndQuery, this.baseUrl).toString();
  }

  /** The last lines the portal wrote to stdout/stderr. */
  logTail() {
    return this._tail;
  }

  async start(readyTimeoutMs) {
    this.dataDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'city-portal-e2e-'));
    // Every portal mails into its own mailbox (the tests follow the emailed links).
    this.mailbox ??= await startMailbox();
    this.logFile = path.join(this.dataDir, 'portal.log');
    this.port = await freePort();
    this.baseUrl = `http://127.0.0.1:${this.port}`;
    if (this.setup) Object.assign(this.extraEnv, await this.setup(this.baseUrl));

    const log = fs.createWriteStream(this.logFile);
    const child = spawn(this.bin, ['serve'], {
      cwd: this.dataDir,
      env: this.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    live.add(child);
    const onData = (chunk) => {
      log.write(chunk);
      this._tail = (this._tail + chunk.toString('utf8')).slice(-LOG_TAIL_BYTES);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    this._exitPromise = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exited = { code, signal };
        live.delete(child);
        log.end();
        resolve(this.exited);
      });
      child.once('error', (err) => {
        this._tail += `\nspawn error: ${err.message}`;
        this.exited = { code: null, signal: null, error: err };
        live.delete(child);
        log.end();
        resolve(this.exited);
      });
    });

    const deadline = Date.now() + readyTimeoutMs;
    let lastStatus = 'no answer';
    while (Date.now() < deadline) {
      if (this.exited) {
        throw new Error(
          `portal exited before it was ready (code ${this.exited.code}, signal ${this.exited.signal}); ` +
            `log:\n${this.logTail()}`,
        );
      }
      try {
        const res = await fetch(`${this.baseUrl}/readyz`, { signal: AbortSignal.timeout(2_000) });
        lastStatus = `HTTP ${res.status}: ${(await res.text()).slice(0, 500)}`;
        if (res.status === 200) return;
      } catch (err) {
        lastStatus = err.cause?.code ?? err.name ?? String(err);
      }
      await sleep(250);
    }
    throw new Error(
      `portal not ready after ${readyTimeoutMs} ms (last /readyz: ${lastStatus}); log:\n${this.logTail()}`,
    );
  }

  /**
   * Run a CLI command of the binary (e.g. `['create-admin', email]`) against
   * this portal's database. Resolves with `{ stdout, stderr }`.
   */
  async run(args, extraEnv = {}, timeoutMs = 60_000) {
    return new Promise((resolve, reject) => {
      execFile(
        this.bin,
        args,
        { cwd: this.dataDir, env: { ...this.env, ...extraEnv }, timeout: timeoutMs },
        (err, stdout, stderr) => {
          if (err) {
            err.message += `\nstdout: ${stdout}\nstderr: ${stderr}`;
            reject(err);
          } else resolve({ stdout, stderr });
        },
      );
    });
  }

  /** Make `email` a city admin (creating the account with `password` if needed). */
  async createAdmin(email, password) {
    return this.run(['create-admin', email], { ADMIN_PASSWORD: password });
  }

  /** Stop the portal (SIGTERM, then SIGKILL) and remove its temp dir. Idempotent. */
  async stop() {
    if (this._stopped) return;
    this._stopped = true;
    const child = this.child;
    if (child && !this.exited) {
      child.kill('SIGTERM');
      const done = await Promise.race([this._exitPromise, sleep(STOP_TIMEOUT_MS, null, { ref: false })]);
      if (!done) {
        child.kill('SIGKILL');
        await Promise.race([this._exitPromise, sleep(STOP_TIMEOUT_MS, null, { ref: false })]);
      }
    }
    if (this.mailbox) await this.mailbox.close();
    if (this.dataDir && !process.env.E2E_KEEP_TMP) {
      await fsp.rm(this.dataDir, { recursive: true, force: true, maxRetries: 3 });
    } else if (this.dataDir) {
      console.log(`# portal data kept in ${this.dataDir}`);
    }
  }
}
