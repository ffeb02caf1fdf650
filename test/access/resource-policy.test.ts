// Resource policies end to end: APIs built and deployed through the AWS SDK v3 on a real gateway,
// called over real HTTP from 127.0.0.1 (and ::1, and as an IPv4-mapped address on a dual-stack
// socket), answered as AWS answers: 403 AccessDeniedException {"Message":"User: anonymous is not
// authorized to perform: execute-api:Invoke on resource: arn:...[ with an explicit deny]"}.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateRestApiCommand, GetExportCommand, GetRestApiCommand, ImportRestApiCommand, PutGatewayResponseCommand, PutRestApiCommand,
  UpdateRestApiCommand, type APIGatewayClient,
} from '@aws-sdk/client-api-gateway';
import { K } from '../../src/kinds.ts';
import type { Gatehouse } from '../../src/server.ts';
import { apiGatewayClient, rejects, startTestGatehouse } from '../helpers/server.ts';
import { callStage, createApi, deploy, putMethod, resourcePath, type Answer } from '../execute/helpers.ts';
import { accessClaims, cognitoAuthorizer, guardedMock, idClaims, mint, poolArn, signingKey, startIssuer, type SigningKey, type TestIssuer } from './cognito-helpers.ts';

const ACCOUNT = '000000000000';
const MOCK = { type: 'MOCK' as const, requestTemplates: { 'application/json': '{"statusCode": 200}' } };

