// Authorizers and request validators end to end through the AWS SDK v3 and the AWS CLI.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  APIGatewayClient, CreateAuthorizerCommand, CreateDeploymentCommand, CreateRequestValidatorCommand, CreateRestApiCommand,
  DeleteAuthorizerCommand, DeleteRequestValidatorCommand, DeleteRestApiCommand, GetAuthorizerCommand, GetAuthorizersCommand,
  GetRequestValidatorCommand, GetRequestValidatorsCommand, PutIntegrationCommand, PutMethodCommand, TestInvokeAuthorizerCommand, UpdateAuthorizerCommand,
  UpdateMethodCommand, UpdateRequestValidatorCommand,
} from '@aws-sdk/client-api-gateway';
import type { ApiSnapshot } from '../../src/deploy/index.ts';
import type { Gatehouse } from '../../src/server.ts';
import { apiGatewayClient, awsCli, awsCliError, rejects, startTestGatehouse } from '../helpers/server.ts';

let gh: Gatehouse;
let ACCOUNT: string;
let client: APIGatewayClient;

before(async () => {
  gh = await startTestGatehouse();
  client = apiGatewayClient(gh.url);
  ACCOUNT = gh.config.accountId;
});
after(async () => {
  client.destroy();
  await gh.close();
});

const LAMBDA_URI = 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:auth/invocations';
const POOL = 'arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_AbCdEf123';

async function newApi(): Promise<{ id: string; rootId: string }> {
  const api = await client.send(new CreateRestApiCommand({ name: 'auth-test' }));
  return { id: api.id!, rootId: api.rootResourceId! };
}


