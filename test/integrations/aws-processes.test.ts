// AWS integrations in a real `gatehouse serve --workers 2`, configured on the command line as an
// operator would: --aws-endpoint-sqs sends SQS to moto_server and nothing else has an endpoint.
// Every worker process sends SQS calls to moto (checked with the AWS CLI), and a DynamoDB method
// answers 500 with the reason in the server log.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { apiGatewayClient } from '../helpers/server.ts';
import { serveProcess, until, type ServeProcess } from '../helpers/processes.ts';
import { createApi, deploy, putMethod, resourcePath } from '../execute/helpers.ts';
import { MOTO_ACCOUNT, startMoto, type Moto } from './aws-helpers.ts';

/** POST on a connection of its own: node:cluster hands out connections, so each may reach another worker. */
function post(url: string, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent: false, headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('gatehouse serve --workers 2 --aws-endpoint-sqs URL', { timeout: 180_000 }, () => {
  let moto: Moto;
  let gh: ServeProcess;
  let dir: string;
  let apiId: string;
  let queueUrl: string;

  before(async () => {
    moto = await startMoto();
    queueUrl = (await moto.cli(['sqs', 'create-queue', '--queue-name', 'workers-queue']) as { QueueUrl: string }).QueueUrl;
    dir = mkdtempSync(join(tmpdir(), 'gh-aws-'));
    gh = await serveProcess(['--port', '0', '--data-dir', dir, '--workers', '2', `--aws-endpoint-sqs=${moto.url}`]);
    const client = apiGatewayClient(gh.url);
    apiId = (await createApi(client, 'workers')).id;
    await putMethod(client, apiId, await resourcePath(client, apiId, '/send'), {
      httpMethod: 'POST',
      integration: {
        type: 'AWS', integrationHttpMethod: 'POST', uri: `arn:aws:apigateway:us-east-1:sqs:path/${MOTO_ACCOUNT}/workers-queue`,
        requestParameters: { 'integration.request.header.Content-Type': "'application/x-www-form-urlencoded'" },
        requestTemplates: { 'application/json': 'Action=SendMessage&MessageBody=$util.urlEncode($input.body)' },
      },
      responses: [{ statusCode: '200' }],
    });
    await putMethod(client, apiId, await resourcePath(client, apiId, '/put'), {
      httpMethod: 'POST',
      integration: { type: 'AWS', integrationHttpMethod: 'POST', uri: 'arn:aws:apigateway:us-east-1:dynamodb:action/PutItem', requestTemplates: { 'application/json': '{}' } },
      responses: [{ statusCode: '200' }],
    });
    await deploy(client, apiId, 'test');
    client.destroy();
  });

  after(async () => {
    await gh?.stop();
    await moto?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  test('SQS calls on connections of their own (node:cluster spreads them over the workers) reach the override; the messages are on the queue', async () => {
    const url = `${gh.url}/restapis/${apiId}/test/_user_request_/send`;
    const sent: string[] = [];
    for (let i = 0; i < 8; i++) {
      const body = JSON.stringify({ n: i });
      const res = await post(url, body);
      assert.equal(res.status, 200, res.body);
      assert.match(res.body, /SendMessageResponse/);
      sent.push(body);
    }
    const received: string[] = [];
    await until(async () => {
      const out = await moto.cli(['sqs', 'receive-message', '--queue-url', queueUrl, '--max-number-of-messages', '10']) as { Messages?: { Body: string }[] } | null;
      for (const m of out?.Messages ?? []) received.push(m.Body);
      return received.length >= sent.length;
    });
    assert.deepEqual(received.sort(), sent.sort());
  });

  test('a service with no endpoint answers 500, and the server log says why', async () => {
    const res = await post(`${gh.url}/restapis/${apiId}/test/_user_request_/put`, '{}');
    assert.equal(res.status, 500);
    assert.deepEqual(JSON.parse(res.body), { message: 'Internal server error' });
    await until(() => gh.stdout().includes('No endpoint for AWS service dynamodb'));
    const line = gh.stdout().split('\n').find((l) => l.includes('No endpoint for AWS service dynamodb'))!;
    assert.match(line, /"status":500/);
    assert.match(line, /Execution failed due to configuration error: No endpoint for AWS service dynamodb: Gatehouse sends AWS integrations to the endpoint named by --aws-endpoint/);
  });
});
