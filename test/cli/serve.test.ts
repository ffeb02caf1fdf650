// `gatehouse` as a newcomer meets it: help at every level, start-up errors that say what to do
// (and create nothing), one server per data directory, a PID file, and stopping through npm.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

const CLI = ['--import', 'tsx', join(process.cwd(), 'src/cli/main.ts')];
const temps: string[] = [];
after(() => {
  for (const t of temps) rmSync(t, { recursive: true, force: true });
});

function temp(): string {
  const t = mkdtempSync(join(tmpdir(), 'gh-cli-'));
  temps.push(t);
  return t;
}

function run(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [...CLI, ...args], { encoding: 'utf8', env: cleanEnv(), timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('GATEHOUSE_') && !k.startsWith('npm_')) env[k] = v;
  return { ...env, ...extra };
}

/** Starts `gatehouse serve ARGS`; resolves with the URL from its first line. */
function serve(args: string[], env: Record<string, string> = {}, shell = false): Promise<{ child: ChildProcess; url: string; pid: number }> {
  const child = shell
    // A parent that is not the server, as npm is for `npx gatehouse serve`.
    ? spawn('sh', ['-c', `"${process.execPath}" ${CLI.map((a) => `"${a}"`).join(' ')} serve ${args.join(' ')} & wait`], { stdio: ['ignore', 'pipe', 'pipe'], env: cleanEnv(env) })
    : spawn(process.execPath, [...CLI, 'serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: cleanEnv(env) });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout!.on('data', (c) => {
      out += c;
      const m = /serving (http:\/\/\S+) .*pid (\d+)/.exec(out);
      if (m) resolve({ child, url: m[1]!, pid: Number(m[2]) });
    });
    child.stderr!.on('data', (c) => (err += c));
    child.once('exit', (code) => reject(new Error(`gatehouse exited with ${code}: ${out}${err}`)));
  });
}

/** The exit code, or the signal that ended the process. */
function exited(child: ChildProcess): Promise<number | string | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode ?? child.signalCode);
  return new Promise((r) => child.once('exit', (code, signal) => r(code ?? signal)));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(check: () => boolean): Promise<void> {
  // A bounded wait on a condition another process brings about; the test's own timeout is the guard.
  while (!check()) await new Promise((r) => setTimeout(r, 50));
}

describe('help', () => {
  it('answers --help and -h at every level, and --version', () => {
    for (const args of [['--help'], ['-h'], ['help'], []]) {
      const r = run(args);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /Commands:/);
      assert.match(r.stdout, /serve +run the gateway/);
    }
    for (const args of [['serve', '--help'], ['serve', '-h'], ['help', 'serve'], ['serve', '--port', '1', '--help']]) {
      const r = run(args);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /Usage: gatehouse serve/);
      // every flag has a description line and its environment variable
      for (const flag of ['--host', '--port', '--data-dir', '--log-level', '--pid-file', '--lambda-concurrency']) {
        assert.match(r.stdout, new RegExp(`\\n  ${flag} +\\w.+\\n +env GATEHOUSE_`), flag);
      }
    }
    for (const cmd of ['import', 'export']) {
      for (const h of ['--help', '-h']) {
        const r = run([cmd, h]);
        assert.equal(r.status, 0, r.stderr);
        assert.match(r.stdout, new RegExp(`Usage: gatehouse ${cmd}`));
      }
    }
    for (const v of ['--version', '-v', 'version']) {
      const r = run([v]);
      assert.equal(r.status, 0);
      assert.match(r.stdout, /^\d+\.\d+\.\d+\n$/);
    }
  });

  it('says what is wrong with an unknown command or option, in one line, exit 1', () => {
    const a = run(['serv']);
    assert.equal(a.status, 1);
    assert.match(a.stderr, /^gatehouse: unknown command 'serv'; commands: serve, import, export/);
    const b = run(['serve', '--prot', '1']);
    assert.equal(b.status, 1);
    assert.equal(b.stderr, 'gatehouse: unknown option --prot (gatehouse serve --help lists the options)\n');
  });
});