type Statement = Record<string, unknown>;
const policy = (...statements: Statement[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const allow = (resource: string | string[] = 'execute-api:/*', extra: Statement = {}): Statement =>
  ({ Effect: 'Allow', Principal: '*', Action: 'execute-api:Invoke', Resource: resource, ...extra });
const deny = (resource: string | string[] = 'execute-api:/*', extra: Statement = {}): Statement =>
  ({ Effect: 'Deny', Principal: '*', Action: 'execute-api:Invoke', Resource: resource, ...extra });

/** AWS's refusal, with the account shown as its last four digits. */
function denial(restApiId: string, stageVerbPath: string, explicit: boolean, user = 'anonymous'): string {
  const arn = `arn:aws:execute-api:us-east-1:********${ACCOUNT.slice(-4)}:${restApiId}/${stageVerbPath}`;
  return JSON.stringify({ Message: `User: ${user} is not authorized to perform: execute-api:Invoke on resource: ${arn}${explicit ? ' with an explicit deny' : ''}` });
}

function assertDenied(a: Answer, restApiId: string, stageVerbPath: string, explicit: boolean): void {
  assert.equal(a.status, 403, a.body);
  assert.equal(a.headers['x-amzn-errortype'], 'AccessDeniedException');
  assert.equal(a.headers['content-type'], 'application/json');
  assert.equal(a.body, denial(restApiId, stageVerbPath, explicit));
}

let gh: Gatehouse;
let client: APIGatewayClient;
before(async () => {
  gh = await startTestGatehouse();
  client = apiGatewayClient(gh.url);
});
after(async () => {
  client.destroy();
  await gh.close();
});

/** /pets (GET, POST) and /pets/{petId} (GET, DELETE), MOCK, with `policy`; returns the API id. */
async function petsApi(name: string, resourcePolicy?: string): Promise<string> {
  const api = await client.send(new CreateRestApiCommand({ name, policy: resourcePolicy }));
  const pets = await resourcePath(client, api.id!, '/pets');
  const pet = await resourcePath(client, api.id!, '/pets/{petId}');
  for (const [id, verb, body] of [[pets, 'GET', '[]'], [pets, 'POST', '{"created":true}'], [pet, 'GET', '{"pet":true}'], [pet, 'DELETE', '{}']] as const) {
    await putMethod(client, api.id!, id, { httpMethod: verb, integration: MOCK, responses: [{ statusCode: '200', responseTemplates: { 'application/json': body } }] });
  }
  return api.id!;
}

async function setPolicy(restApiId: string, text: string): Promise<void> {
  await client.send(new UpdateRestApiCommand({ restApiId, patchOperations: [{ op: 'replace', path: '/policy', value: text }] }));
}

/** GET on the stage from ::1. */
async function viaIpv6(port: string, restApiId: string, path: string): Promise<Answer> {
  const res = await fetch(`http://[::1]:${port}/restapis/${restApiId}/test/_user_request_${path}`);
  return { status: res.status, headers: Object.fromEntries(res.headers), body: await res.text() };
}

describe('source IP conditions', () => {
  it('a Deny for 127.0.0.0/8 refuses the test client with AWS\'s explicit-deny answer; X-Forwarded-For does not get round it; allowed once redeployed without it', async () => {
    const id = await petsApi('ip-deny', policy(allow(), deny('execute-api:/*', { Condition: { IpAddress: { 'aws:SourceIp': ['127.0.0.0/8'] } } })));
    await deploy(client, id, 'test');
    assertDenied(await callStage(gh.url, id, 'test', '/pets'), id, 'test/GET/pets', true);
    // The request's ARN names the path as requested, not the resource's template.
    assertDenied(await callStage(gh.url, id, 'test', '/pets/42', { method: 'DELETE' }), id, 'test/DELETE/pets/42', true);
    assertDenied(await callStage(gh.url, id, 'test', '/pets', { headers: { 'X-Forwarded-For': '203.0.113.9' } }), id, 'test/GET/pets', true);

    // A policy change is served from the next deployment, as on AWS.
    await setPolicy(id, policy(allow(), deny('execute-api:/*', { Condition: { IpAddress: { 'aws:SourceIp': ['10.0.0.0/8', '2001:db8::/32'] } } })));
    assert.equal((await callStage(gh.url, id, 'test', '/pets')).status, 403);
    await deploy(client, id, 'test');
    const ok = await callStage(gh.url, id, 'test', '/pets');
    assert.equal(ok.status, 200, ok.body);
    assert.equal(ok.body, '[]');
  });

  it('an allow-list: 127.0.0.1/32 is let in; a list without it is an implicit deny (no "explicit deny"); NotIpAddress denies everyone else', async () => {
    const id = await petsApi('ip-allow', policy(allow('execute-api:/*', { Condition: { IpAddress: { 'aws:SourceIp': '127.0.0.1/32' } } })));
    await deploy(client, id, 'test');
    assert.equal((await callStage(gh.url, id, 'test', '/pets/1')).status, 200);

    await setPolicy(id, policy(allow('execute-api:/*', { Condition: { IpAddress: { 'aws:SourceIp': ['192.0.2.0/24', '::1/128'] } } })));
    await deploy(client, id, 'test');
    assertDenied(await callStage(gh.url, id, 'test', '/pets/1'), id, 'test/GET/pets/1', false);

    await setPolicy(id, policy(allow(), deny('execute-api:/*', { Condition: { NotIpAddress: { 'aws:SourceIp': ['198.51.100.0/24'] } } })));
    await deploy(client, id, 'test');
    assertDenied(await callStage(gh.url, id, 'test', '/pets/1'), id, 'test/GET/pets/1', true);
  });

  it('IPv6 and dual-stack: a client on ::1 matches ::1/128, and 127.0.0.1 reaching a socket on :: is seen as 127.0.0.1', async () => {
    const dual = await startTestGatehouse({ host: '::', auth: 'open' });
    const port = new URL(dual.url).port;
    const c = apiGatewayClient(`http://127.0.0.1:${port}`);
    try {
      const api = await c.send(new CreateRestApiCommand({
        name: 'ipv6',
        policy: policy(allow(), deny('execute-api:/*', { Condition: { IpAddress: { 'aws:SourceIp': ['::1/128', '127.0.0.2/32'] } } })),
      }));
      const res = await resourcePath(c, api.id!, '/here');
      await putMethod(c, api.id!, res, { httpMethod: 'GET', integration: MOCK, responses: [{ statusCode: '200', responseTemplates: { 'application/json': '{"ip":"$context.identity.sourceIp"}' } }] });
      await deploy(c, api.id!, 'test');
      const v4 = await callStage(`http://127.0.0.1:${port}`, api.id!, 'test', '/here');
      assert.equal(v4.status, 200, v4.body);
      assertDenied(await viaIpv6(port, api.id!, '/here'), api.id!, 'test/GET/here', true);

      // 127.0.0.0/8 in IPv4 notation matches the mapped address too.
      await c.send(new UpdateRestApiCommand({ restApiId: api.id!, patchOperations: [{ op: 'replace', path: '/policy', value: policy(allow(), deny('execute-api:/*', { Condition: { IpAddress: { 'aws:SourceIp': '127.0.0.0/8' } } })) }] }));
      await deploy(c, api.id!, 'test');
      assertDenied(await callStage(`http://127.0.0.1:${port}`, api.id!, 'test', '/here'), api.id!, 'test/GET/here', true);
      assert.equal((await viaIpv6(port, api.id!, '/here')).status, 200);
    } finally {
      c.destroy();
      await dual.close();
    }
  });
});

describe('resources, principals and other conditions', () => {
  it('an explicit deny of one method path refuses it while the others pass', async () => {
    const id = await petsApi('one-path', policy(allow(), deny('execute-api:/test/POST/pets')));
    await deploy(client, id, 'test');
    assertDenied(await callStage(gh.url, id, 'test', '/pets', { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } }), id, 'test/POST/pets', true);
    assert.equal((await callStage(gh.url, id, 'test', '/pets')).status, 200);
    assert.equal((await callStage(gh.url, id, 'test', '/pets/7')).status, 200);
    assert.equal((await callStage(gh.url, id, 'test', '/pets/7', { method: 'DELETE' })).status, 200);

    // Wildcards: any stage, DELETE under /pets/; '?' is one character. The full ARN works as the shorthand does.
    await setPolicy(id, policy(
      allow(`arn:aws:execute-api:us-east-1:${ACCOUNT}:${id}/*`),
      deny(['execute-api:/*/DELETE/pets/*', `arn:aws:execute-api:*:*:${id}/*/GET/pets/??`]),
    ));
    await deploy(client, id, 'prod');
    assertDenied(await callStage(gh.url, id, 'prod', '/pets/7', { method: 'DELETE' }), id, 'prod/DELETE/pets/7', true);
    assertDenied(await callStage(gh.url, id, 'prod', '/pets/42'), id, 'prod/GET/pets/42', true);
    assert.equal((await callStage(gh.url, id, 'prod', '/pets/7')).status, 200);
    assert.equal((await callStage(gh.url, id, 'prod', '/pets/123')).status, 200);
    // Only the stage deployed since sees the new policy.
    assert.equal((await callStage(gh.url, id, 'test', '/pets/7', { method: 'DELETE' })).status, 200);
  });

  it('no statement for the path is an implicit deny; an Allow for another API or another action grants nothing', async () => {
    const id = await petsApi('implicit', policy(
      allow('execute-api:/*/GET/pets'),
      allow(`arn:aws:execute-api:us-east-1:${ACCOUNT}:otherapi00/*`),
      { Effect: 'Allow', Principal: '*', Action: 'execute-api:InvalidateCache', Resource: 'execute-api:/*' },
    ));
    await deploy(client, id, 'test');
    assert.equal((await callStage(gh.url, id, 'test', '/pets')).status, 200);
    assertDenied(await callStage(gh.url, id, 'test', '/pets/1'), id, 'test/GET/pets/1', false);
  });

  it('principals: an Allow only for another account\'s principals does not let an anonymous caller in; NotPrincipal of them does', async () => {
    const id = await petsApi('principals', policy({
      Effect: 'Allow', Principal: { AWS: ['arn:aws:iam::222222222222:root', 'arn:aws:iam::222222222222:role/Caller', '333333333333'] },
      Action: 'execute-api:Invoke', Resource: 'execute-api:/*',
    }));
    await deploy(client, id, 'test');
    assertDenied(await callStage(gh.url, id, 'test', '/pets'), id, 'test/GET/pets', false);

    await setPolicy(id, policy({ Effect: 'Allow', NotPrincipal: { AWS: 'arn:aws:iam::222222222222:root' }, Action: 'execute-api:Invoke', Resource: 'execute-api:/*' }));
    await deploy(client, id, 'test');
    assert.equal((await callStage(gh.url, id, 'test', '/pets')).status, 200);
  });

  it('no VPCs here: a Deny unless aws:SourceVpce is the endpoint refuses everyone, an Allow only from a VPC lets no one in; aws:UserAgent and aws:Referer are the request\'s; aws:SecureTransport is false', async () => {
    const id = await petsApi('vpc', policy(allow(), deny('execute-api:/*', { Condition: { StringNotEquals: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } } })));
    await deploy(client, id, 'test');
    assertDenied(await callStage(gh.url, id, 'test', '/pets'), id, 'test/GET/pets', true);

    await setPolicy(id, policy(allow('execute-api:/*', { Condition: { StringEquals: { 'aws:SourceVpc': 'vpc-2f09a348' } } })));
    await deploy(client, id, 'test');
    assertDenied(await callStage(gh.url, id, 'test', '/pets'), id, 'test/GET/pets', false);

    await setPolicy(id, policy(
      allow('execute-api:/*', { Condition: { StringLike: { 'aws:Referer': 'https://app.example/*' } } }),
      deny('execute-api:/*', { Condition: { StringLike: { 'aws:UserAgent': '*BadBot*' } } }),
    ));
    await deploy(client, id, 'test');
    assert.equal((await callStage(gh.url, id, 'test', '/pets', { headers: { Referer: 'https://app.example/page' } })).status, 200);
    assertDenied(await callStage(gh.url, id, 'test', '/pets', { headers: { Referer: 'https://elsewhere.example/' } }), id, 'test/GET/pets', false);
    assertDenied(await callStage(gh.url, id, 'test', '/pets', { headers: { Referer: 'https://app.example/page', 'User-Agent': 'x BadBot/1.0' } }), id, 'test/GET/pets', true);

    // Gatehouse serves plain HTTP: the guide's "deny unless TLS" statement refuses.
    await setPolicy(id, policy(allow(), deny('execute-api:/*', { Condition: { Bool: { 'aws:SecureTransport': 'false' } } })));
    await deploy(client, id, 'test');
    assertDenied(await callStage(gh.url, id, 'test', '/pets'), id, 'test/GET/pets', true);
  });

  it('the refusal answers through the API\'s ACCESS_DENIED gateway response when it customizes one', async () => {
    const id = await petsApi('gateway-response', policy(deny()));
    await client.send(new PutGatewayResponseCommand({
      restApiId: id, responseType: 'DEFAULT_4XX', responseParameters: { 'gatewayresponse.header.Access-Control-Allow-Origin': "'*'" },
    }));
    await deploy(client, id, 'test');
    // Headers only: AWS's own body stays.
    const withHeader = await callStage(gh.url, id, 'test', '/pets');
    assert.equal(withHeader.status, 403);
    assert.equal(withHeader.headers['access-control-allow-origin'], '*');
    assert.equal(withHeader.body, denial(id, 'test/GET/pets', true));

    await client.send(new PutGatewayResponseCommand({
      restApiId: id, responseType: 'ACCESS_DENIED', statusCode: '451',
      responseTemplates: { 'application/json': '{"refused":$context.error.messageString,"type":"$context.error.responseType"}' },
    }));
    await deploy(client, id, 'test');
    const custom = await callStage(gh.url, id, 'test', '/pets');
    assert.equal(custom.status, 451);
    const body = JSON.parse(custom.body);
    assert.equal(body.type, 'ACCESS_DENIED');
    assert.match(body.refused, /^User: anonymous is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:us-east-1:\*{8}0000:[a-z0-9]+\/test\/GET\/pets with an explicit deny$/);
  });
});

