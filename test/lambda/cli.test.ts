// The real AWS CLI against a real Gatehouse: deploy a function from a zip file, invoke it, read
// its log, change it, grant API Gateway permission, delete it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseConfig } from '../../src/config.ts';
import { startGatehouse, type Gatehouse } from '../../src/server.ts';
import { ROLE, zip } from './helpers.ts';

const run = promisify(execFile);

describe('AWS CLI', () => {
  let gh: Gatehouse;
  let dir: string;
  let env: NodeJS.ProcessEnv;

  async function aws(...args: string[]): Promise<any> {
    const { stdout } = await run('aws', ['lambda', ...args, '--endpoint-url', gh.url, '--output', 'json'], { env, cwd: dir });
    return stdout.trim() === '' ? undefined : JSON.parse(stdout);
  }

  before(async () => {
    gh = await startGatehouse(parseConfig([], {}, { port: 0, dataDir: ':memory:', logLevel: 'silent' }));
    dir = mkdtempSync(join(tmpdir(), 'gh-cli-'));
    env = {
      PATH: process.env.PATH,
      HOME: dir,
      AWS_ACCESS_KEY_ID: 'AKIDCLI',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_REGION: 'us-east-1',
      AWS_CONFIG_FILE: join(dir, 'config'),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'),
      AWS_PAGER: '',
    };
    writeFileSync(join(dir, 'function.zip'), zip({ 'index.js': `'use strict';
console.log('Loading event');
exports.handler = function(event, context) {
  var name = (event.name === undefined ? 'No-Name' : event.name);
  console.log("Hello:" + name);
  context.done(null, {"Hello":name, "greeting": process.env.GREETING || null});
};
` }));
  });
  after(async () => {
    await gh.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('create-function, invoke with --log-type Tail, get-function, list-functions', async () => {
    const created = await aws('create-function', '--function-name', 'GetHelloWithName', '--runtime', 'nodejs20.x', '--role', ROLE,
      '--handler', 'index.handler', '--zip-file', 'fileb://function.zip');
    assert.equal(created.FunctionArn, 'arn:aws:lambda:us-east-1:000000000000:function:GetHelloWithName');
    assert.equal(created.State, 'Active');
    const out = join(dir, 'out.json');
    // fileb:// is raw bytes for AWS CLI v1 and v2 alike (v2 reads a literal --payload as base64).
    writeFileSync(join(dir, 'payload.json'), '{"name":"CLI"}');
    const inv = await aws('invoke', '--function-name', 'GetHelloWithName', '--payload', 'fileb://payload.json', '--log-type', 'Tail', out);
    assert.equal(inv.StatusCode, 200);
    assert.equal(inv.ExecutedVersion, '$LATEST');
    assert.deepEqual(JSON.parse(readFileSync(out, 'utf8')), { Hello: 'CLI', greeting: null });
    const log = Buffer.from(inv.LogResult, 'base64').toString();
    assert.match(log, /INFO\tHello:CLI\n/);
    assert.match(log, /REPORT RequestId: /);
    const got = await aws('get-function', '--function-name', 'GetHelloWithName');
    assert.equal(got.Configuration.Handler, 'index.handler');
    const list = await aws('list-functions');
    assert.deepEqual(list.Functions.map((f: any) => f.FunctionName), ['GetHelloWithName']);
  });

  it('update-function-configuration, add-permission, get-policy', async () => {
    const u = await aws('update-function-configuration', '--function-name', 'GetHelloWithName', '--environment', 'Variables={GREETING=hi}', '--timeout', '10');
    assert.equal(u.Timeout, 10);
    const out = join(dir, 'out2.json');
    writeFileSync(join(dir, 'empty.json'), '{}');
    await aws('invoke', '--function-name', 'GetHelloWithName', '--payload', 'fileb://empty.json', out);
    assert.deepEqual(JSON.parse(readFileSync(out, 'utf8')), { Hello: 'No-Name', greeting: 'hi' });
    const p = await aws('add-permission', '--function-name', 'GetHelloWithName', '--statement-id', 'apigateway-test',
      '--action', 'lambda:InvokeFunction', '--principal', 'apigateway.amazonaws.com',
      '--source-arn', 'arn:aws:execute-api:us-east-1:000000000000:abcdef1234/*/POST/hello');
    assert.equal(JSON.parse(p.Statement).Condition.ArnLike['AWS:SourceArn'], 'arn:aws:execute-api:us-east-1:000000000000:abcdef1234/*/POST/hello');
    const policy = await aws('get-policy', '--function-name', 'GetHelloWithName');
    assert.equal(JSON.parse(policy.Policy).Statement[0].Principal.Service, 'apigateway.amazonaws.com');
  });

  it('a function error is reported in FunctionError; a missing function fails the command with Lambda\'s message', async () => {
    writeFileSync(join(dir, 'bad.zip'), zip({ 'index.js': 'exports.handler = async () => { throw new Error("kaput"); };' }));
    await aws('create-function', '--function-name', 'bad', '--runtime', 'nodejs20.x', '--role', ROLE, '--handler', 'index.handler', '--zip-file', 'fileb://bad.zip');
    const out = join(dir, 'bad.json');
    const inv = await aws('invoke', '--function-name', 'bad', out);
    assert.equal(inv.FunctionError, 'Unhandled');
    assert.equal(JSON.parse(readFileSync(out, 'utf8')).errorMessage, 'kaput');
    await assert.rejects(aws('get-function', '--function-name', 'missing'), (e: any) =>
      e.code !== 0 && /An error occurred \(ResourceNotFoundException\) when calling the GetFunction operation(?: \(reached max retries: \d+\))?: Function not found: arn:aws:lambda:us-east-1:000000000000:function:missing/.test(e.stderr));
  });

  it('delete-function', async () => {
    await aws('delete-function', '--function-name', 'bad');
    await assert.rejects(aws('get-function-configuration', '--function-name', 'bad'), (e: any) => /ResourceNotFoundException/.test(e.stderr));
  });
});