describe('start-up errors', () => {
  it('a port in use: one line, exit 1, and no data directory left behind', async () => {
    const busy: Server = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
    try {
      const port = (busy.address() as { port: number }).port;
      const dir = join(temp(), 'data');
      const r = run(['serve', '--port', String(port), '--data-dir', dir]);
      assert.equal(r.status, 1);
      assert.equal(r.stderr, `gatehouse: port ${port} on 127.0.0.1 is already in use (another gatehouse?); stop that process or choose another --port\n`);
      assert.equal(existsSync(dir), false);
    } finally {
      busy.close();
    }
  });

  it('a file where the data directory should be, or under it', () => {
    const file = join(temp(), 'file');
    writeFileSync(file, 'x');
    const a = run(['serve', '--port', '0', '--data-dir', file]);
    assert.equal(a.status, 1);
    assert.equal(a.stderr, `gatehouse: data directory ${file} is a file, not a folder; remove it or choose another --data-dir\n`);
    const b = run(['serve', '--port', '0', '--data-dir', join(file, 'sub')]);
    assert.equal(b.status, 1);
    assert.match(b.stderr, /^gatehouse: data directory .* a part of the path is a file, not a folder; choose another --data-dir\n$/);
  });

  it('a folder in /proc answers at once instead of hanging in mkdir', () => {
    const r = run(['serve', '--port', '0', '--data-dir', '/proc/gatehouse-x']);
    assert.equal(r.status, 1);
    assert.equal(r.stderr, 'gatehouse: data directory /proc/gatehouse-x is on a system file system (/proc); choose a folder on a disk, e.g. --data-dir ./.gatehouse\n');
  });

  it('scale-out options: an unreachable PostgreSQL, a malformed URL, --workers on a memory store, each in one line', () => {
    const dir = join(temp(), 'data');
    const unreachable = run(['serve', '--port', '0', '--data-dir', dir, '--postgres', 'postgres://postgres:hunter2@127.0.0.1:1/gatehouse']);
    assert.equal(unreachable.status, 1);
    assert.match(unreachable.stderr, /^gatehouse: cannot use the PostgreSQL store at postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/gatehouse \(connect ECONNREFUSED[^)]*\); check --postgres/);
    assert.ok(!unreachable.stderr.includes('hunter2'), 'the password is never printed');
    assert.equal(unreachable.stderr.trim().split('\n').length, 1);
    const malformed = run(['serve', '--port', '0', '--redis', 'localhost:6379']);
    assert.equal(malformed.status, 1);
    assert.equal(malformed.stderr, "gatehouse: --redis: a Redis URL (redis://host:6379), got 'localhost:6379'\n");
    const memory = run(['serve', '--port', '0', '--workers', '2', '--data-dir', ':memory:']);
    assert.equal(memory.status, 1);
    assert.equal(memory.stderr, "gatehouse: --workers needs a store the processes can share: a --data-dir on disk (not ':memory:') or --postgres\n");
  });

  it('a data directory this user cannot write', () => {
    const base = temp();
    const locked = join(base, 'locked');
    mkdirSync(locked);
    // Root writes through any permission bits; an immutable folder refuses even root (CI runs as root).
    const asRoot = process.getuid?.() === 0;
    if (asRoot) assert.equal(spawnSync('chattr', ['+i', locked]).status, 0, 'chattr +i');
    else chmodSync(locked, 0o555);
    try {
      const r = run(['serve', '--port', '0', '--data-dir', join(locked, 'data')]);
      assert.equal(r.status, 1, r.stdout);
      const code = asRoot ? 'EPERM' : 'EACCES';
      assert.equal(r.stderr, `gatehouse: data directory ${join(locked, 'data')} cannot be created: ${locked} is not writable (${code}); fix its permissions or choose another --data-dir\n`);
    } finally {
      if (asRoot) spawnSync('chattr', ['-i', locked]);
    }
  });
});

describe('one server per data directory', () => {
  it('a second gatehouse on the same folder is refused; after the first stops (even by kill -9) it starts', async () => {
    const dir = temp();
    const first = await serve(['--port', '0', '--data-dir', dir]);
    try {
      const r = run(['serve', '--port', '0', '--data-dir', dir]);
      assert.equal(r.status, 1);
      assert.equal(r.stderr, `gatehouse: data directory ${dir} is in use by another gatehouse process; stop it, or give this one another --data-dir\n`);
    } finally {
      first.child.kill('SIGKILL');
      await exited(first.child);
    }
    const second = await serve(['--port', '0', '--data-dir', dir]);
    const health = await fetch(`${second.url}/_gatehouse/health`);
    assert.equal(health.status, 200);
    second.child.kill('SIGTERM');
    assert.equal(await exited(second.child), 0);
  });
});

describe('stopping', () => {
  it('--pid-file holds the server process id while it runs, and kill of that pid stops it', async () => {
    const dir = temp();
    const pidFile = join(dir, 'gh.pid');
    const s = await serve(['--port', '0', '--data-dir', join(dir, 'data'), '--pid-file', pidFile]);
    assert.equal(readFileSync(pidFile, 'utf8'), `${s.child.pid}\n`);
    process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGTERM');
    assert.equal(await exited(s.child), 0);
    assert.equal(existsSync(pidFile), false);
  });

  it('under npm (npm_execpath set), killing the parent stops the server instead of leaving it adopted by PID 1', async () => {
    const dir = temp();
    const s = await serve(['--port', '0', '--data-dir', join(dir, 'data')], { npm_execpath: '/usr/lib/node_modules/npm/bin/npm-cli.js' }, true);
    assert.notEqual(s.pid, s.child.pid, 'the server runs under a parent shell');
    s.child.kill('SIGKILL');
    await exited(s.child);
    await until(() => !alive(s.pid));
  });

  it('started otherwise, the server does not watch its parent', async () => {
    const dir = temp();
    const s = await serve(['--port', '0', '--data-dir', join(dir, 'data')], {}, true);
    s.child.kill('SIGKILL');
    await exited(s.child);
    // Still answering after its parent is gone; then stopped by its own pid.
    const health = await fetch(`${s.url}/_gatehouse/health`);
    assert.equal(health.status, 200);
    process.kill(s.pid, 'SIGTERM');
    await until(() => !alive(s.pid));
  });
});
