// Scale-out figures, all in one run so their ratios compare like with like:
//   - deployed-stage requests per second (wrk on a MOCK method) and management writes per
//     second (UpdateStage from concurrent SDK clients) with 1, 2 and 4 workers on the embedded
//     SQLite store, and with 1 and 2 workers on PostgreSQL; each against 1 worker on SQLite;
//   - the time from a deployment through one process to its first 200 on another (two
//     processes on one PostgreSQL), with Redis waking followers and with polling alone.
// The PostgreSQL and Redis are private ones on free ports (test/helpers/private-services.ts).
// Run: npx tsx bench/scale.ts [seconds=5] [connections=50]
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateDeploymentCommand, UpdateStageCommand } from '@aws-sdk/client-api-gateway';
import { createMockApi } from '../test/helpers/mock-api.ts';
import { apiGatewayClient } from '../test/helpers/server.ts';
import { startPrivatePostgres, startPrivateRedis } from '../test/helpers/private-services.ts';
import { serveProcess, type ServeProcess } from '../test/helpers/processes.ts';

const SECONDS = Number(process.argv[2] ?? 5);
const CONNECTIONS = Number(process.argv[3] ?? 50);
const temps: string[] = [];
const temp = () => {
  const t = mkdtempSync(join(tmpdir(), 'gh-bench-scale-'));
  temps.push(t);
  return t;
};

function wrk(url: string, seconds: number): Promise<number> {
  return new Promise((resolve, reject) => {
    execFile('wrk', ['-t2', `-c${CONNECTIONS}`, `-d${seconds}s`, url], { encoding: 'utf8' }, (err, out) => {
      if (err !== null) return reject(err);
      const m = /Requests\/sec:\s+([\d.]+)/.exec(out);
      const bad = /Non-2xx or 3xx responses: (\d+)/.exec(out);
      if (bad !== null) return reject(new Error(`wrk saw ${bad[1]} failed responses:\n${out}`));
      resolve(Number(m![1]));
    });
  });
}

async function writesPerSecond(base: string, apiId: string, seconds: number, clients = 8): Promise<number> {
  const end = Date.now() + seconds * 1000;
  let n = 0;
  await Promise.all(Array.from({ length: clients }, async (_, i) => {
    const client = apiGatewayClient(base);
    while (Date.now() < end) {
      await client.send(new UpdateStageCommand({ restApiId: apiId, stageName: 'prod', patchOperations: [{ op: 'replace', path: `/variables/c${i}`, value: String(n) }] }));
      n++;
    }
  }));
  return n / seconds;
}

interface Row { name: string; rps: number; writes: number }

async function measure(name: string, args: string[]): Promise<Row> {
  // No account-level limit: the load is far above AWS's default 10,000 requests a second.
  const gh = await serveProcess(['--port', '0', '--account-rate', '0', ...args]);
  try {
    const client = apiGatewayClient(gh.url);
    const apiId = await createMockApi(client, 'bench');
    await client.send(new CreateDeploymentCommand({ restApiId: apiId, stageName: 'prod', variables: { v: 'x' } }));
    const url = `${gh.url}/restapis/${apiId}/prod/_user_request_/hello`;
    await wrk(url, 1); // warm-up: every worker compiles the stage
    const rps = await wrk(url, SECONDS);
    const writes = await writesPerSecond(gh.url, apiId, SECONDS);
    return { name, rps, writes };
  } finally {
    await gh.stop();
  }
}

async function propagation(label: string, a: ServeProcess, b: ServeProcess, rounds = 10): Promise<string> {
  const ca = apiGatewayClient(a.url);
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const apiId = await createMockApi(ca, `prop${i}`);
    await ca.send(new CreateDeploymentCommand({ restApiId: apiId, stageName: 'prod', variables: { v: 'one' } }));
    // Served once by B, so B holds the stage compiled; the redeployment below must reach it.
    while ((await fetch(`${b.url}/restapis/${apiId}/prod/_user_request_/hello`)).status !== 200) await new Promise((r) => setTimeout(r, 5));
    const t0 = performance.now();
    await ca.send(new UpdateStageCommand({ restApiId: apiId, stageName: 'prod', patchOperations: [{ op: 'replace', path: '/variables/v', value: 'two' }] }));
    for (;;) {
      const body = await (await fetch(`${b.url}/restapis/${apiId}/prod/_user_request_/hello`)).text();
      if (body.includes('two')) break;
    }
    times.push(performance.now() - t0);
  }
  times.sort((x, y) => x - y);
  return `${label}: median ${times[rounds >> 1]!.toFixed(1)} ms, max ${times[rounds - 1]!.toFixed(1)} ms (${rounds} changes)`;
}

async function main(): Promise<void> {
  const [pg, redis] = await Promise.all([startPrivatePostgres(), startPrivateRedis()]);
  const rows: Row[] = [];
  try {
    for (const n of [1, 2, 4]) rows.push(await measure(`SQLite, ${n} worker${n > 1 ? 's' : ''}`, ['--data-dir', temp(), '--workers', String(n)]));
    for (const n of [1, 2]) {
      const db = `bench_${n}_${Date.now()}`;
      await execFileP('psql', [pg.url, '-qc', `CREATE DATABASE ${db}`]);
      rows.push(await measure(`PostgreSQL, ${n} worker${n > 1 ? 's' : ''}`, ['--data-dir', temp(), '--workers', String(n), '--postgres', pg.url.replace(/\/postgres$/, `/${db}`), '--redis', redis.url]));
    }
    const base = rows[0]!;
    console.log(`bench/scale: ${cpus().length} cores, wrk -c${CONNECTIONS} ${SECONDS}s, 8 management clients`);
    console.log('| setup | stage requests/s | ratio | management writes/s | ratio |');
    console.log('|---|---|---|---|---|');
    for (const r of rows) console.log(`| ${r.name} | ${r.rps.toFixed(0)} | ${(r.rps / base.rps).toFixed(2)} | ${r.writes.toFixed(0)} | ${(r.writes / base.writes).toFixed(2)} |`);

    for (const withRedis of [true, false]) {
      const extra = withRedis ? ['--redis', redis.url] : [];
      const a = await serveProcess(['--port', '0', '--postgres', pg.url, '--data-dir', temp(), ...extra]);
      const b = await serveProcess(['--port', '0', '--postgres', pg.url, '--data-dir', temp(), ...extra]);
      try {
        console.log(await propagation(`change on one process to served by another, PostgreSQL${withRedis ? ' + Redis' : ' alone (LISTEN/NOTIFY and polling)'}`, a, b));
      } finally {
        await Promise.all([a.stop(), b.stop()]);
      }
    }
  } finally {
    await Promise.all([pg.destroy(), redis.destroy()]);
    for (const t of temps) rmSync(t, { recursive: true, force: true });
  }
}

function execFileP(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => execFile(cmd, args, (err) => (err === null ? resolve() : reject(err))));
}

await main();
