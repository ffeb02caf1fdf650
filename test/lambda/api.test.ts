// End to end through a real Gatehouse server: the Lambda API driven by @aws-sdk/client-lambda,
// raw wire checks of error shapes, the local-directory code option, persistence across a restart,
// and invocations forwarded to an external Lambda endpoint with SigV4.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AddPermissionCommand, CreateFunctionCommand, DeleteFunctionCommand, GetFunctionCommand,
  GetFunctionConfigurationCommand, GetPolicyCommand, InvokeCommand, LambdaClient, ListFunctionsCommand,
  RemovePermissionCommand, UpdateFunctionCodeCommand, UpdateFunctionConfigurationCommand, paginateListFunctions,
} from '@aws-sdk/client-lambda';
import { parseConfig } from '../../src/config.ts';
import { startGatehouse, type Gatehouse } from '../../src/server.ts';
import { ROLE, zip } from './helpers.ts';

const credentials = { accessKeyId: 'AKIDGATEHOUSE', secretAccessKey: 'secret' };
const HELLO = zip({ 'index.js': 'exports.handler = async (event, context) => ({ hello: event.name ?? "world", fn: context.functionName, v: 1 });' });

function client(gh: Gatehouse, region = 'us-east-1'): LambdaClient {
  return new LambdaClient({ endpoint: gh.url, region, credentials, maxAttempts: 1 });
}

