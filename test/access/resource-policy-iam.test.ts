// A resource policy on AWS_IAM methods with --auth enforce: real SigV4 requests (signed by the
// SDK's SignatureV4) from users of the API's own account and of another account, combined with
// their IAM policies as AWS's tables say: the owner's account needs an Allow in either the IAM
// policy or the resource policy, another account's caller in both, and any Deny refuses.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  APIGatewayClient, CreateRestApiCommand, PutIntegrationCommand, PutIntegrationResponseCommand, PutMethodCommand, PutMethodResponseCommand, UpdateRestApiCommand,
} from '@aws-sdk/client-api-gateway';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import type { Gatehouse } from '../../src/server.ts';
import { startTestGatehouse } from '../helpers/server.ts';
import { deploy, resourcePath } from '../execute/helpers.ts';

const OWNER = '111111111111';
const PARTNER = '222222222222';
const key = (name: string) => ({ accessKeyId: `AKIA${name.toUpperCase().replace(/[^A-Z]/g, '').padEnd(16, 'X')}`, secretAccessKey: `${name}-secret` });
const KEYS = {
  owner: key('owner'), silent: key('silent'), stranger: key('stranger'), denied: key('denied'),
  partner: key('partner'), partnerSilent: key('partnersilent'),
};
const allowAll = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
const invokeOnly = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: '*' }] };
const readOnly = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'apigateway:GET', Resource: '*' }] };
const IDENTITIES = {
  accounts: {
    [OWNER]: {
      users: {
        owner: { accessKeys: [KEYS.owner], policies: { all: allowAll } },
        silent: { accessKeys: [KEYS.silent], policies: { read: readOnly } },
        stranger: { accessKeys: [KEYS.stranger], policies: { read: readOnly } },
        denied: { accessKeys: [KEYS.denied], policies: { all: allowAll, no: { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'execute-api:Invoke', Resource: '*' }] } } },
      },
    },
    [PARTNER]: {
      users: {
        partner: { accessKeys: [KEYS.partner], policies: { invoke: invokeOnly } },
        silent: { accessKeys: [KEYS.partnerSilent], policies: { read: readOnly } },
      },
    },
  },
};

const userArn = (account: string, name: string) => `arn:aws:iam::${account}:user/${name}`;
const statement = (effect: string, principal: unknown, resource = 'execute-api:/*', extra: object = {}) =>
  ({ Effect: effect, Principal: principal, Action: 'execute-api:Invoke', Resource: resource, ...extra });
const policy = (...statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });

let gh: Gatehouse;
let client: APIGatewayClient;
let apiId: string;

before(async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'gatehouse-rp-iam-')), 'identities.json');
  writeFileSync(file, JSON.stringify(IDENTITIES));
  gh = await startTestGatehouse({ auth: 'enforce', identities: file });
  client = new APIGatewayClient({ endpoint: gh.url, region: 'us-east-1', credentials: KEYS.owner, maxAttempts: 1 });
  const api = await client.send(new CreateRestApiCommand({ name: 'iam-and-policy' }));
  apiId = api.id!;
  for (const path of ['/pets', '/private']) {
    const ids = { restApiId: apiId, resourceId: await resourcePath(client, apiId, path), httpMethod: 'GET' };
    await client.send(new PutMethodCommand({ ...ids, authorizationType: 'AWS_IAM' }));
    await client.send(new PutIntegrationCommand({ ...ids, type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } }));
    await client.send(new PutMethodResponseCommand({ ...ids, statusCode: '200' }));
    await client.send(new PutIntegrationResponseCommand({ ...ids, statusCode: '200', responseTemplates: { 'application/json': '{"caller":"$context.identity.userArn"}' } }));
  }
});

after(async () => {
  client.destroy();
  await gh.close();
});

async function usePolicy(text: string): Promise<void> {
  await client.send(new UpdateRestApiCommand({ restApiId: apiId, patchOperations: [{ op: 'replace', path: '/policy', value: text }] }));
  await deploy(client, apiId, 'test');
}

