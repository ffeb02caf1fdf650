// GetSdk through the real AWS CLI (`aws apigateway get-sdk ... out.zip`) and through
// `gatehouse sdk`, against a running gateway: the zip is the one the SDK v3 gets, byte for byte;
// the types Gatehouse does not generate answer AWS's kind of BadRequestException.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { GetSdkCommand, type APIGatewayClient } from '@aws-sdk/client-api-gateway';
import type { Gatehouse } from '../../src/server.ts';
import type { Backend } from '../execute/helpers.ts';
import { apiGatewayClient, awsCliError, CREDENTIALS, REGION, startTestGatehouse } from '../helpers/server.ts';
import { createPetStore, startEcho, type PetStore } from './helpers.ts';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');
const SIGNED = { AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey, AWS_DEFAULT_REGION: REGION };

/** Runs the gatehouse CLI from source the way bin/gatehouse.js does. */
async function gatehouse(args: string[], env: Record<string, string> = {}): Promise<{ stdout: string; stderr: string; code: number }> {
  const script = `import { describeFailure, main } from './src/cli/index.ts';
main(JSON.parse(process.argv[1])).catch((err) => { console.error(describeFailure(err)); process.exit(1); });`;
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, JSON.stringify(args)], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...env },
    });
    return { stdout, stderr, code: 0 };
  } catch (err) {
    const e = err as { stdout: string; stderr: string; code: number };
    return { stdout: e.stdout, stderr: e.stderr, code: e.code };
  }
}

describe('GetSdk from the command line', () => {
  let gh: Gatehouse;
  let echo: Backend;
  let client: APIGatewayClient;
  let store: PetStore;
  let dir: string;

  before(async () => {
    gh = await startTestGatehouse();
    echo = await startEcho();
    client = apiGatewayClient(gh.url);
    store = await createPetStore(client, gh.url, CREDENTIALS, echo.url);
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-sdk-cli-'));
  });
  after(async () => {
    client.destroy();
    await gh.close();
    await echo.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('aws apigateway get-sdk writes the zip the SDK v3 gets, with its content type and disposition', async () => {
    const out = join(dir, 'sdk.zip');
    const { stdout } = await run('aws', [
      'apigateway', 'get-sdk', '--rest-api-id', store.restApiId, '--stage-name', 'prod', '--sdk-type', 'javascript', out,
      '--endpoint-url', gh.url, '--output', 'json',
    ], { env: { ...process.env, ...SIGNED, AWS_PAGER: '', AWS_MAX_ATTEMPTS: '1' } });
    const printed = JSON.parse(stdout) as { contentType: string; contentDisposition: string };
    assert.equal(printed.contentType, 'application/octet-stream');
    assert.match(printed.contentDisposition, /^attachment; filename="javascript_\d{4}-\d\d-\d\d_\d\d-\d\dZ\.zip"$/);
    const viaSdk = await client.send(new GetSdkCommand({ restApiId: store.restApiId, stageName: 'prod', sdkType: 'javascript' }));
    assert.deepEqual(readFileSync(out), Buffer.from(viaSdk.body!));
    assert.equal(readFileSync(out).subarray(0, 4).toString('latin1'), 'PK\u0003\u0004');
  });

  it('answers BadRequestException for the SDK types Gatehouse does not generate, and for a bad invokeUrl', async () => {
    const ruby = await awsCliError(gh.url, [
      'apigateway', 'get-sdk', '--rest-api-id', store.restApiId, '--stage-name', 'prod', '--sdk-type', 'ruby',
      '--parameters', 'service.name=Pets', join(dir, 'ruby.zip'),
    ]);
    assert.deepEqual(ruby, { code: 'BadRequestException', message: 'Gatehouse does not generate Ruby client SDKs yet; it generates javascript and typescript' });
    const java = await awsCliError(gh.url, ['apigateway', 'get-sdk', '--rest-api-id', store.restApiId, '--stage-name', 'prod', '--sdk-type', 'java', join(dir, 'j.zip')]);
    assert.equal(java.code, 'BadRequestException');
    assert.match(java.message, /requires the parameter service\.name/);
    const bad = await awsCliError(gh.url, [
      'apigateway', 'get-sdk', '--rest-api-id', store.restApiId, '--stage-name', 'prod', '--sdk-type', 'typescript',
      '--parameters', 'invokeUrl=ftp://x', join(dir, 'bad.zip'),
    ]);
    assert.deepEqual(bad, { code: 'BadRequestException', message: 'Invalid invokeUrl specified: ftp://x. It must be an http or https URL without a query string or fragment' });
    const missing = await awsCliError(gh.url, ['apigateway', 'get-sdk', '--rest-api-id', store.restApiId, '--stage-name', 'nope', '--sdk-type', 'javascript', join(dir, 'n.zip')]);
    assert.deepEqual(missing, { code: 'NotFoundException', message: 'Invalid Stage identifier specified' });
  });

  it('gatehouse sdk unzips the typescript and javascript SDKs into a folder', async () => {
    const ts = join(dir, 'ts-out');
    const r = await gatehouse(['sdk', store.restApiId, 'prod', '--type', 'typescript', '-o', ts, '--url', gh.url, '--invoke-url', 'http://localhost:9/prod'], SIGNED);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /wrote .*gatehouse-ts-sdk\/client\.ts/);
    const source = readFileSync(join(ts, 'gatehouse-ts-sdk', 'client.ts'), 'utf8');
    assert.match(source, /invokeUrl: "http:\/\/localhost:9\/prod"/);
    assert.match(source, /petsPetIdGet\(params: PetsPetIdGetParams/);
    const js = join(dir, 'js-out');
    const j = await gatehouse(['sdk', store.restApiId, 'prod', `--out=${js}`, '--url', gh.url], SIGNED);
    assert.equal(j.code, 0, j.stderr);
    assert.equal(existsSync(join(js, 'apiGateway-js-sdk', 'lib', 'apiGatewayCore', 'sigV4Client.js')), true);
    const bad = await gatehouse(['sdk', store.restApiId, 'prod', '--type', 'swift', '--url', gh.url], SIGNED);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /gatehouse sdk: --type must be javascript or typescript, not swift/);
    const gone = await gatehouse(['sdk', 'nosuchapi0', 'prod', '-o', join(dir, 'x'), '--url', gh.url], SIGNED);
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /NotFoundException: Invalid API identifier specified/);
    const help = await gatehouse(['help', 'sdk']);
    assert.match(help.stdout, /^Usage: gatehouse sdk API_ID STAGE/);
  });
});
