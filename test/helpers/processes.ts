// Real `gatehouse serve` processes for tests of several processes on one store.
import { spawn, type ChildProcess } from 'node:child_process';
import { get as httpGet } from 'node:http';
import { join } from 'node:path';

const CLI = ['--import', 'tsx', join(process.cwd(), 'src/cli/main.ts')];

export interface ServeProcess {
  readonly child: ChildProcess;
  readonly url: string;
  readonly pid: number;
  /** What the process printed on stderr so far (for failure messages). */
  stderr(): string;
  /** What it printed on stdout (its log) so far, the last 100 kB at most. */
  stdout(): string;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<number | string | null>;
  /** SIGKILL: the process dies without any clean-up. */
  kill9(): Promise<number | string | null>;
}

function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('GATEHOUSE_') && !k.startsWith('npm_')) env[k] = v;
  return { ...env, ...extra };
}

export function exited(child: ChildProcess): Promise<number | string | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode ?? child.signalCode);
  return new Promise((r) => child.once('exit', (code, signal) => r(code ?? signal)));
}

/** Starts `gatehouse serve ARGS`; resolves with the URL and pid from its start-up line. */
export function serveProcess(args: string[], env: Record<string, string> = {}): Promise<ServeProcess> {
  const child = spawn(process.execPath, [...CLI, 'serve', '--log-level', 'info', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: cleanEnv(env) });
  let out = '';
  let err = '';
  child.stderr!.on('data', (c) => {
    err += c;
    if (err.length > 200_000) err = err.slice(-100_000);
  });
  return new Promise((resolve, reject) => {
    const onData = (c: Buffer) => {
      out += c;
      const m = /serving (http:\/\/\S+) .*pid (\d+)/.exec(out);
      if (m === null) return;
      child.stdout!.off('data', onData);
      child.stdout!.on('data', (c: Buffer) => {
        out += c;
        if (out.length > 200_000) out = out.slice(-100_000);
      });
      child.off('exit', onExit);
      resolve({
        child,
        url: m[1]!,
        pid: Number(m[2]),
        stderr: () => err,
        stdout: () => out,
        stop: () => {
          child.kill('SIGTERM');
          return exited(child);
        },
        kill9: () => {
          child.kill('SIGKILL');
          return exited(child);
        },
      });
    };
    const onExit = (code: number | null) => reject(new Error(`gatehouse exited with ${code}: ${out}${err}`));
    child.stdout!.on('data', onData);
    child.once('exit', onExit);
  });
}

/** Waits until `check` holds; the test's own timeout bounds the wait (tests never assert timings). */
export async function until(check: () => boolean | Promise<boolean>, pauseMs = 50): Promise<void> {
  for (;;) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, pauseMs));
  }
}

/** GET on a connection of its own: node:cluster hands out connections, not requests, so a
 *  kept-alive connection would always reach the same worker. Failures resolve as status 0. */
export function freshGet(url: string, headers: Record<string, string> = {}, timeoutMs = 20_000): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve) => {
    const req = httpGet(url, { agent: false, headers, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', (err) => resolve({ status: 0, body: String(err), headers: {} }));
    req.on('timeout', () => req.destroy());
  });
}
