// --auth enforce on the management API, end to end with the real AWS SDK v3 and the real AWS CLI:
// the right key works; an unknown key, a wrong secret, an inactive key, a missing or wrong session
// token, expired session credentials, a skewed clock, an expired presigned URL and an unsigned
// request are refused with AWS's errors; a policy denying DeleteRestApi refuses exactly that; two
// accounts on one gateway see only their own APIs; hostile Authorization headers get 403 or 431.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CreateRestApiCommand, DeleteRestApiCommand, GetRestApiCommand, GetRestApisCommand, type APIGatewayClient } from '@aws-sdk/client-api-gateway';
import type { Gatehouse } from '../../src/server.ts';
import { rejects } from '../helpers/server.ts';
import { ACCOUNT_A, apiGateway, cli, KEYS, signedFetch, startEnforcing, type Credentials } from './helpers.ts';

const SIGNATURE_MISMATCH = 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';
const INVALID_TOKEN = 'The security token included in the request is invalid.';

let gh: Gatehouse;
const clients: APIGatewayClient[] = [];
const sdk = (credentials: Credentials, extra?: Record<string, unknown>): APIGatewayClient => {
  const c = apiGateway(gh.url, credentials, extra);
  clients.push(c);
  return c;
};

before(async () => {
  gh = await startEnforcing();
});
after(async () => {
  for (const c of clients) c.destroy();
  await gh.close();
});

describe('enforce: the right key works, with the SDK and the CLI', () => {
  it('an admin creates, reads and deletes a REST API with the SDK', async () => {
    const admin = sdk(KEYS.admin);
    const api = await admin.send(new CreateRestApiCommand({ name: 'sdk-admin' }));
    const got = await admin.send(new GetRestApiCommand({ restApiId: api.id! }));
    assert.equal(got.name, 'sdk-admin');
    await admin.send(new DeleteRestApiCommand({ restApiId: api.id! }));
    await rejects(admin.send(new GetRestApiCommand({ restApiId: api.id! })), 'NotFoundException');
  });

  it('the AWS CLI with the right key creates and lists', async () => {
    const created = await cli(gh.url, KEYS.admin, ['apigateway', 'create-rest-api', '--name', 'cli-admin']);
    assert.ok(created.ok, JSON.stringify(created));
    const listed = await cli(gh.url, KEYS.admin, ['apigateway', 'get-rest-apis']);
    assert.ok(listed.ok);
    assert.ok((listed.json as { items: Array<{ name: string }> }).items.some((i) => i.name === 'cli-admin'));
  });

  it('a role session signs with its session token (SDK and CLI)', async () => {
    const api = await sdk(KEYS.session).send(new CreateRestApiCommand({ name: 'by-role' }));
    assert.ok(api.id);
    const r = await cli(gh.url, KEYS.session, ['apigateway', 'get-rest-api', '--rest-api-id', api.id!]);
    assert.ok(r.ok, JSON.stringify(r));
  });

  it('the account root user may do anything in its account', async () => {
    const root = sdk(KEYS.rootA);
    const api = await root.send(new CreateRestApiCommand({ name: 'by-root' }));
    await root.send(new DeleteRestApiCommand({ restApiId: api.id! }));
  });
});