describe('authorizers', () => {
  it('creates TOKEN, REQUEST and COGNITO_USER_POOLS authorizers with AWS defaults', async () => {
    const api = await newApi();
    const token = await client.send(new CreateAuthorizerCommand({
      restApiId: api.id, name: 'tok', type: 'TOKEN', authorizerUri: LAMBDA_URI, identitySource: 'method.request.header.Authorization',
      identityValidationExpression: '^Bearer .+$',
    }));
    assert.equal(token.$metadata.httpStatusCode, 201);
    assert.match(token.id!, /^[a-z0-9]{6}$/);
    assert.equal(token.type, 'TOKEN');
    // As AWS's recordings: no TTL given, none answered (the data plane caches 300 s); authType filled in.
    assert.equal(token.authorizerResultTtlInSeconds, undefined);
    assert.equal(token.authType, 'custom');
    assert.equal(token.identityValidationExpression, '^Bearer .+$');
    assert.equal(token.providerARNs, undefined);

    const req = await client.send(new CreateAuthorizerCommand({
      restApiId: api.id, name: 'req', type: 'REQUEST', authorizerUri: LAMBDA_URI, authorizerResultTtlInSeconds: 60,
      identitySource: 'method.request.header.X-Key, method.request.querystring.key,stageVariables.env,context.sourceIp,method.request.multivalueheader.A',
    }));
    assert.equal(req.authorizerResultTtlInSeconds, 60);

    const noCache = await client.send(new CreateAuthorizerCommand({
      restApiId: api.id, name: 'req0', type: 'REQUEST', authorizerUri: LAMBDA_URI, authorizerResultTtlInSeconds: 0,
    }));
    assert.equal(noCache.identitySource, undefined);

    const cog = await client.send(new CreateAuthorizerCommand({
      restApiId: api.id, name: 'cog', type: 'COGNITO_USER_POOLS', providerARNs: [POOL], identitySource: 'method.request.header.Authorization',
    }));
    assert.deepEqual(cog.providerARNs, [POOL]);
    assert.equal(cog.authorizerUri, undefined);

    const got = await client.send(new GetAuthorizerCommand({ restApiId: api.id, authorizerId: token.id }));
    assert.equal(got.name, 'tok');
    assert.equal(got.authorizerUri, LAMBDA_URI);

    const page1 = await client.send(new GetAuthorizersCommand({ restApiId: api.id, limit: 3 }));
    assert.deepEqual(page1.items!.map((a) => a.name), ['tok', 'req', 'req0']);
    assert.ok(page1.position);
    const page2 = await client.send(new GetAuthorizersCommand({ restApiId: api.id, limit: 3, position: page1.position }));
    assert.deepEqual(page2.items!.map((a) => a.name), ['cog']);
    assert.equal(page2.position, undefined);
  });

  it('rejects bad identity sources, URIs, TTLs, provider ARNs and unknown APIs', async () => {
    const api = await newApi();
    const base = { restApiId: api.id, name: 'a', authorizerUri: LAMBDA_URI };
    await rejects(client.send(new CreateAuthorizerCommand({ ...base, type: 'TOKEN', identitySource: 'method.request.querystring.key' })),
      'BadRequestException', "Invalid token source expression: method.request.querystring.key. The source must be a method request header, matching 'method.request.header.[a-zA-Z0-9._-]+'.");
    await rejects(client.send(new CreateAuthorizerCommand({ ...base, type: 'TOKEN' })), 'BadRequestException', /Identity source is required/);
    await rejects(client.send(new CreateAuthorizerCommand({ ...base, type: 'REQUEST', identitySource: 'method.request.body.x' })),
      'BadRequestException', /Invalid identity source expression: 'method.request.body.x'/);
    await rejects(client.send(new CreateAuthorizerCommand({ ...base, type: 'REQUEST' })), 'BadRequestException', /caching is enabled/);
    await rejects(client.send(new CreateAuthorizerCommand({ ...base, type: 'TOKEN', identitySource: 'method.request.header.A', authorizerResultTtlInSeconds: 3601 })),
      'BadRequestException', /between 0 and 3600/);
    await rejects(client.send(new CreateAuthorizerCommand({ restApiId: api.id, name: 'a', type: 'TOKEN', identitySource: 'method.request.header.A' })),
      'BadRequestException', 'Authorizer URI is required for authorizers of type TOKEN');
    await rejects(client.send(new CreateAuthorizerCommand({ ...base, authorizerUri: 'https://example.com/auth', type: 'TOKEN', identitySource: 'method.request.header.A' })),
      'BadRequestException', /Invalid authorizer URI specified/);
    // As AWS's recording: a Lambda path ARN is accepted as written, even one with whitespace in it.
    const odd = 'arn:aws:apigateway:us-east-1:lambda:path/ \\\n                2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:f/invocations';
    const accepted = await client.send(new CreateAuthorizerCommand({ ...base, name: 'odd', authorizerUri: odd, type: 'TOKEN', identitySource: 'method.request.header.A' }));
    assert.equal(accepted.authorizerUri, odd);
    await client.send(new DeleteAuthorizerCommand({ restApiId: api.id, authorizerId: accepted.id! }));
    await rejects(client.send(new CreateAuthorizerCommand({ restApiId: api.id, name: 'c', type: 'COGNITO_USER_POOLS', identitySource: 'method.request.header.A' })),
      'BadRequestException', 'ProviderARNs need to be specified for authorizers of type COGNITO_USER_POOLS');
    await rejects(client.send(new CreateAuthorizerCommand({ restApiId: api.id, name: 'c', type: 'COGNITO_USER_POOLS', providerARNs: ['arn:aws:iam::123456789012:role/x'], identitySource: 'method.request.header.A' })),
      'BadRequestException', /Invalid provider ARN specified/);
    await rejects(client.send(new CreateAuthorizerCommand({ ...base, type: 'TOKEN', identitySource: 'method.request.header.A', identityValidationExpression: '([' })),
      'BadRequestException', /Invalid identity validation expression/);
    // What AWS answered for a missing API (test_apigateway_api recording).
    await rejects(client.send(new CreateAuthorizerCommand({ ...base, restApiId: 'nosuchapi0', type: 'TOKEN', identitySource: 'method.request.header.A' })),
      'ConflictException', 'Unable to complete operation due to concurrent modification. Please try again later.');
    await rejects(client.send(new GetAuthorizerCommand({ restApiId: api.id, authorizerId: 'nope00' })), 'NotFoundException', 'Invalid authorizer identifier specified');
    assert.equal((await client.send(new GetAuthorizersCommand({ restApiId: api.id }))).items!.length, 0, 'nothing half-written');
  });

  it('allows 10 authorizers per API', async () => {
    const api = await newApi();
    for (let i = 0; i < 10; i++) {
      await client.send(new CreateAuthorizerCommand({ restApiId: api.id, name: `a${i}`, type: 'TOKEN', authorizerUri: LAMBDA_URI, identitySource: 'method.request.header.A' }));
    }
    await rejects(client.send(new CreateAuthorizerCommand({ restApiId: api.id, name: 'x', type: 'TOKEN', authorizerUri: LAMBDA_URI, identitySource: 'method.request.header.A' })),
      'LimitExceededException', /maximum number of authorizers/);
  });

  it('updates through patch operations and re-validates the result', async () => {
    const api = await newApi();
    const a = await client.send(new CreateAuthorizerCommand({ restApiId: api.id, name: 'u', type: 'TOKEN', authorizerUri: LAMBDA_URI, identitySource: 'method.request.header.A' }));
    const u = await client.send(new UpdateAuthorizerCommand({
      restApiId: api.id, authorizerId: a.id, patchOperations: [
        { op: 'replace', path: '/name', value: 'renamed' },
        { op: 'replace', path: '/authorizerResultTtlInSeconds', value: '0' },
        { op: 'replace', path: '/identitySource', value: 'method.request.header.B' },
      ],
    }));
    assert.equal(u.name, 'renamed');
    assert.equal(u.authorizerResultTtlInSeconds, 0);
    assert.equal(u.identitySource, 'method.request.header.B');
    await rejects(client.send(new UpdateAuthorizerCommand({ restApiId: api.id, authorizerId: a.id, patchOperations: [{ op: 'replace', path: '/identitySource', value: 'context.x' }] })),
      'BadRequestException', /Invalid token source expression/);
    await rejects(client.send(new UpdateAuthorizerCommand({ restApiId: api.id, authorizerId: a.id, patchOperations: [{ op: 'replace', path: '/id', value: 'x' }] })),
      'BadRequestException', /^Invalid patch path {2}'\/id' specified for op 'replace'/);
    const cog = await client.send(new CreateAuthorizerCommand({ restApiId: api.id, name: 'c', type: 'COGNITO_USER_POOLS', providerARNs: [POOL], identitySource: 'method.request.header.A' }));
    const pool2 = POOL.replace('AbCdEf123', 'Second');
    const c2 = await client.send(new UpdateAuthorizerCommand({ restApiId: api.id, authorizerId: cog.id, patchOperations: [{ op: 'add', path: '/providerARNs', value: pool2 }] }));
    assert.deepEqual(c2.providerARNs, [POOL, pool2]);
    const c3 = await client.send(new UpdateAuthorizerCommand({ restApiId: api.id, authorizerId: cog.id, patchOperations: [{ op: 'remove', path: '/providerARNs', value: POOL }] }));
    assert.deepEqual(c3.providerARNs, [pool2]);
    assert.equal((await client.send(new GetAuthorizerCommand({ restApiId: api.id, authorizerId: a.id }))).name, 'renamed');
  });

  it('refuses to delete an authorizer a method uses, and lets methods refer to it', async () => {
    const api = await newApi();
    const a = await client.send(new CreateAuthorizerCommand({ restApiId: api.id, name: 'used', type: 'TOKEN', authorizerUri: LAMBDA_URI, identitySource: 'method.request.header.A' }));
    await client.send(new PutMethodCommand({ restApiId: api.id, resourceId: api.rootId, httpMethod: 'GET', authorizationType: 'CUSTOM', authorizerId: a.id }));
    await rejects(client.send(new DeleteAuthorizerCommand({ restApiId: api.id, authorizerId: a.id })),
      'ConflictException', "Cannot delete authorizer 'used', is referenced in method: GET//");
    await client.send(new UpdateMethodCommand({ restApiId: api.id, resourceId: api.rootId, httpMethod: 'GET', patchOperations: [
      { op: 'replace', path: '/authorizationType', value: 'NONE' }, { op: 'remove', path: '/authorizerId' },
    ] }));
    const del = await client.send(new DeleteAuthorizerCommand({ restApiId: api.id, authorizerId: a.id }));
    assert.equal(del.$metadata.httpStatusCode, 202);
    await rejects(client.send(new GetAuthorizerCommand({ restApiId: api.id, authorizerId: a.id })), 'NotFoundException', 'Invalid authorizer identifier specified');
  });

  it('TestInvokeAuthorizer checks the authorizer exists, then runs it (test/access/lambda-authorizer.test.ts has the rest)', async () => {
    const api = await newApi();
    await rejects(client.send(new TestInvokeAuthorizerCommand({ restApiId: api.id, authorizerId: 'nope00', headers: { A: 'x' } })),
      'NotFoundException', 'Invalid authorizer identifier specified');
    const a = await client.send(new CreateAuthorizerCommand({ restApiId: api.id, name: 'ti', type: 'TOKEN', authorizerUri: LAMBDA_URI, identitySource: 'method.request.header.A' }));
    // The URI names a function that does not exist: an authorizer configuration error.
    const r = await client.send(new TestInvokeAuthorizerCommand({ restApiId: api.id, authorizerId: a.id, headers: { A: 'x' } }));
    assert.equal(r.clientStatus, 500);
    assert.match(r.log!, /ResourceNotFoundException/);
  });

  it('is deleted with its API and copied into deployment snapshots', async () => {
    const api = await newApi();
    const a = await client.send(new CreateAuthorizerCommand({ restApiId: api.id, name: 'snap', type: 'TOKEN', authorizerUri: LAMBDA_URI, identitySource: 'method.request.header.A' }));
    const rv = await client.send(new CreateRequestValidatorCommand({ restApiId: api.id, name: 'snap', validateRequestBody: true }));
    await client.send(new PutMethodCommand({ restApiId: api.id, resourceId: api.rootId, httpMethod: 'GET', authorizationType: 'NONE' }));
    await client.send(new PutIntegrationCommand({ restApiId: api.id, resourceId: api.rootId, httpMethod: 'GET', type: 'MOCK' }));
    const d = await client.send(new CreateDeploymentCommand({ restApiId: api.id }));
    const snapshot = await gh.store.read(`${ACCOUNT}/us-east-1`, (tx) => tx.get<ApiSnapshot>('snapshot', api.id, d.id!));
    assert.deepEqual(snapshot!.extras.authorizer!.map((x) => (x as { name: string }).name), ['snap']);
    assert.deepEqual(snapshot!.extras.requestvalidator!.map((x) => (x as { id: string }).id), [rv.id]);
    assert.deepEqual(snapshot!.extras.gatewayresponse, []);
    await client.send(new DeleteRestApiCommand({ restApiId: api.id }));
    // The REST API is gone, and so are its children: a new API never sees them.
    await rejects(client.send(new GetAuthorizerCommand({ restApiId: api.id, authorizerId: a.id })), 'NotFoundException', /Invalid API identifier/);
    // AWS looks the validator up before the API (recorded).
    await rejects(client.send(new GetRequestValidatorCommand({ restApiId: api.id, requestValidatorId: rv.id })), 'NotFoundException', 'Invalid Request Validator identifier specified');
  });

  it('works through the AWS CLI', async () => {
    const api = await newApi();
    const a = (await awsCli(gh.url, ['apigateway', 'create-authorizer', '--rest-api-id', api.id, '--name', 'cli', '--type', 'TOKEN',
      '--authorizer-uri', LAMBDA_URI, '--identity-source', 'method.request.header.Authorization'])) as Record<string, unknown>;
    assert.equal(a.name, 'cli');
    assert.equal(a.authorizerResultTtlInSeconds, undefined);
    const list = (await awsCli(gh.url, ['apigateway', 'get-authorizers', '--rest-api-id', api.id])) as { items: { id: string }[] };
    assert.deepEqual(list.items.map((x) => x.id), [a.id]);
    const err = await awsCliError(gh.url, ['apigateway', 'create-authorizer', '--rest-api-id', api.id, '--name', 'bad', '--type', 'COGNITO_USER_POOLS',
      '--identity-source', 'method.request.header.Authorization']);
    assert.deepEqual(err, { code: 'BadRequestException', message: 'ProviderARNs need to be specified for authorizers of type COGNITO_USER_POOLS' });
  });
});