describe('with a Cognito user pool authorizer', () => {
  let key: SigningKey;
  let issuer: TestIssuer;
  let cognito: Gatehouse;
  let c: APIGatewayClient;
  const POOL = poolArn('ResourcePolicy');
  before(async () => {
    key = await signingKey('rp1');
    issuer = await startIssuer('rp-pool', [key]);
    cognito = await startTestGatehouse({ jwksIssuers: `${POOL}=${issuer.issuer}` });
    c = apiGatewayClient(cognito.url);
  });
  after(async () => {
    c.destroy();
    await cognito.close();
    await issuer.close();
  });

  it('the token is checked first (401), then the policy must allow the caller', async () => {
    const api = await createApi(c, 'cognito-policy');
    await c.send(new UpdateRestApiCommand({ restApiId: api.id, patchOperations: [{ op: 'replace', path: '/policy', value: policy(allow('execute-api:/*/GET/me')) }] }));
    const authorizerId = await cognitoAuthorizer(c, api.id, 'pool', [POOL]);
    const me = await resourcePath(c, api.id, '/me');
    const other = await resourcePath(c, api.id, '/other');
    await guardedMock(c, { restApiId: api.id, resourceId: me }, authorizerId, '{"sub":"$context.authorizer.claims.sub"}');
    await guardedMock(c, { restApiId: api.id, resourceId: other }, authorizerId, '{}');
    await deploy(c, api.id, 'test');
    const token = await mint(key, issuer.issuer, idClaims('alice'));
    const ok = await callStage(cognito.url, api.id, 'test', '/me', { headers: { Authorization: token } });
    assert.equal(ok.status, 200, ok.body);
    assert.deepEqual(JSON.parse(ok.body), { sub: 'alice' });
    // Verified, but no statement allows /other: refused by the policy.
    assertDenied(await callStage(cognito.url, api.id, 'test', '/other', { headers: { Authorization: token } }), api.id, 'test/GET/other', false);
    // A bad token is 401 whatever the policy says.
    const bad = await callStage(cognito.url, api.id, 'test', '/other', { headers: { Authorization: 'not-a-jwt' } });
    assert.equal(bad.status, 401);

    await c.send(new UpdateRestApiCommand({ restApiId: api.id, patchOperations: [{ op: 'replace', path: '/policy', value: policy(allow(), deny('execute-api:/*', { Condition: { IpAddress: { 'aws:SourceIp': '127.0.0.0/8' } } })) }] }));
    await deploy(c, api.id, 'test');
    assertDenied(await callStage(cognito.url, api.id, 'test', '/me', { headers: { Authorization: token } }), api.id, 'test/GET/me', true);
    assert.equal((await callStage(cognito.url, api.id, 'test', '/me', { headers: { Authorization: await mint(key, issuer.issuer, accessClaims('bob', 'x')) } })).status, 401);
  });
});

