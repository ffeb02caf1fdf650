// The containment used where no cgroup can be made (Gatehouse not running as root): the tree
// is the worker's descendants as /proc shows them, remembered once seen, so a grandchild that
// detached and whose parent then exited is still killed. Driven with real processes.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { ScannedTree } from '../../src/lambda/process-tree.ts';
import { until } from './helpers.ts';

function gone(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

describe('process tree without cgroups', () => {
  it('finds a detached grandchild, keeps it after its parent exits, and kills it', async () => {
    // The "worker" starts a detached grandchild, prints its pid, and exits when told to.
    const worker = spawn(process.execPath, ['-e', `
      const { spawn } = require('node:child_process');
      const g = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { detached: true, stdio: 'ignore' });
      g.unref();
      console.log(g.pid);
      process.stdin.on('data', () => process.exit(0));
    `], { stdio: ['pipe', 'pipe', 'inherit'], detached: true });
    const tree = new ScannedTree();
    tree.attach(worker.pid!);
    const grandchild = await new Promise<number>((resolve) => worker.stdout!.once('data', (d) => resolve(Number(String(d).trim()))));
    try {
      assert.deepEqual(tree.members().sort(), [worker.pid!, grandchild].sort());
      assert.ok(tree.memoryBytes() > 0);

      const exited = new Promise((r) => worker.once('exit', r));
      worker.stdin!.write('exit\n');
      await exited;
      assert.equal(gone(grandchild), false, 'the grandchild outlived its parent, re-parented away');
      assert.deepEqual(tree.members(), [grandchild], 'still known to belong to the worker');

      tree.kill();
      await until(() => gone(grandchild), 'the grandchild to die');
      assert.deepEqual(tree.members(), []);
    } finally {
      try { process.kill(grandchild, 'SIGKILL'); } catch { /* gone */ }
      try { process.kill(worker.pid!, 'SIGKILL'); } catch { /* gone */ }
    }
  });
});