describe('request validators', () => {
  it('creates, reads, lists, updates and deletes', async () => {
    const api = await newApi();
    const v = await client.send(new CreateRequestValidatorCommand({ restApiId: api.id, name: 'body', validateRequestBody: true }));
    assert.equal(v.$metadata.httpStatusCode, 201);
    assert.match(v.id!, /^[a-z0-9]{6}$/);
    assert.equal(v.validateRequestBody, true);
    assert.equal(v.validateRequestParameters, false);
    const p = await client.send(new CreateRequestValidatorCommand({ restApiId: api.id, name: 'params', validateRequestParameters: true }));
    const got = await client.send(new GetRequestValidatorCommand({ restApiId: api.id, requestValidatorId: v.id }));
    assert.deepEqual({ id: got.id, name: got.name, b: got.validateRequestBody, p: got.validateRequestParameters }, { id: v.id, name: 'body', b: true, p: false });
    const page = await client.send(new GetRequestValidatorsCommand({ restApiId: api.id, limit: 1 }));
    assert.deepEqual(page.items!.map((x) => x.id), [v.id]);
    const page2 = await client.send(new GetRequestValidatorsCommand({ restApiId: api.id, limit: 1, position: page.position }));
    assert.deepEqual(page2.items!.map((x) => x.id), [p.id]);
    const u = await client.send(new UpdateRequestValidatorCommand({ restApiId: api.id, requestValidatorId: v.id, patchOperations: [
      { op: 'replace', path: '/validateRequestParameters', value: 'true' }, { op: 'replace', path: '/name', value: 'both' },
    ] }));
    assert.equal(u.validateRequestParameters, true);
    assert.equal(u.name, 'both');
    await rejects(client.send(new UpdateRequestValidatorCommand({ restApiId: api.id, requestValidatorId: v.id, patchOperations: [{ op: 'replace', path: '/name', value: 'params' }] })),
      'ConflictException', 'Request Validator name must be unique');
    await rejects(client.send(new CreateRequestValidatorCommand({ restApiId: api.id, name: 'params' })), 'ConflictException', 'Request Validator name must be unique');
    // AWS reads flags as Java's Boolean.parseBoolean: anything but "true" is false (recorded).
    const maybe = await client.send(new UpdateRequestValidatorCommand({ restApiId: api.id, requestValidatorId: v.id, patchOperations: [{ op: 'replace', path: '/validateRequestBody', value: 'maybe' }] }));
    assert.equal(maybe.validateRequestBody, false);
    await client.send(new DeleteRequestValidatorCommand({ restApiId: api.id, requestValidatorId: p.id }));
    await rejects(client.send(new GetRequestValidatorCommand({ restApiId: api.id, requestValidatorId: p.id })), 'NotFoundException', 'Invalid Request Validator identifier specified');
  });

  it('refuses to delete a validator a method uses', async () => {
    const api = await newApi();
    const v = await client.send(new CreateRequestValidatorCommand({ restApiId: api.id, name: 'inuse', validateRequestBody: true }));
    await client.send(new PutMethodCommand({ restApiId: api.id, resourceId: api.rootId, httpMethod: 'POST', authorizationType: 'NONE', requestValidatorId: v.id }));
    await rejects(client.send(new DeleteRequestValidatorCommand({ restApiId: api.id, requestValidatorId: v.id })),
      'ConflictException', "Cannot delete request validator 'inuse', is referenced in method: POST//");
    const cli = await awsCliError(gh.url, ['apigateway', 'delete-request-validator', '--rest-api-id', api.id, '--request-validator-id', v.id!]);
    assert.equal(cli.code, 'ConflictException');
    const listed = (await awsCli(gh.url, ['apigateway', 'get-request-validators', '--rest-api-id', api.id])) as { items: { name: string }[] };
    assert.deepEqual(listed.items.map((x) => x.name), ['inuse']);
  });
});
