// A resource policy on several `gatehouse serve` processes sharing one PostgreSQL (the second with
// two node:cluster workers): a policy deployed through one process is enforced by every process,
// and a changed policy, once redeployed through the first, reaches the others through the store's
// change log without any restart.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CreateRestApiCommand, UpdateRestApiCommand } from '@aws-sdk/client-api-gateway';
import pg from 'pg';
import { apiGatewayClient } from '../helpers/server.ts';
import { serveProcess, until, type ServeProcess } from '../helpers/processes.ts';
import { deploy, putMethod, resourcePath } from '../execute/helpers.ts';

const ADMIN = 'postgres://postgres@127.0.0.1:5432/postgres';

/** GET on a connection of its own, so that node:cluster may hand it to either worker. */
function freshGet(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const req = httpGet(url, { agent: false, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', (err) => resolve({ status: 0, body: String(err) }));
    req.on('timeout', () => req.destroy());
  });
}

const statement = (effect: string, extra: object = {}) => ({ Effect: effect, Principal: '*', Action: 'execute-api:Invoke', Resource: 'execute-api:/*', ...extra });
const policy = (...statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });

describe('a resource policy on processes sharing one PostgreSQL', { timeout: 120_000 }, () => {
  const database = `gatehouse_test_${randomBytes(6).toString('hex')}`;
  const dirs: string[] = [];
  let one: ServeProcess;
  let two: ServeProcess;

  before(async () => {
    const admin = new pg.Client({ connectionString: ADMIN });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${database}`);
    await admin.end();
    const url = new URL(ADMIN);
    url.pathname = `/${database}`;
    const dir = () => {
      const d = mkdtempSync(join(tmpdir(), 'gh-policy-'));
      dirs.push(d);
      return d;
    };
    one = await serveProcess(['--port', '0', '--postgres', url.toString(), '--data-dir', dir()]);
    two = await serveProcess(['--port', '0', '--postgres', url.toString(), '--data-dir', dir(), '--workers', '2']);
  });

  after(async () => {
    await Promise.all([one?.stop(), two?.stop()]);
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    const admin = new pg.Client({ connectionString: ADMIN });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
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
      for (const p of [one, two, two, two, two]) assert.deepEqual(await freshGet(at(p)), { status: 403, body: refused });
    } finally {
      client.destroy();
    }
  });
});