describe('policies AWS refuses, and one an older store kept', () => {
  const INVALID = /^Invalid policy document\. Please check the policy syntax and ensure that Principals are valid\.$/;
  const malformed: [string, string][] = [
    ['not JSON', '{"Version": "2012-10-17", "Statement": ['],
    ['not an object', '["execute-api:Invoke"]'],
    ['no statement', '{"Version":"2012-10-17","Statement":[]}'],
    ['no Principal', JSON.stringify({ Statement: [{ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: '*' }] })],
    ['a principal that is no account or ARN', JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: { AWS: 'bob' }, Action: 'execute-api:Invoke', Resource: '*' }] })],
    ['Effect Maybe', JSON.stringify({ Statement: [{ Effect: 'Maybe', Principal: '*', Action: 'execute-api:Invoke', Resource: '*' }] })],
    ['a bad CIDR', policy(allow('execute-api:/*', { Condition: { IpAddress: { 'aws:SourceIp': '300.1.2.3/8' } } }))],
    ['an unknown operator', policy(allow('execute-api:/*', { Condition: { StringSortOf: { 'aws:UserAgent': 'x' } } }))],
    ['an unknown version', JSON.stringify({ Version: '2020-01-01', Statement: [allow()] })],
  ];

  it('CreateRestApi, UpdateRestApi and PutRestApi refuse each malformed policy with AWS\'s BadRequestException, storing nothing', async () => {
    const id = await petsApi('refusals', policy(allow()));
    for (const [why, text] of malformed) {
      await rejects(client.send(new CreateRestApiCommand({ name: `bad ${why}`, policy: text })), 'BadRequestException', INVALID, 400);
      await rejects(client.send(new UpdateRestApiCommand({ restApiId: id, patchOperations: [{ op: 'replace', path: '/policy', value: text }] })), 'BadRequestException', INVALID, 400);
      const body = `{"swagger":"2.0","info":{"title":"bad","version":"1"},"paths":{},"x-amazon-apigateway-policy":${JSON.stringify(text)}}`;
      await rejects(client.send(new PutRestApiCommand({ restApiId: id, mode: 'merge', body: Buffer.from(body) })), 'BadRequestException', /Invalid policy document/, 400);
      await rejects(client.send(new ImportRestApiCommand({ body: Buffer.from(body) })), 'BadRequestException', /Invalid policy document/, 400);
    }
    const api = await client.send(new GetRestApiCommand({ restApiId: id }));
    assert.equal(api.policy, policy(allow(`arn:aws:execute-api:us-east-1:${ACCOUNT}:${id}/*`)));
  });

  it('a policy an older store kept without checking answers 500 on invoke (closed, not open) until a valid one is deployed', async () => {
    const id = await petsApi('legacy');
    const partition = `${gh.config.accountId}/${gh.config.region}`;
    await gh.store.write(partition, async (tx) => {
      const api = (await tx.get<Record<string, unknown>>(K.restApi, '', id))!;
      await tx.put(K.restApi, '', id, { ...api, policy: '{"Statement":{"Effect":"Allow"}}' });
    });
    await deploy(client, id, 'test');
    const broken = await callStage(gh.url, id, 'test', '/pets');
    assert.equal(broken.status, 500);
    assert.deepEqual(JSON.parse(broken.body), { message: 'Internal server error' });
    await setPolicy(id, policy(allow()));
    await deploy(client, id, 'test');
    assert.equal((await callStage(gh.url, id, 'test', '/pets')).status, 200);
  });
});

