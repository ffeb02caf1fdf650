// CloudWatch metrics across processes: two `gatehouse serve` processes on one PostgreSQL each
// answer part of the requests; get-metric-statistics through either one counts them all (each
// process writes its per-minute aggregates to the store; a query merges every writer's rows).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { apiGatewayClient, awsCli } from '../helpers/server.ts';
import { serveProcess, until, type ServeProcess, freshGet } from '../helpers/processes.ts';
import { createMockApi } from '../helpers/mock-api.ts';
import { deploy } from '../execute/helpers.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/private-services.ts';

describe('CloudWatch metrics of processes sharing one PostgreSQL', { timeout: 120_000 }, () => {
  let db: TestDatabase;
  const dirs: string[] = [];
  let one: ServeProcess;
  let two: ServeProcess;

  before(async () => {
    db = await createTestDatabase();
    const dir = () => {
      const d = mkdtempSync(join(tmpdir(), 'gh-metrics-proc-'));
      dirs.push(d);
      return d;
    };
    one = await serveProcess(['--port', '0', '--postgres', db.url, '--data-dir', dir()]);
    two = await serveProcess(['--port', '0', '--postgres', db.url, '--data-dir', dir()]);
  });

  after(async () => {
    await Promise.all([one?.stop(), two?.stop()]);
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    await db?.drop();
  });

  it('adds up the counts of both processes', async () => {
    const client = apiGatewayClient(one.url);
    try {
      const id = await createMockApi(client, 'shared-metrics');
      await deploy(client, id, 'prod', { v: 'x' });
      const at = (p: ServeProcess) => `${p.url}/restapis/${id}/prod/_user_request_/hello`;
      // Until the second process has the stage: answers before that (403) name no stage and are
      // not counted; the one 200 is.
      await until(async () => (await freshGet(at(two))).status === 200);
      const sum = async (p: ServeProcess): Promise<number> => {
        const out = await awsCli(p.url, ['cloudwatch', 'get-metric-statistics', '--namespace', 'AWS/ApiGateway', '--metric-name', 'Count', '--dimensions', 'Name=ApiName,Value=shared-metrics',
          '--start-time', new Date(Date.now() - 3_600_000).toISOString(), '--end-time', new Date(Date.now() + 600_000).toISOString(), '--period', '3600', '--statistics', 'Sum']) as { Datapoints: { Sum: number }[] };
        return out.Datapoints.reduce((a, d) => a + d.Sum, 0);
      };
      for (let i = 0; i < 4; i++) assert.equal((await freshGet(at(one))).status, 200);
      for (let i = 0; i < 6; i++) assert.equal((await freshGet(at(two))).status, 200);
      // Each process writes its minutes every 10 s (and before answering a query of its own).
      await until(async () => (await sum(one)) === 11 && (await sum(two)) === 11, 500);
    } finally {
      client.destroy();
    }
  });
});