describe('enforce: wrong credentials are refused with AWS\'s errors', () => {
  it('an unknown access key: 403 UnrecognizedClientException (SDK and CLI)', async () => {
    await rejects(sdk({ accessKeyId: 'AKIANOSUCHKEY0000001', secretAccessKey: 'x' }).send(new GetRestApisCommand({})), 'UnrecognizedClientException', INVALID_TOKEN, 403);
    const r = await cli(gh.url, { accessKeyId: 'AKIANOSUCHKEY0000001', secretAccessKey: 'x' }, ['apigateway', 'get-rest-apis']);
    assert.deepEqual(r, { ok: false, code: 'UnrecognizedClientException', message: INVALID_TOKEN });
  });

  it('a wrong secret: 403 InvalidSignatureException (SDK and CLI)', async () => {
    const wrong = { accessKeyId: KEYS.admin.accessKeyId, secretAccessKey: 'not-the-secret' };
    await rejects(sdk(wrong).send(new GetRestApisCommand({})), 'InvalidSignatureException', SIGNATURE_MISMATCH, 403);
    await rejects(sdk(wrong).send(new CreateRestApiCommand({ name: 'never' })), 'InvalidSignatureException', SIGNATURE_MISMATCH, 403);
    const r = await cli(gh.url, wrong, ['apigateway', 'create-rest-api', '--name', 'never']);
    assert.deepEqual(r, { ok: false, code: 'InvalidSignatureException', message: SIGNATURE_MISMATCH });
    const listed = await sdk(KEYS.admin).send(new GetRestApisCommand({}));
    assert.ok(!listed.items?.some((i) => i.name === 'never'), 'nothing was created by a refused call');
  });

  it('an inactive key is refused as an unknown one', async () => {
    await rejects(sdk(KEYS.inactive).send(new GetRestApisCommand({})), 'UnrecognizedClientException', INVALID_TOKEN, 403);
  });

  it('temporary credentials need their own session token, and expire', async () => {
    const { sessionToken: _token, ...withoutToken } = KEYS.session;
    await rejects(sdk(withoutToken).send(new GetRestApisCommand({})), 'UnrecognizedClientException', INVALID_TOKEN, 403);
    await rejects(sdk({ ...KEYS.session, sessionToken: 'another-token' }).send(new GetRestApisCommand({})), 'UnrecognizedClientException', INVALID_TOKEN, 403);
    await rejects(sdk({ ...KEYS.admin, sessionToken: 'a-token-for-long-term-keys' }).send(new GetRestApisCommand({})), 'UnrecognizedClientException', INVALID_TOKEN, 403);
    await rejects(sdk(KEYS.expiredSession).send(new GetRestApisCommand({})), 'ExpiredTokenException', 'The security token included in the request is expired', 403);
  });

  it('a client clock 20 minutes behind: Signature expired (SDK with a skewed clock)', async () => {
    await rejects(
      sdk(KEYS.admin, { systemClockOffset: -20 * 60_000 }).send(new GetRestApisCommand({})),
      'InvalidSignatureException',
      /^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 15 min\.\)$/,
      403,
    );
    await rejects(
      sdk(KEYS.admin, { systemClockOffset: 20 * 60_000 }).send(new GetRestApisCommand({})),
      'InvalidSignatureException',
      /^Signature not yet current: \d{8}T\d{6}Z is still later than \d{8}T\d{6}Z \(\d{8}T\d{6}Z \+ 15 min\.\)$/,
      403,
    );
  });

  it('an unsigned request: 403 MissingAuthenticationTokenException', async () => {
    const res = await fetch(`${gh.url}/restapis`);
    assert.equal(res.status, 403);
    assert.equal(res.headers.get('x-amzn-errortype'), 'MissingAuthenticationTokenException');
    assert.deepEqual(await res.json(), { message: 'Missing Authentication Token' });
  });

  it('a presigned URL works until it expires', async () => {
    const fresh = await signedFetch(`${gh.url}/restapis`, KEYS.admin, { service: 'apigateway', presignSeconds: 60 });
    assert.equal(fresh.status, 200, fresh.text);
    const old = await signedFetch(`${gh.url}/restapis`, KEYS.admin, { service: 'apigateway', presignSeconds: 60, signingDate: new Date(Date.now() - 120_000) });
    assert.equal(old.status, 403);
    assert.equal(old.headers.get('x-amzn-errortype'), 'InvalidSignatureException');
    assert.match(old.json.message, /^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 60 sec\.\)$/);
  });

  it('a signature for another service is refused', async () => {
    const r = await signedFetch(`${gh.url}/restapis`, KEYS.admin, { service: 'lambda' });
    assert.equal(r.status, 403);
    assert.deepEqual(r.json, { message: "Credential should be scoped to correct service: 'apigateway'. " });
  });
});

describe('enforce: policies', () => {
  it('a policy that denies DeleteRestApi refuses it, and only it', async () => {
    const limited = sdk(KEYS.limited);
    const api = await limited.send(new CreateRestApiCommand({ name: 'limited' }));
    const got = await limited.send(new GetRestApiCommand({ restApiId: api.id! }));
    assert.equal(got.name, 'limited');
    await rejects(
      limited.send(new DeleteRestApiCommand({ restApiId: api.id! })),
      'AccessDeniedException',
      `User: arn:aws:iam::${ACCOUNT_A}:user/limited is not authorized to perform: apigateway:DELETE on resource: arn:aws:apigateway:us-east-1::/restapis/${api.id}`,
      403,
    );
    assert.equal((await sdk(KEYS.admin).send(new GetRestApiCommand({ restApiId: api.id! }))).name, 'limited', 'the API is still there');
    const r = await cli(gh.url, KEYS.limited, ['apigateway', 'delete-rest-api', '--rest-api-id', api.id!]);
    assert.ok(!r.ok && r.code === 'AccessDeniedException', JSON.stringify(r));
  });

  it('a read-only user reads but cannot create (nothing in its policies allows it)', async () => {
    const reader = sdk(KEYS.reader);
    await reader.send(new GetRestApisCommand({}));
    await rejects(reader.send(new CreateRestApiCommand({ name: 'nope' })), 'AccessDeniedException',
      `User: arn:aws:iam::${ACCOUNT_A}:user/reader is not authorized to perform: apigateway:POST on resource: arn:aws:apigateway:us-east-1::/restapis`, 403);
  });
});