describe('the execute-api:/ shorthand, import and export', () => {
  it('is stored as the API\'s ARN by CreateRestApi, UpdateRestApi and import, as AWS stores it; a policy without it is kept as written', async () => {
    const created = await client.send(new CreateRestApiCommand({ name: 'shorthand', policy: policy(allow('execute-api:/*'), deny(['execute-api:/prod/DELETE/*', 'arn:aws:execute-api:*:*:*/x'])) }));
    assert.deepEqual(JSON.parse(created.policy!).Statement.map((s: Statement) => s.Resource), [
      `arn:aws:execute-api:us-east-1:${ACCOUNT}:${created.id}/*`,
      [`arn:aws:execute-api:us-east-1:${ACCOUNT}:${created.id}/prod/DELETE/*`, 'arn:aws:execute-api:*:*:*/x'],
    ]);
    const asWritten = `{ "Version": "2012-10-17",\n  "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "arn:aws:execute-api:*:*:*"}] }`;
    await setPolicy(created.id!, asWritten);
    assert.equal((await client.send(new GetRestApiCommand({ restApiId: created.id! }))).policy, asWritten);
  });

  it('x-amazon-apigateway-policy: imported with the shorthand expanded, enforced, exported as an object (Swagger and OpenAPI 3), and imported back the same', async () => {
    const definition = {
      swagger: '2.0',
      info: { title: 'policy-roundtrip', version: '1' },
      paths: { '/pets': { get: { responses: { 200: { description: 'ok' } }, 'x-amazon-apigateway-integration': { type: 'mock', requestTemplates: { 'application/json': '{"statusCode": 200}' }, responses: { default: { statusCode: '200' } } } } } },
      'x-amazon-apigateway-policy': {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: '*', Action: 'execute-api:Invoke', Resource: ['execute-api:/*'] },
          { Effect: 'Deny', Principal: '*', Action: 'execute-api:Invoke', Resource: ['execute-api:/*'], Condition: { IpAddress: { 'aws:SourceIp': '127.0.0.0/8' } } },
        ],
      },
    };
    const imported = await client.send(new ImportRestApiCommand({ body: Buffer.from(JSON.stringify(definition)) }));
    const expanded = `arn:aws:execute-api:us-east-1:${ACCOUNT}:${imported.id}/*`;
    assert.deepEqual(JSON.parse(imported.policy!).Statement[0].Resource, [expanded]);
    await deploy(client, imported.id!, 'test');
    assertDenied(await callStage(gh.url, imported.id!, 'test', '/pets'), imported.id!, 'test/GET/pets', true);

    for (const exportType of ['swagger', 'oas30']) {
      const out = await client.send(new GetExportCommand({ restApiId: imported.id!, stageName: 'test', exportType, parameters: { extensions: 'apigateway' }, accepts: 'application/json' }));
      const doc = JSON.parse(Buffer.from(out.body!).toString('utf8'));
      assert.deepEqual(doc['x-amazon-apigateway-policy'], JSON.parse(imported.policy!), exportType);
    }
    const out = await client.send(new GetExportCommand({ restApiId: imported.id!, stageName: 'test', exportType: 'swagger', parameters: { extensions: 'apigateway' }, accepts: 'application/json' }));
    const again = await client.send(new ImportRestApiCommand({ body: out.body! }));
    assert.deepEqual(JSON.parse(again.policy!), JSON.parse(imported.policy!));
    // PutRestApi expands the shorthand for the API it writes into.
    const target = await client.send(new CreateRestApiCommand({ name: 'put-target' }));
    const put = await client.send(new PutRestApiCommand({ restApiId: target.id!, mode: 'overwrite', body: Buffer.from(JSON.stringify(definition)) }));
    assert.deepEqual(JSON.parse(put.policy!).Statement[1].Resource, [`arn:aws:execute-api:us-east-1:${ACCOUNT}:${target.id}/*`]);
  });
});