describe('Lambda API through @aws-sdk/client-lambda', () => {
  let gh: Gatehouse;
  let lambda: LambdaClient;
  before(async () => {
    gh = await startGatehouse(parseConfig([], {}, { port: 0, dataDir: ':memory:', logLevel: 'silent' }));
    lambda = client(gh);
  });
  after(async () => {
    lambda.destroy();
    await gh.close();
  });

  it('CreateFunction returns the FunctionConfiguration as Lambda does', async () => {
    const c = await lambda.send(new CreateFunctionCommand({
      FunctionName: 'sdk-hello', Runtime: 'nodejs20.x', Role: ROLE, Handler: 'index.handler',
      Code: { ZipFile: HELLO }, Description: 'says hello', Timeout: 5, MemorySize: 256,
      Environment: { Variables: { AA: '1' } }, Tags: { team: 'gate' },
    }));
    assert.equal(c.$metadata.httpStatusCode, 201);
    assert.equal(c.FunctionName, 'sdk-hello');
    assert.equal(c.FunctionArn, 'arn:aws:lambda:us-east-1:000000000000:function:sdk-hello');
    assert.equal(c.CodeSha256, (await import('node:crypto')).createHash('sha256').update(HELLO).digest('base64'));
    assert.equal(c.CodeSize, HELLO.byteLength);
    assert.match(c.LastModified!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
    assert.equal(c.Version, '$LATEST');
    assert.equal(c.State, 'Active');
    assert.equal(c.LastUpdateStatus, 'Successful');
    assert.equal(c.PackageType, 'Zip');
    assert.match(c.RevisionId!, /^[0-9a-f-]{36}$/);
    assert.deepEqual(c.Environment, { Variables: { AA: '1' } });
    assert.equal(c.Timeout, 5);
    assert.equal(c.MemorySize, 256);
  });

  it('a second CreateFunction of the same name is ResourceConflictException', async () => {
    await assert.rejects(lambda.send(new CreateFunctionCommand({ FunctionName: 'sdk-hello', Runtime: 'nodejs20.x', Role: ROLE, Handler: 'index.handler', Code: { ZipFile: HELLO } })),
      (e: any) => e.name === 'ResourceConflictException' && e.$metadata.httpStatusCode === 409 && e.message === 'Function already exist: sdk-hello');
  });

  it('GetFunction, GetFunctionConfiguration by name, partial ARN and full ARN', async () => {
    const g = await lambda.send(new GetFunctionCommand({ FunctionName: 'sdk-hello' }));
    assert.equal(g.Configuration!.FunctionName, 'sdk-hello');
    assert.equal(g.Code!.RepositoryType, 'S3');
    assert.deepEqual(g.Tags, { team: 'gate' });
    const archive = await fetch(g.Code!.Location!);
    assert.equal(archive.status, 200);
    assert.deepEqual(Buffer.from(await archive.arrayBuffer()), HELLO);
    for (const ref of ['sdk-hello', '000000000000:function:sdk-hello', 'arn:aws:lambda:us-east-1:000000000000:function:sdk-hello']) {
      const cfg = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: ref }));
      assert.equal(cfg.FunctionArn, 'arn:aws:lambda:us-east-1:000000000000:function:sdk-hello');
    }
    await assert.rejects(lambda.send(new GetFunctionCommand({ FunctionName: 'nope' })),
      (e: any) => e.name === 'ResourceNotFoundException' && e.message === 'Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope');
  });

  it('Invoke: payload, LogType Tail, function errors, Event and DryRun', async () => {
    const r = await lambda.send(new InvokeCommand({ FunctionName: 'sdk-hello', Payload: Buffer.from('{"name":"sdk"}'), LogType: 'Tail' }));
    assert.equal(r.StatusCode, 200);
    assert.equal(r.ExecutedVersion, '$LATEST');
    assert.equal(r.FunctionError, undefined);
    assert.deepEqual(JSON.parse(Buffer.from(r.Payload!).toString()), { hello: 'sdk', fn: 'sdk-hello', v: 1 });
    assert.match(Buffer.from(r.LogResult!, 'base64').toString(), /^[\s\S]*REPORT RequestId: /);
    const ev = await lambda.send(new InvokeCommand({ FunctionName: 'sdk-hello', InvocationType: 'Event', Payload: Buffer.from('{}') }));
    assert.equal(ev.StatusCode, 202);
    const dry = await lambda.send(new InvokeCommand({ FunctionName: 'sdk-hello', InvocationType: 'DryRun' }));
    assert.equal(dry.StatusCode, 204);
    await lambda.send(new CreateFunctionCommand({ FunctionName: 'sdk-fails', Runtime: 'nodejs20.x', Role: ROLE, Handler: 'index.handler', Code: { ZipFile: zip({ 'index.js': 'exports.handler = (e, ctx) => ctx.fail("nope");' }) } }));
    const f = await lambda.send(new InvokeCommand({ FunctionName: 'sdk-fails', Payload: Buffer.from('{}') }));
    assert.equal(f.FunctionError, 'Unhandled');
    assert.deepEqual(JSON.parse(Buffer.from(f.Payload!).toString()), { errorType: 'string', errorMessage: 'nope', trace: [] });
  });

  it('UpdateFunctionConfiguration and UpdateFunctionCode take effect on the next invocation', async () => {
    const before = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'sdk-hello' }));
    const u = await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'sdk-hello', Timeout: 9, MemorySize: 512, Handler: 'main.run', Environment: { Variables: { BB: '2' } }, Runtime: 'nodejs18.x', RevisionId: before.RevisionId }));
    assert.equal(u.Timeout, 9);
    assert.equal(u.MemorySize, 512);
    assert.equal(u.Handler, 'main.run');
    assert.equal(u.Runtime, 'nodejs18.x');
    assert.deepEqual(u.Environment, { Variables: { BB: '2' } });
    assert.notEqual(u.RevisionId, before.RevisionId);
    await assert.rejects(lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'sdk-hello', Timeout: 10, RevisionId: before.RevisionId })),
      (e: any) => e.name === 'PreconditionFailedException' && e.$metadata.httpStatusCode === 412);
    const code = zip({ 'main.mjs': 'export const run = async () => ({ v: 2, b: process.env.BB, mem: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE });' });
    const c = await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'sdk-hello', ZipFile: code }));
    assert.equal(c.CodeSize, code.byteLength);
    assert.notEqual(c.CodeSha256, before.CodeSha256);
    const r = await lambda.send(new InvokeCommand({ FunctionName: 'sdk-hello' }));
    assert.deepEqual(JSON.parse(Buffer.from(r.Payload!).toString()), { v: 2, b: '2', mem: '512' });
  });

  it('validation errors come back as Lambda names them', async () => {
    const base = { FunctionName: 'bad', Runtime: 'nodejs20.x', Role: ROLE, Handler: 'index.handler', Code: { ZipFile: HELLO } } as const;
    await assert.rejects(lambda.send(new CreateFunctionCommand({ ...base, Timeout: 901 })), (e: any) => e.name === 'ValidationException' && /timeout/.test(e.message));
    await assert.rejects(lambda.send(new CreateFunctionCommand({ ...base, MemorySize: 64 })), (e: any) => e.name === 'ValidationException');
    await assert.rejects(lambda.send(new CreateFunctionCommand({ ...base, Runtime: 'java21' })), (e: any) => e.name === 'InvalidParameterValueException');
    await assert.rejects(lambda.send(new CreateFunctionCommand({ ...base, Code: { ZipFile: Buffer.from('not a zip') } })),
      (e: any) => e.name === 'InvalidParameterValueException' && e.message === 'Could not unzip uploaded file. Please check your file, then try to upload again.');
    await assert.rejects(lambda.send(new CreateFunctionCommand({ ...base, Environment: { Variables: { AWS_REGION: 'x' } } })),
      (e: any) => e.name === 'InvalidParameterValueException' && /Reserved keys used in this request: AWS_REGION/.test(e.message));
    await assert.rejects(lambda.send(new CreateFunctionCommand({ ...base, FunctionName: 'has space' })), (e: any) => e.name === 'ValidationException');
  });

  it('AddPermission, GetPolicy, RemovePermission form the policy as Lambda does', async () => {
    await assert.rejects(lambda.send(new GetPolicyCommand({ FunctionName: 'sdk-hello' })),
      (e: any) => e.name === 'ResourceNotFoundException' && e.message === 'The resource you requested does not exist.');
    const sourceArn = 'arn:aws:execute-api:us-east-1:000000000000:abc123/*/GET/pets';
    const added = await lambda.send(new AddPermissionCommand({ FunctionName: 'sdk-hello', StatementId: 'apigw', Action: 'lambda:InvokeFunction', Principal: 'apigateway.amazonaws.com', SourceArn: sourceArn }));
    assert.equal(added.$metadata.httpStatusCode, 201);
    const statement = {
      Sid: 'apigw', Effect: 'Allow', Principal: { Service: 'apigateway.amazonaws.com' }, Action: 'lambda:InvokeFunction',
      Resource: 'arn:aws:lambda:us-east-1:000000000000:function:sdk-hello', Condition: { ArnLike: { 'AWS:SourceArn': sourceArn } },
    };
    assert.deepEqual(JSON.parse(added.Statement!), statement);
    await lambda.send(new AddPermissionCommand({ FunctionName: 'sdk-hello', StatementId: 'acct', Action: 'lambda:GetFunction', Principal: '123456789012' }));
    await assert.rejects(lambda.send(new AddPermissionCommand({ FunctionName: 'sdk-hello', StatementId: 'apigw', Action: 'lambda:InvokeFunction', Principal: 's3.amazonaws.com' })),
      (e: any) => e.name === 'ResourceConflictException' && /The statement id \(apigw\) provided already exists/.test(e.message));
    const p = await lambda.send(new GetPolicyCommand({ FunctionName: 'sdk-hello' }));
    const policy = JSON.parse(p.Policy!);
    assert.equal(policy.Version, '2012-10-17');
    assert.equal(policy.Id, 'default');
    assert.deepEqual(policy.Statement[0], statement);
    assert.deepEqual(policy.Statement[1].Principal, { AWS: 'arn:aws:iam::123456789012:root' });
    assert.match(p.RevisionId!, /^[0-9a-f-]{36}$/);
    await lambda.send(new RemovePermissionCommand({ FunctionName: 'sdk-hello', StatementId: 'acct' }));
    await assert.rejects(lambda.send(new RemovePermissionCommand({ FunctionName: 'sdk-hello', StatementId: 'acct' })),
      (e: any) => e.name === 'ResourceNotFoundException' && e.message === 'Statement acct is not found in resource policy.');
    assert.equal(JSON.parse((await lambda.send(new GetPolicyCommand({ FunctionName: 'sdk-hello' }))).Policy!).Statement.length, 1);
  });

  it('ListFunctions pages with Marker and MaxItems', async () => {
    for (let i = 0; i < 5; i++) {
      await lambda.send(new CreateFunctionCommand({ FunctionName: `page-${i}`, Runtime: 'nodejs20.x', Role: ROLE, Handler: 'index.handler', Code: { ZipFile: HELLO } }));
    }
    const first = await lambda.send(new ListFunctionsCommand({ MaxItems: 3 }));
    assert.equal(first.Functions!.length, 3);
    assert.ok(first.NextMarker);
    const names: string[] = [];
    for await (const page of paginateListFunctions({ client: lambda, pageSize: 2 }, {})) names.push(...page.Functions!.map((f) => f.FunctionName!));
    assert.deepEqual(names.filter((n) => n.startsWith('page-')), ['page-0', 'page-1', 'page-2', 'page-3', 'page-4']);
    assert.equal(new Set(names).size, names.length);
    await assert.rejects(lambda.send(new ListFunctionsCommand({ Marker: 'garbage' })), (e: any) => e.name === 'InvalidParameterValueException');
  });

  it('regions are separate partitions, chosen by the SigV4 credential scope', async () => {
    const west = client(gh, 'us-west-2');
    try {
      await assert.rejects(west.send(new GetFunctionCommand({ FunctionName: 'sdk-hello' })), (e: any) => e.name === 'ResourceNotFoundException' && /us-west-2/.test(e.message));
      const c = await west.send(new CreateFunctionCommand({ FunctionName: 'sdk-hello', Runtime: 'nodejs20.x', Role: ROLE, Handler: 'index.handler', Code: { ZipFile: HELLO } }));
      assert.equal(c.FunctionArn, 'arn:aws:lambda:us-west-2:000000000000:function:sdk-hello');
      const r = await west.send(new InvokeCommand({ FunctionName: 'sdk-hello' }));
      assert.equal(JSON.parse(Buffer.from(r.Payload!).toString()).v, 1);
    } finally {
      west.destroy();
    }
  });

  it('DeleteFunction removes the function and its workers', async () => {
    await lambda.send(new InvokeCommand({ FunctionName: 'page-0' }));
    const d = await lambda.send(new DeleteFunctionCommand({ FunctionName: 'page-0' }));
    assert.equal(d.$metadata.httpStatusCode, 204);
    assert.deepEqual(gh.lambda.workerPids('000000000000/us-east-1', 'page-0'), []);
    await assert.rejects(lambda.send(new DeleteFunctionCommand({ FunctionName: 'page-0' })), (e: any) => e.name === 'ResourceNotFoundException');
  });

  it('errors on the wire: status, x-amzn-ErrorType and {Type, Message}', async () => {
    const r = await fetch(`${gh.url}/2015-03-31/functions/ghost/configuration`);
    assert.equal(r.status, 404);
    assert.equal(r.headers.get('x-amzn-errortype'), 'ResourceNotFoundException');
    assert.ok(r.headers.get('x-amzn-requestid'));
    assert.deepEqual(await r.json(), { Type: 'User', Message: 'Function not found: arn:aws:lambda:us-east-1:000000000000:function:ghost' });
    const bad = await fetch(`${gh.url}/2015-03-31/functions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{nope' });
    assert.equal(bad.status, 400);
    assert.equal(bad.headers.get('x-amzn-errortype'), 'InvalidRequestContentException');
  });
});

describe('local directory code (S3Bucket "__local__")', () => {
  it('runs code from a directory on the host and picks up edits after UpdateFunctionCode', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gh-local-fn-'));
    const gh = await startGatehouse(parseConfig([], {}, { port: 0, dataDir: ':memory:', logLevel: 'silent', lambdaLocalCodeRoot: tmpdir() }));
    const lambda = client(gh);
    try {
      writeFileSync(join(dir, 'index.js'), 'exports.handler = async () => "first";');
      const c = await lambda.send(new CreateFunctionCommand({ FunctionName: 'local', Runtime: 'nodejs20.x', Role: ROLE, Handler: 'index.handler', Code: { S3Bucket: '__local__', S3Key: dir } }));
      const r1 = await lambda.send(new InvokeCommand({ FunctionName: 'local' }));
      assert.equal(Buffer.from(r1.Payload!).toString(), '"first"');
      writeFileSync(join(dir, 'index.js'), 'exports.handler = async () => "second";');
      const u = await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'local', S3Bucket: '__local__', S3Key: dir }));
      assert.notEqual(u.CodeSha256, c.CodeSha256);
      const r2 = await lambda.send(new InvokeCommand({ FunctionName: 'local' }));
      assert.equal(Buffer.from(r2.Payload!).toString(), '"second"');
      const g = await lambda.send(new GetFunctionCommand({ FunctionName: 'local' }));
      assert.equal(g.Code!.Location, `file://${dir}`);
      await assert.rejects(lambda.send(new CreateFunctionCommand({ FunctionName: 'outside', Runtime: 'nodejs20.x', Role: ROLE, Handler: 'index.handler', Code: { S3Bucket: '__local__', S3Key: '/usr' } })),
        (e: any) => e.name === 'InvalidParameterValueException' && /AccessDenied/.test(e.message));
      await assert.rejects(lambda.send(new CreateFunctionCommand({ FunctionName: 's3', Runtime: 'nodejs20.x', Role: ROLE, Handler: 'index.handler', Code: { S3Bucket: 'my-bucket', S3Key: 'code.zip' } })),
        (e: any) => e.name === 'InvalidParameterValueException' && /does not read code from S3/.test(e.message));
    } finally {
      lambda.destroy();
      await gh.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('persistence', () => {
  it('functions, code and policies survive a restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'gh-lambda-data-'));
    const config = parseConfig([], {}, { port: 0, dataDir, logLevel: 'silent' });
    try {
      let gh = await startGatehouse(config);
      let lambda = client(gh);
      await lambda.send(new CreateFunctionCommand({ FunctionName: 'durable', Runtime: 'nodejs20.x', Role: ROLE, Handler: 'index.handler', Code: { ZipFile: HELLO }, Environment: { Variables: { KEPT: 'yes' } } }));
      await lambda.send(new AddPermissionCommand({ FunctionName: 'durable', StatementId: 's1', Action: 'lambda:InvokeFunction', Principal: 'apigateway.amazonaws.com' }));
      const before = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'durable' }));
      lambda.destroy();
      await gh.close();

      gh = await startGatehouse(config);
      lambda = client(gh);
      const after = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'durable' }));
      assert.deepEqual(after, { ...before, $metadata: after.$metadata });
      const r = await lambda.send(new InvokeCommand({ FunctionName: 'durable', Payload: Buffer.from('{"name":"again"}') }));
      assert.deepEqual(JSON.parse(Buffer.from(r.Payload!).toString()), { hello: 'again', fn: 'durable', v: 1 });
      const p = await lambda.send(new GetPolicyCommand({ FunctionName: 'durable' }));
      assert.equal(JSON.parse(p.Policy!).Statement[0].Sid, 's1');
      lambda.destroy();
      await gh.close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('external Lambda endpoint', () => {
  it('invoke() forwards to the configured endpoint, signed with SigV4', async () => {
    const remote = await startGatehouse(parseConfig([], {}, { port: 0, dataDir: ':memory:', logLevel: 'silent' }));
    const seen: string[] = [];
    // A recording proxy in front of the remote Gatehouse, to see the signature.
    const proxy = createServer((req, res) => {
      seen.push(String(req.headers.authorization));
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', async () => {
        const forwarded: Record<string, string> = {};
        for (const [k, v] of Object.entries(req.headers)) if (!['host', 'connection', 'content-length', 'keep-alive'].includes(k)) forwarded[k] = String(v);
        const r = await fetch(remote.url + req.url, { method: req.method, headers: forwarded, body: Buffer.concat(chunks) });
        const headers: Record<string, string> = {};
        r.headers.forEach((v, k) => { if (k !== 'content-length' && k !== 'connection' && k !== 'keep-alive') headers[k] = v; });
        res.writeHead(r.status, headers);
        res.end(Buffer.from(await r.arrayBuffer()));
      });
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
    const endpoint = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    const local = await startGatehouse(parseConfig([], {}, {
      port: 0, dataDir: ':memory:', logLevel: 'silent', lambdaEndpoint: endpoint, lambdaAccessKeyId: 'AKIDEXTERNAL', lambdaSecretAccessKey: 'shh',
    }));
    const remoteClient = new LambdaClient({ endpoint: remote.url, region: 'eu-west-1', credentials, maxAttempts: 1 });
    try {
      await remoteClient.send(new CreateFunctionCommand({ FunctionName: 'far', Runtime: 'nodejs20.x', Role: ROLE, Handler: 'index.handler', Code: { ZipFile: HELLO } }));
      const r = await local.lambda.invoke('000000000000/eu-west-1', 'far', Buffer.from('{"name":"remote"}'));
      assert.equal(r.statusCode, 200);
      assert.deepEqual(JSON.parse(r.payload.toString()), { hello: 'remote', fn: 'far', v: 1 });
      assert.ok(r.logTail !== undefined && Buffer.from(r.logTail, 'base64').toString().includes('REPORT RequestId'));
      assert.match(seen[0]!, /^AWS4-HMAC-SHA256 Credential=AKIDEXTERNAL\/\d{8}\/eu-west-1\/lambda\/aws4_request, SignedHeaders=.*, Signature=[0-9a-f]{64}$/);
      await assert.rejects(local.lambda.invoke('000000000000/eu-west-1', 'absent', Buffer.from('{}')),
        (e: any) => e.name === 'ResourceNotFoundException' && e.statusCode === 404);
      assert.equal(local.lambda.stats().workers, 0, 'nothing ran locally');
    } finally {
      remoteClient.destroy();
      await local.close();
      proxy.closeAllConnections();
      await new Promise<void>((r) => proxy.close(() => r()));
      await remote.close();
    }
  });
});
