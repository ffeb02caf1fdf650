// V8's young generation (src/heap.ts): a gateway whose heap limit would shrink it (a container's
// memory limit, or a small --max-old-space-size) says so at start and names the flag; --workers
// starts its workers with the full size; a size the operator chose is left alone.
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { semiSpaceChosen, withFullYoungGeneration, youngGenerationAdvice } from '../../src/heap.ts';

const MB = 1048576;
const CLI = ['--import', 'tsx', join(process.cwd(), 'src/cli/main.ts')];
const temps: string[] = [];
after(() => {
  for (const t of temps) rmSync(t, { recursive: true, force: true });
});

describe('young generation: the decision', () => {
  it('a size given on the command line or in NODE_OPTIONS, in either spelling, is the operator\'s choice', () => {
    assert.equal(semiSpaceChosen(['--max-semi-space-size=8'], ''), true);
    assert.equal(semiSpaceChosen(['--max_semi_space_size=8'], ''), true);
    assert.equal(semiSpaceChosen([], '--enable-source-maps --max-semi-space-size=4'), true);
    assert.equal(semiSpaceChosen(['--max-old-space-size=512'], '--max-old-space-size=512'), false);
  });

  it('--workers processes get 16 MB semi-spaces unless a size was chosen, and keep the other flags', () => {
    assert.deepEqual(withFullYoungGeneration(['--import', 'tsx'], ''), ['--import', 'tsx', '--max-semi-space-size=16']);
    assert.deepEqual(withFullYoungGeneration(['--max-semi-space-size=4'], ''), ['--max-semi-space-size=4']);
    assert.deepEqual(withFullYoungGeneration([], '--max-semi-space-size=4'), []);
  });

  it('advice only below the heap limit that carries the full young generation, and only when no size was chosen', () => {
    // V8's own limits: 2048 MB old + 3 x 16 MB young on a host with memory to spare; 256 + 3 x 1 in a 512 MB container.
    assert.equal(youngGenerationAdvice(2096 * MB, false), undefined);
    assert.equal(youngGenerationAdvice(4144 * MB, false), undefined);
    assert.match(youngGenerationAdvice(259 * MB, false) ?? '', /heap limit of 259 MB.*--max-semi-space-size=16/);
    assert.equal(youngGenerationAdvice(259 * MB, true), undefined);
  });
});

function temp(): string {
  const t = mkdtempSync(join(tmpdir(), 'gh-heap-'));
  temps.push(t);
  return t;
}

interface Started { child: ChildProcess; pid: number; output: () => string }

/** `node NODE_ARGS gatehouse serve ARGS`, resolved on its first line; its later output is kept. */
function serve(nodeArgs: string[], args: string[]): Promise<Started> {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('GATEHOUSE_') && !k.startsWith('npm_') && k !== 'NODE_OPTIONS') env[k] = v;
  const child = spawn(process.execPath, [...nodeArgs, ...CLI, 'serve', '--port', '0', '--data-dir', temp(), ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
  let out = '';
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (c) => {
      out += c;
      const m = /serving http:\/\/\S+ .*pid (\d+)/.exec(out);
      if (m) resolve({ child, pid: Number(m[1]), output: () => out });
    });
    child.stderr!.on('data', (c) => (out += c));
    child.once('exit', (code) => reject(new Error(`gatehouse exited with ${code}: ${out}`)));
  });
}

async function stop(s: Started): Promise<void> {
  const exited = new Promise((r) => s.child.once('exit', r));
  s.child.kill('SIGTERM');
  await exited;
}

/** The command line of each child process of `pid`, from ps (its arguments hold no spaces here). */
function childArgv(pid: number): string[][] {
  const out: string[][] = [];
  for (const line of execFileSync('ps', ['-A', '-o', 'pid=,ppid=,args='], { encoding: 'utf8' }).split('\n')) {
    const [, ppid, ...args] = line.trim().split(/\s+/);
    if (Number(ppid) === pid) out.push(args);
  }
  return out;
}

describe('young generation: gatehouse serve', { timeout: 120_000 }, () => {
  it('a heap limit that shrinks the young generation is reported at start, with the flag that restores it', async () => {
    const s = await serve(['--max-old-space-size=512'], []);
    try {
      // Held log lines follow the first line.
      const deadline = Date.now() + 10_000;
      while (!/young generation/.test(s.output()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      assert.match(s.output(), /"level":"warn".*young generation is smaller than its default.*--max-semi-space-size=16/);
    } finally {
      await stop(s);
    }
  });

  it('no report when the operator chose the size', async () => {
    const s = await serve(['--max-old-space-size=512', '--max-semi-space-size=16'], []);
    try {
      await new Promise((r) => setTimeout(r, 500));
      assert.doesNotMatch(s.output(), /young generation/);
    } finally {
      await stop(s);
    }
  });

  it('--workers 2 starts its workers with 16 MB semi-spaces, whatever heap limit the primary has', async () => {
    const s = await serve(['--max-old-space-size=512'], ['--workers', '2']);
    try {
      const workers = childArgv(s.pid).filter((argv) => argv.some((a) => a.endsWith('main.ts')));
      assert.equal(workers.length, 2, JSON.stringify(childArgv(s.pid)));
      for (const argv of workers) {
        assert.ok(argv.includes('--max-semi-space-size=16'), argv.join(' '));
        assert.ok(argv.includes('--max-old-space-size=512'), argv.join(' '));
      }
      assert.doesNotMatch(s.output(), /young generation/);
    } finally {
      await stop(s);
    }
  });
});
