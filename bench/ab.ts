// Two builds of Gatehouse against each other: the checkout this runs in (B) and another built
// checkout (A: e.g. `git worktree add ../base HEAD~1 && cd ../base && npm ci`), each a `gatehouse
// serve` of its own with the same API (bench/lib/hotpath-api.ts), measured by CPU time per request
// and bytes allocated per request, in short rounds that swap sides (A B, B A, ...).
//
// Why short rounds: on these shared 2-core machines a server's CPU per request moves by ±25% from
// one 4-second round to the next, as other tenants come and go; bench/hotpath.ts's baselines are
// other programs, so it needs long rounds anyway, but two builds of the same program can be swapped
// every second, and the median of many per-pair ratios then holds still. Measured on the AWS_PROXY
// case (24 pairs of 1-second rounds, the gateway processes' CPU): the same build against itself
// gave a median ratio of 1.005 (quartiles 0.98–1.05).
// It tells apart changes of about 5% of the gateway's CPU; the allocation figure, smaller ones.
//
// Run: npx tsx bench/ab.ts <other checkout> [case=lambda] [pairs=24] [seconds=1] [connections=50]
//   case: mock, http, proxy or lambda (AWS_PROXY: CPU of each gateway process; with BENCH_TREE=1,
//   of each gateway with its function workers, for a change to the runtime or the sandbox).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { alternate, measure } from './lib/cpu.ts';
import { BARE_SERVER, deployHotpathApi, LAMBDA_BODY, startGatehouse, startNode, type Proc } from './lib/hotpath-api.ts';

const OTHER = process.argv[2];
const CASE = process.argv[3] ?? 'lambda';
const PAIRS = Number(process.argv[4] ?? 24);
const SECONDS = Number(process.argv[5] ?? 1);
const CONNECTIONS = Number(process.argv[6] ?? 50);
const PATHS: Record<string, string> = { mock: '/mock?petType=cat', http: '/http', proxy: '/proxy', lambda: '/lambda' };

async function main(): Promise<void> {
  if (OTHER === undefined || PATHS[CASE] === undefined) throw new Error('usage: npx tsx bench/ab.ts <other checkout> [mock|http|proxy|lambda] [pairs] [seconds] [connections]');
  const a = resolve(OTHER);
  for (const root of [a, '.']) if (!existsSync(join(root, 'dist/cli/index.js'))) throw new Error(`${root}: build first (npm ci or npm run build)`);
  const dirs = [mkdtempSync(join(tmpdir(), 'gh-ab-a-')), mkdtempSync(join(tmpdir(), 'gh-ab-b-'))];
  const procs: Proc[] = [];
  try {
    const backend = await startNode(BARE_SERVER);
    procs.push(backend);
    const ghA = await startGatehouse(a, dirs[0]!);
    procs.push(ghA);
    const ghB = await startGatehouse('.', dirs[1]!);
    procs.push(ghB);
    const stageA = await deployHotpathApi(ghA.url, backend.url);
    const stageB = await deployHotpathApi(ghB.url, backend.url);
    const lambda = CASE === 'lambda';
    const load = { seconds: SECONDS, connections: CONNECTIONS, ...(lambda ? { postJson: LAMBDA_BODY, tree: process.env.BENCH_TREE === '1' } : {}) };
    const measured = await alternate(
      () => measure(stageA + PATHS[CASE], ghA.pid, load, ghA.gc),
      () => measure(stageB + PATHS[CASE], ghB.pid, load, ghB.gc),
      PAIRS,
      // Warm-up: the function's ten workers each see a tenth of the load (bench/hotpath.ts).
      lambda ? 6 : 2,
    );
    const ratios = measured.cpuRatios;
    const q = (f: number) => ratios[Math.min(ratios.length - 1, Math.floor(f * ratios.length))]!;
    console.log(`${CASE}: B (${process.cwd()}) against A (${a}); ${PAIRS} pairs of ${SECONDS} s rounds, wrk -c${CONNECTIONS}; load ${loadavg()[0]!.toFixed(1)} at the end`);
    console.log(`CPU µs/request: A ${measured.baseline.cpu.toFixed(1)}, B ${measured.subject.cpu.toFixed(1)} (medians)`);
    console.log(`B/A CPU ratio: median ${measured.cpuRatio.toFixed(3)}, quartiles ${q(0.25).toFixed(3)}–${q(0.75).toFixed(3)}`);
    if (measured.alloc !== undefined) console.log(`heap KB/request: A ${(measured.alloc.baseline / 1024).toFixed(2)}, B ${(measured.alloc.subject / 1024).toFixed(2)}`);
  } finally {
    for (const p of procs) p.child.kill('SIGTERM');
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}

await main();
