// --auth enforce on the built-in Lambda API, with the real SDK v3 and the AWS CLI: the signer's
// account owns the functions (another account neither lists nor invokes them), lambda:* actions
// are authorized on function ARNs, and a request with a body (CreateFunction, Invoke) is verified
// over that body once it is read.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CreateFunctionCommand, GetFunctionCommand, InvokeCommand, ListFunctionsCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { Gatehouse } from '../../src/server.ts';
import { rejects } from '../helpers/server.ts';
import { ROLE, zip } from '../lambda/helpers.ts';
import { ACCOUNT_A, cli, KEYS, lambdaClient, signedFetch, startEnforcing, type Credentials } from './helpers.ts';

const HELLO = zip({ 'index.js': 'exports.handler = async (event) => ({ hello: event.name ?? "world" });' });

let gh: Gatehouse;
const clients: LambdaClient[] = [];
const sdk = (credentials: Credentials): LambdaClient => {
  const c = lambdaClient(gh.url, credentials);
  clients.push(c);
  return c;
};
const payload = (name: string) => new TextEncoder().encode(JSON.stringify({ name }));

before(async () => {
  gh = await startEnforcing();
  await sdk(KEYS.admin).send(new CreateFunctionCommand({ FunctionName: 'hello', Runtime: 'nodejs20.x', Role: ROLE, Handler: 'index.handler', Code: { ZipFile: HELLO } }));
});
after(async () => {
  for (const c of clients) c.destroy();
  await gh.close();
});

describe('enforce: the Lambda API', () => {
  it('a user allowed lambda:InvokeFunction invokes; the function ARN names the signer\'s account', async () => {
    const out = await sdk(KEYS.invoker).send(new InvokeCommand({ FunctionName: 'hello', Payload: payload('iam') }));
    assert.equal(out.StatusCode, 200);
    assert.deepEqual(JSON.parse(new TextDecoder().decode(out.Payload)), { hello: 'iam' });
    const fn = await sdk(KEYS.reader).send(new GetFunctionCommand({ FunctionName: 'hello' }));
    assert.equal(fn.Configuration?.FunctionArn, `arn:aws:lambda:us-east-1:${ACCOUNT_A}:function:hello`);
  });

  it('a user whose policies do not allow the action: AccessDeniedException naming action and function', async () => {
    await rejects(sdk(KEYS.reader).send(new InvokeCommand({ FunctionName: 'hello', Payload: payload('x') })), 'AccessDeniedException',
      `User: arn:aws:iam::${ACCOUNT_A}:user/reader is not authorized to perform: lambda:InvokeFunction on resource: arn:aws:lambda:us-east-1:${ACCOUNT_A}:function:hello`, 403);
    await rejects(sdk(KEYS.invoker).send(new CreateFunctionCommand({ FunctionName: 'not-mine', Runtime: 'nodejs20.x', Role: ROLE, Handler: 'index.handler', Code: { ZipFile: HELLO } })),
      'AccessDeniedException', /lambda:CreateFunction/, 403);
  });

  it('a wrong secret on a request with a body (Invoke, CreateFunction): InvalidSignatureException, nothing done', async () => {
    const wrong = { accessKeyId: KEYS.admin.accessKeyId, secretAccessKey: 'wrong' };
    await rejects(sdk(wrong).send(new InvokeCommand({ FunctionName: 'hello', Payload: payload('x') })), 'InvalidSignatureException', /^The request signature we calculated does not match/, 403);
    await rejects(sdk(wrong).send(new CreateFunctionCommand({ FunctionName: 'forged', Runtime: 'nodejs20.x', Role: ROLE, Handler: 'index.handler', Code: { ZipFile: HELLO } })),
      'InvalidSignatureException', /^The request signature we calculated does not match/, 403);
    const names = (await sdk(KEYS.admin).send(new ListFunctionsCommand({}))).Functions!.map((f) => f.FunctionName);
    assert.deepEqual(names, ['hello']);
  });

  it('an unknown key and an unsigned request are refused', async () => {
    await rejects(sdk({ accessKeyId: 'AKIANOSUCHKEY0000001', secretAccessKey: 'x' }).send(new ListFunctionsCommand({})), 'UnrecognizedClientException', 'The security token included in the request is invalid.', 403);
    const res = await fetch(`${gh.url}/2015-03-31/functions`);
    assert.equal(res.status, 403);
    assert.equal(res.headers.get('x-amzn-errortype'), 'MissingAuthenticationTokenException');
    assert.deepEqual(await res.json(), { message: 'Missing Authentication Token' });
    const scoped = await signedFetch(`${gh.url}/2015-03-31/functions`, KEYS.admin, { service: 'apigateway' });
    assert.deepEqual([scoped.status, scoped.json], [403, { message: "Credential should be scoped to correct service: 'lambda'. " }]);
  });

  it('another account neither lists nor invokes the function', async () => {
    const b = sdk(KEYS.adminB);
    assert.deepEqual((await b.send(new ListFunctionsCommand({}))).Functions, []);
    await rejects(b.send(new InvokeCommand({ FunctionName: 'hello', Payload: payload('x') })), 'ResourceNotFoundException');
  });

  it('the AWS CLI with the right key lists; with a wrong secret it is refused', async () => {
    const ok = await cli(gh.url, KEYS.reader, ['lambda', 'list-functions']);
    assert.ok(ok.ok, JSON.stringify(ok));
    assert.deepEqual((ok.json as { Functions: Array<{ FunctionName: string }> }).Functions.map((f) => f.FunctionName), ['hello']);
    const bad = await cli(gh.url, { ...KEYS.reader, secretAccessKey: 'nope' }, ['lambda', 'list-functions']);
    assert.ok(!bad.ok && bad.code === 'InvalidSignatureException', JSON.stringify(bad));
  });
});