describe('enforce: accounts are isolated', () => {
  it('each account lists only its own APIs, and cannot reach the other\'s', async () => {
    const a = sdk(KEYS.admin);
    const b = sdk(KEYS.adminB);
    const inA = await a.send(new CreateRestApiCommand({ name: 'only-in-a' }));
    const inB = await b.send(new CreateRestApiCommand({ name: 'only-in-b' }));
    const namesA = (await a.send(new GetRestApisCommand({ limit: 500 }))).items!.map((i) => i.name);
    const namesB = (await b.send(new GetRestApisCommand({ limit: 500 }))).items!.map((i) => i.name);
    assert.ok(namesA.includes('only-in-a') && !namesA.includes('only-in-b'));
    assert.deepEqual(namesB, ['only-in-b']);
    await rejects(b.send(new GetRestApiCommand({ restApiId: inA.id! })), 'NotFoundException');
    await rejects(b.send(new DeleteRestApiCommand({ restApiId: inA.id! })), 'NotFoundException');
    await rejects(a.send(new GetRestApiCommand({ restApiId: inB.id! })), 'NotFoundException');
    // The CLI sees the same.
    const r = await cli(gh.url, KEYS.adminB, ['apigateway', 'get-rest-apis']);
    assert.ok(r.ok);
    assert.deepEqual((r.json as { items: Array<{ name: string }> }).items.map((i) => i.name), ['only-in-b']);
  });

  it('regions of one account are separate partitions too', async () => {
    const west = sdk(KEYS.admin, { region: 'eu-west-1' });
    await west.send(new CreateRestApiCommand({ name: 'in-eu-west-1' }));
    const names = (await sdk(KEYS.admin).send(new GetRestApisCommand({ limit: 500 }))).items!.map((i) => i.name);
    assert.ok(!names.includes('in-eu-west-1'));
    assert.deepEqual((await west.send(new GetRestApisCommand({}))).items!.map((i) => i.name), ['in-eu-west-1']);
  });
});

describe('enforce: hostile Authorization headers', () => {
  const raw = async (authorization: string, extra: Record<string, string> = {}) => {
    const res = await fetch(`${gh.url}/restapis`, { headers: { authorization, 'x-amz-date': '20240101T000000Z', ...extra } });
    return { status: res.status, type: res.headers.get('x-amzn-errortype'), body: await res.text() };
  };

  it('a bearer token, a malformed Credential and missing parts: 403 IncompleteSignatureException', async () => {
    const bearer = await raw('Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.');
    assert.equal(bearer.status, 403);
    assert.equal(bearer.type, 'IncompleteSignatureException');
    assert.doesNotMatch(bearer.body, /eyJ/, 'the token is not echoed');
    const credential = await raw('AWS4-HMAC-SHA256 Credential=AKIA/2024/us-east-1, SignedHeaders=host;x-amz-date, Signature=abc');
    assert.deepEqual([credential.status, credential.type, JSON.parse(credential.body).message], [403, 'IncompleteSignatureException',
      "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'AKIA/2024/us-east-1'"]);
    const parts = await raw('AWS4-HMAC-SHA256 Signature=abc');
    assert.equal(parts.type, 'IncompleteSignatureException');
    assert.match(JSON.parse(parts.body).message, /^Authorization header requires 'Credential' parameter\. Authorization header requires 'SignedHeaders' parameter\./);
  });

  it('a 12 kB header is read and refused (403); one past the header limit is 431', async () => {
    const big = await raw('AWS4-HMAC-SHA256 ' + 'A'.repeat(12_000));
    assert.equal(big.status, 403);
    assert.equal(big.type, 'IncompleteSignatureException');
    assert.ok(big.body.length < 400, 'the answer does not repeat the header');
    const huge = await raw('AWS4-HMAC-SHA256 Credential=' + 'A'.repeat(100_000));
    assert.equal(huge.status, 431);
  });

  it('a forged signature of the right shape for a real key: InvalidSignatureException', async () => {
    const now = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
    const forged = await raw(`AWS4-HMAC-SHA256 Credential=${KEYS.admin.accessKeyId}/${now.slice(0, 8)}/us-east-1/apigateway/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`, { 'x-amz-date': now });
    assert.deepEqual([forged.status, forged.type, JSON.parse(forged.body).message], [403, 'InvalidSignatureException', SIGNATURE_MISMATCH]);
  });
});