/** GET on the stage signed for execute-api with `credentials`. */
async function signedGet(credentials: { accessKeyId: string; secretAccessKey: string }, path: string): Promise<{ status: number; body: string }> {
  const url = new URL(`${gh.url}/restapis/${apiId}/test/_user_request_${path}`);
  const signer = new SignatureV4({ service: 'execute-api', region: 'us-east-1', credentials, sha256: Sha256 });
  const signed = await signer.sign({
    method: 'GET', protocol: url.protocol, hostname: url.hostname, port: Number(url.port), path: url.pathname, query: {}, headers: { host: url.host },
  });
  const { host: _host, ...headers } = signed.headers;
  const res = await fetch(url, { headers });
  return { status: res.status, body: await res.text() };
}

function refused(user: string, path: string, explicit: boolean): { status: number; body: string } {
  const resource = `arn:aws:execute-api:us-east-1:********${OWNER.slice(-4)}:${apiId}/test/GET${path}`;
  return { status: 403, body: JSON.stringify({ Message: `User: ${user} is not authorized to perform: execute-api:Invoke on resource: ${resource}${explicit ? ' with an explicit deny' : ''}` }) };
}

const admitted = (account: string, name: string) => ({ status: 200, body: JSON.stringify({ caller: userArn(account, name) }) });

describe('AWS_IAM methods with a resource policy (--auth enforce)', () => {
  it('the API\'s own account (table A): an Allow in either the IAM policy or the resource policy admits; neither refuses; a Deny in either refuses', async () => {
    await usePolicy(policy(
      statement('Allow', { AWS: userArn(OWNER, 'silent') }, 'execute-api:/*/GET/pets'),
      statement('Allow', { AWS: userArn(PARTNER, 'partner') }, 'execute-api:/*/GET/pets'),
    ));
    // IAM Allow, policy silent.
    assert.deepEqual(await signedGet(KEYS.owner, '/pets'), admitted(OWNER, 'owner'));
    // IAM silent, policy Allow.
    assert.deepEqual(await signedGet(KEYS.silent, '/pets'), admitted(OWNER, 'silent'));
    // Both silent.
    assert.deepEqual(await signedGet(KEYS.stranger, '/pets'), refused(userArn(OWNER, 'stranger'), '/pets', false));
    assert.deepEqual(await signedGet(KEYS.silent, '/private'), refused(userArn(OWNER, 'silent'), '/private', false));
    // IAM Deny.
    assert.deepEqual(await signedGet(KEYS.denied, '/pets'), refused(userArn(OWNER, 'denied'), '/pets', true));
  });

  it('another account (table B): an Allow in both admits; either one alone does not', async () => {
    // Partner: IAM Allow, policy Allow (for the user).
    assert.deepEqual(await signedGet(KEYS.partner, '/pets'), admitted(PARTNER, 'partner'));
    // Partner: IAM Allow, policy silent for /private.
    assert.deepEqual(await signedGet(KEYS.partner, '/private'), refused(userArn(PARTNER, 'partner'), '/private', false));
    // IAM silent, policy Allow for the whole account.
    await usePolicy(policy(statement('Allow', { AWS: PARTNER })));
    assert.deepEqual(await signedGet(KEYS.partnerSilent, '/pets'), refused(userArn(PARTNER, 'silent'), '/pets', false));
    assert.deepEqual(await signedGet(KEYS.partner, '/private'), admitted(PARTNER, 'partner'));
  });

  it('the resource policy\'s Deny refuses every account, its owner\'s too', async () => {
    await usePolicy(policy(
      statement('Allow', '*'),
      statement('Deny', '*', 'execute-api:/*', { Condition: { IpAddress: { 'aws:SourceIp': '127.0.0.0/8' } } }),
    ));
    assert.deepEqual(await signedGet(KEYS.owner, '/pets'), refused(userArn(OWNER, 'owner'), '/pets', true));
    assert.deepEqual(await signedGet(KEYS.partner, '/pets'), refused(userArn(PARTNER, 'partner'), '/pets', true));
    // Unsigned: the signature step answers first.
    const unsigned = await fetch(`${gh.url}/restapis/${apiId}/test/_user_request_/pets`);
    assert.equal(unsigned.status, 403);
    assert.deepEqual(await unsigned.json(), { message: 'Missing Authentication Token' });
  });
});
