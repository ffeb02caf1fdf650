// A COGNITO_USER_POOLS authorizer on several `gatehouse serve` processes sharing one PostgreSQL:
// the issuer mapped by the --jwks-issuer flag on one and by GATEHOUSE_JWKS_ISSUERS on the other
// (which serves with two node:cluster workers), an API built and deployed through the first and
// enforced by all, and a change of the method's scopes through the first enforced by the others.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CreateDeploymentCommand, UpdateMethodCommand } from '@aws-sdk/client-api-gateway';
import { apiGatewayClient } from '../helpers/server.ts';
import { serveProcess, until, type ServeProcess, freshGet } from '../helpers/processes.ts';
import { createApi, resourcePath } from '../execute/helpers.ts';
import { accessClaims, cognitoAuthorizer, guardedMock, idClaims, mint, poolArn, signingKey, startIssuer, type SigningKey, type TestIssuer } from './cognito-helpers.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/private-services.ts';

const POOL = poolArn('Shared');

describe('a Cognito authorizer on processes sharing one PostgreSQL', { timeout: 120_000 }, () => {
  let db: TestDatabase;
  const dirs: string[] = [];
  let key: SigningKey;
  let issuer: TestIssuer;
  let one: ServeProcess;
  let two: ServeProcess;
  let apiId: string;
  let resourceId: string;

  before(async () => {
    db = await createTestDatabase();
    key = await signingKey('k1');
    issuer = await startIssuer('shared-pool', [key]);
    const dir = () => {
      const d = mkdtempSync(join(tmpdir(), 'gh-cognito-'));
      dirs.push(d);
      return d;
    };
    one = await serveProcess(['--port', '0', '--postgres', db.url, '--data-dir', dir(), '--jwks-issuer', `${POOL}=${issuer.issuer}`]);
    two = await serveProcess(['--port', '0', '--postgres', db.url, '--data-dir', dir(), '--workers', '2'], { GATEHOUSE_JWKS_ISSUERS: `${POOL}=${issuer.issuer}` });
  });

  after(async () => {
    await Promise.all([one?.stop(), two?.stop()]);
    await issuer?.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    await db?.drop();
  });

  const call = (proc: ServeProcess, token?: string) =>
    freshGet(`${proc.url}/restapis/${apiId}/prod/_user_request_/me`, token === undefined ? {} : { Authorization: token });

  it('an API deployed through one process is guarded on every process', async () => {
    const client = apiGatewayClient(one.url);
    try {
      const api = await createApi(client, 'cognito-shared');
      apiId = api.id;
      resourceId = await resourcePath(client, apiId, '/me');
      const auth = await cognitoAuthorizer(client, apiId, 'shared', [POOL]);
      await guardedMock(client, { restApiId: apiId, resourceId }, auth, '{"sub":"$context.authorizer.claims.sub"}');
      await client.send(new CreateDeploymentCommand({ restApiId: apiId, stageName: 'prod' }));
    } finally {
      client.destroy();
    }
    const token = await mint(key, issuer.issuer, idClaims('pat'));
    for (const proc of [one, two]) {
      // Until the stage has reached the process (each of its workers).
      await until(async () => (await Promise.all([0, 1, 2, 3].map(() => call(proc, token)))).every((a) => a.status !== 403));
      for (let i = 0; i < 4; i++) {
        const ok = await call(proc, token);
        assert.equal(ok.status, 200, `${proc.url}: ${ok.body}\n${proc.stderr()}`);
        assert.deepEqual(JSON.parse(ok.body), { sub: 'pat' });
        const refused = await call(proc);
        assert.equal(refused.status, 401);
        assert.deepEqual(JSON.parse(refused.body), { message: 'Unauthorized' });
      }
    }
  });

  it('scopes added to the method through one process are required by the others after the redeploy', async () => {
    const client = apiGatewayClient(one.url);
    try {
      await client.send(new UpdateMethodCommand({
        restApiId: apiId, resourceId, httpMethod: 'GET', patchOperations: [{ op: 'add', path: '/authorizationScopes', value: 'pets/read' }],
      }));
      await client.send(new CreateDeploymentCommand({ restApiId: apiId, stageName: 'prod' }));
    } finally {
      client.destroy();
    }
    const idToken = await mint(key, issuer.issuer, idClaims('pat'));
    const accessToken = await mint(key, issuer.issuer, accessClaims('pat', 'pets/read'));
    // Every process follows the store's change log, the writer too (with PostgreSQL a change
    // reaches even the process that made it through the log): wait until several fresh
    // connections to each (both workers of the second) see the new rule.
    for (const proc of [one, two]) {
      await until(async () => {
        const answers = await Promise.all([0, 1, 2, 3].map(() => call(proc, idToken)));
        return answers.every((a) => a.status === 401);
      });
    }
    for (const proc of [one, two]) {
      for (let i = 0; i < 4; i++) {
        const refused = await call(proc, idToken);
        assert.equal(refused.status, 401, `${proc.url}: ${refused.body}`);
        const ok = await call(proc, accessToken);
        assert.equal(ok.status, 200, `${proc.url}: ${ok.body}`);
      }
    }
    // Each process fetched the issuer's keys for itself; none fetches them per request.
    assert.ok(issuer.jwksFetches() <= 3, `key set fetched ${issuer.jwksFetches()} times`);
  });
});
