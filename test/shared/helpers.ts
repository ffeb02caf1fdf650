// Helpers for the shared-state tests: a clock tests move, waiting for a condition, a private
// redis-server, key prefixes that keep parallel test files apart on the shared Redis.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, connect } from 'node:net';
import { once } from 'node:events';
import { Redis } from 'ioredis';

export const SHARED_REDIS = 'redis://127.0.0.1:6379';

/** A clock that stands still until a test moves it. */
export class ManualClock {
  t: number;
  constructor(t: number) {
    this.t = t;
  }
  readonly now = (): number => this.t;
}

export function randomPrefix(): string {
  return `gh-test-${randomBytes(6).toString('hex')}:`;
}

/** Waits until `cond` holds, checking every 10 ms; fails with `what` after `ms` (a bound that
 *  only a broken implementation reaches, not a measurement). */
export async function until(cond: () => boolean | Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export async function freePort(): Promise<number> {
  const srv = createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const port = (srv.address() as { port: number }).port;
  srv.close();
  await once(srv, 'close');
  return port;
}

/** Deletes every key under `prefix` on the shared Redis (end of a test file). */
export async function deleteKeys(prefix: string, url = SHARED_REDIS): Promise<void> {
  const r = new Redis(url);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await r.del(...keys);
    } while (cursor !== '0');
  } finally {
    r.disconnect();
  }
}

/** A redis-server of the test's own, on `port`, keeping nothing on disk. */
export class PrivateRedis {
  readonly port: number;
  #proc: ChildProcess | undefined;

  constructor(port: number) {
    this.port = port;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const proc = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
    this.#proc = proc;
    await until(() => answersPing(this.port), `redis-server on port ${this.port} to start`);
  }

  async stop(): Promise<void> {
    const proc = this.#proc;
    if (proc === undefined || proc.exitCode !== null) return;
    this.#proc = undefined;
    proc.kill('SIGCONT'); // a paused server cannot act on SIGTERM
    proc.kill('SIGTERM');
    await once(proc, 'exit');
  }

  /** Stops the process without closing its sockets: Redis stops answering. */
  pause(): void {
    this.#proc?.kill('SIGSTOP');
  }

  resume(): void {
    this.#proc?.kill('SIGCONT');
  }
}

function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.setTimeout(500);
    s.on('connect', () => s.write('PING\r\n'));
    s.on('data', (d) => {
      s.destroy();
      resolve(d.toString().startsWith('+PONG'));
    });
    s.on('error', () => resolve(false));
    s.on('timeout', () => {
      s.destroy();
      resolve(false);
    });
  });
}
