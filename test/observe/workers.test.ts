// --workers 2: whichever worker a scrape reaches answers for the whole host (the cluster primary
// sums every worker's registry), so Prometheus scrapes one address per host; both workers append
// to one access-log file, each request's line once, and the CloudWatch Logs API of either reads
// them all. Real processes.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CreateDeploymentCommand, UpdateStageCommand } from '@aws-sdk/client-api-gateway';
import { createMockApi } from '../helpers/mock-api.ts';
import { apiGatewayClient, awsCli } from '../helpers/server.ts';
import { serveProcess, until, freshGet } from '../helpers/processes.ts';
import { parsePrometheus, sample } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'gh-metrics-workers-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('--workers 2', { timeout: 120_000 }, () => {
  it('every scrape counts the requests both workers served', async () => {
    const gh = await serveProcess(['--port', '0', '--workers', '2', '--data-dir', dir]);
    try {
      const client = apiGatewayClient(gh.url);
      const apiId = await createMockApi(client, 'workers-metrics');
      await client.send(new CreateDeploymentCommand({ restApiId: apiId, stageName: 'prod', variables: { v: '1' } }));
      await client.send(new UpdateStageCommand({
        restApiId: apiId, stageName: 'prod',
        patchOperations: [
          { op: 'replace', path: '/accessLogSettings/destinationArn', value: 'arn:aws:logs:us-east-1:000000000000:log-group:workers-access' },
          { op: 'replace', path: '/accessLogSettings/format', value: '$context.requestId $context.extendedRequestId $context.status' },
        ],
      }));
      client.destroy();
      // x-amz-apigw-id starts with a prefix of the process that made it.
      const read = async (): Promise<string[]> =>
        (await awsCli(gh.url, ['logs', 'filter-log-events', '--log-group-name', 'workers-access']).catch(() => ({ events: [] })) as { events: { message: string }[] }).events.map((e) => e.message);
      const worker = (line: string): string => line.split(' ')[1]!.slice(0, 8);
      // Both workers follow the stage change (the change feed) before the counted requests.
      // (Two requests a round: connections alternate between the workers, the CLI's included.)
      await until(async () => {
        for (let i = 0; i < 2; i++) await freshGet(`${gh.url}/restapis/${apiId}/prod/_user_request_/hello`);
        return new Set((await read()).map(worker)).size === 2;
      }, 100);
      const before = parsePrometheus((await freshGet(`${gh.url}/_gatehouse/metrics`)).body);
      const processes = new Set<string>();
      const ids: string[] = [];
      for (let i = 0; i < 20; i++) {
        const r = await freshGet(`${gh.url}/restapis/${apiId}/prod/_user_request_/hello`);
        assert.equal(r.status, 200);
        processes.add(String(r.headers['x-amz-apigw-id']).slice(0, 8));
        ids.push(String(r.headers['x-amzn-requestid']));
      }
      assert.equal(processes.size, 2, 'both workers served the stage');
      const labels = { api_id: apiId, api_name: 'workers-metrics', stage: 'prod', method: '', resource: '' };
      for (let i = 0; i < 4; i++) {
        const scraped = await freshGet(`${gh.url}/_gatehouse/metrics`);
        assert.equal(scraped.status, 200);
        const samples = parsePrometheus(scraped.body);
        assert.equal(sample(samples, 'apigateway_requests_total', labels) - sample(before, 'apigateway_requests_total', labels), 20);
        assert.equal(sample(samples, 'apigateway_latency_milliseconds_count', labels) - sample(before, 'apigateway_latency_milliseconds_count', labels), 20);
        assert.ok(samples.some((s) => s.name === 'process_cpu_user_seconds_total'));
      }
      // One file, both workers' lines, each once; read back through either worker.
      await until(async () => {
        const lines = await read();
        return ids.every((id) => lines.some((l) => l.startsWith(`${id} `)));
      }, 100);
      const lines = await read();
      for (const id of ids) assert.equal(lines.filter((l) => l.startsWith(`${id} `)).length, 1, id);
      assert.equal(new Set(ids.map((id) => worker(lines.find((l) => l.startsWith(`${id} `))!))).size, 2, 'lines of both workers');
    } finally {
      assert.equal(await gh.stop(), 0);
    }
  });
});
