// A `gatehouse serve` of its own for a benchmark: built bin, a temporary file store, the URL
// read from its start-up line; stop() ends it and removes the folder.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Served {
  readonly url: string;
  readonly pid: number;
  readonly child: ChildProcess;
  stop(): void;
}

export function serveGatehouse(extra: readonly string[]): Promise<Served> {
  if (!existsSync('dist/cli/index.js')) throw new Error('build first (npm ci or npm run build): the bench runs bin/gatehouse.js');
  const dir = mkdtempSync(join(tmpdir(), 'gh-bench-'));
  const child = spawn(process.execPath, ['bin/gatehouse.js', 'serve', '--port', '0', '--data-dir', dir, ...extra], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (c: Buffer) => {
      out += c;
      const m = /serving (http:\/\/\S+)/.exec(out);
      if (m === null) return;
      child.stdout!.off('data', onData);
      // Keep reading: a full pipe would stall the server's request log.
      child.stdout!.resume();
      resolve({
        url: m[1]!, pid: child.pid!, child,
        stop() {
          child.kill('SIGTERM');
          rmSync(dir, { recursive: true, force: true });
        },
      });
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`gatehouse exited ${code}: ${out}`)));
  });
}
