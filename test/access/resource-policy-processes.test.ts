// A resource policy on several `gatehouse serve` processes sharing one PostgreSQL (the second with
// two node:cluster workers): a policy deployed through one process is enforced by every process,
// and a changed policy, once redeployed through the first, reaches the others through the store's
// change log without any restart.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CreateRestApiCommand, UpdateRestApiCommand } from '@aws-sdk/client-api-gateway';
import { apiGatewayClient } from '../helpers/server.ts';
import { serveProcess, until, type ServeProcess, freshGet } from '../helpers/processes.ts';
import { deploy, putMethod, resourcePath } from '../execute/helpers.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/private-services.ts';


const statement = (effect: string, extra: object = {}) => ({ Effect: effect, Principal: '*', Action: 'execute-api:Invoke', Resource: 'execute-api:/*', ...extra });
const policy = (...statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });

describe('a resource policy on processes sharing one PostgreSQL', { timeout: 120_000 }, () => {
  let db: TestDatabase;
  const dirs: string[] = [];
  let one: ServeProcess;
  let two: ServeProcess;

  before(async () => {
    db = await createTestDatabase();
    const dir = () => {
      const d = mkdtempSync(join(tmpdir(), 'gh-policy-'));
      dirs.push(d);
      return d;
    };
    one = await serveProcess(['--port', '0', '--postgres', db.url, '--data-dir', dir()]);
    two = await serveProcess(['--port', '0', '--postgres', db.url, '--data-dir', dir(), '--workers', '2']);
  });

  after(async () => {
    await Promise.all([one?.stop(), two?.stop()]);
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    await db?.drop();
  });

  it('deployed through one process, enforced by all; a redeployed change reaches the others', async () => {
    const client = apiGatewayClient(one.url);
    try {
      const api = await client.send(new CreateRestApiCommand({ name: 'shared-policy', policy: policy(statement('Allow')) }));
      const id = api.id!;
      const pets = await resourcePath(client, id, '/pets');
      await putMethod(client, id, pets, {
        httpMethod: 'GET',
        integration: { type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } },
        responses: [{ statusCode: '200', responseTemplates: { 'application/json': '{"pets":[]}' } }],
      });
      await deploy(client, id, 'prod');
      const at = (p: ServeProcess) => `${p.url}/restapis/${id}/prod/_user_request_/pets`;
      for (const p of [one, two, two]) assert.equal((await freshGet(at(p))).status, 200);

      await client.send(new UpdateRestApiCommand({
        restApiId: id,
        patchOperations: [{ op: 'replace', path: '/policy', value: policy(statement('Allow'), statement('Deny', { Condition: { IpAddress: { 'aws:SourceIp': '127.0.0.0/8' } } })) }],
      }));
      await deploy(client, id, 'prod');
      const refused = JSON.stringify({
        Message: `User: anonymous is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:us-east-1:********0000:${id}/prod/GET/pets with an explicit deny`,
      });
      // Every process applies it from the change log (the others woken by PostgreSQL, or by their
      // 250 ms poll) and recompiles the stage; the test's timeout bounds the wait.
      for (const p of [one, two]) await until(async () => (await freshGet(at(p))).status === 403);
      for (const p of [one, two, two, two, two]) {
        const { status, body } = await freshGet(at(p));
        assert.deepEqual({ status, body }, { status: 403, body: refused });
      }
    } finally {
      client.destroy();
    }
  });
});
