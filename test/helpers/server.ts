// Starts a real Gatehouse on an ephemeral port for end-to-end tests, and real AWS clients for it.
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { parseConfig, type GatehouseConfig } from '../../src/config.ts';
import { startGatehouse, type Gatehouse } from '../../src/server.ts';

export const CREDENTIALS = { accessKeyId: 'AKIDGATEHOUSETEST', secretAccessKey: 'gatehouse-test-secret' };
export const REGION = 'us-east-1';

export async function startTestGatehouse(overrides: Partial<GatehouseConfig> = {}): Promise<Gatehouse> {
  return startGatehouse(parseConfig([], {}, { port: 0, dataDir: ':memory:', logLevel: 'silent', allowReset: true, ...overrides }));
}

export function tempDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'gatehouse-test-'));
}

export function apiGatewayClient(url: string, region = REGION): APIGatewayClient {
  return new APIGatewayClient({ endpoint: url, region, credentials: CREDENTIALS, maxAttempts: 1 });
}

const run = promisify(execFile);

/** Runs the real AWS CLI against `url`; returns parsed JSON output (or null for none). */
export async function awsCli(url: string, args: string[]): Promise<unknown> {
  const { stdout } = await run('aws', [...args, '--endpoint-url', url, '--output', 'json'], {
    env: {
      ...process.env,
      AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
      AWS_DEFAULT_REGION: REGION,
      AWS_PAGER: '',
      AWS_MAX_ATTEMPTS: '1',
    },
  });
  return stdout.trim() === '' ? null : JSON.parse(stdout);
}

/** Runs the AWS CLI expecting failure; returns the error code and message it printed. */
export async function awsCliError(url: string, args: string[]): Promise<{ code: string; message: string }> {
  try {
    await awsCli(url, args);
  } catch (err) {
    const stderr = String((err as { stderr?: string }).stderr ?? '');
    // AWS CLI v2 adds ' (reached max retries: N)' before the colon.
    const m = /An error occurred \(([^)]+)\) when calling the \w+ operation(?: \(reached max retries: \d+\))?: (.*)/.exec(stderr);
    if (m === null) throw new Error(`unexpected CLI failure: ${stderr}`);
    return { code: m[1]!, message: m[2]!.trim() };
  }
  throw new Error('the AWS CLI call succeeded but was expected to fail');
}

/** Expects an AWS SDK call to fail with the named error (exact message for a string, a match for a RegExp). */
export async function rejects(p: Promise<unknown>, name: string, message?: RegExp | string, status?: number): Promise<void> {
  await assert.rejects(p, (err: Error & { $metadata?: { httpStatusCode?: number } }) => {
    assert.equal(err.name, name, `expected ${name}, got ${err.name}: ${err.message}`);
    if (typeof message === 'string') assert.equal(err.message, message);
    else if (message) assert.match(err.message, message);
    if (status !== undefined) assert.equal(err.$metadata?.httpStatusCode, status);
    return true;
  });
}

/**
 * Starts a Gatehouse (in memory) and an SDK client for the tests of one file, before they run,
 * and stops both after; `use` receives them.
 */
export function useGatehouse(use: (gh: Gatehouse, client: APIGatewayClient) => void): void {
  let gh: Gatehouse;
  let client: APIGatewayClient;
  before(async () => {
    gh = await startTestGatehouse();
    client = apiGatewayClient(gh.url);
    use(gh, client);
  });
  after(async () => {
    client.destroy();
    await gh.close();
  });
}

/**
 * Awaits `p` with the event loop held open. Node's test runner cancels a test whose promise is
 * pending when nothing else keeps the loop alive, and the timers of AbortSignal.timeout() do
 * not: a request caught by a kill -9 must get the chance to time out instead.
 */
export async function holdOpen<T>(p: Promise<T>): Promise<T> {
  const timer = setInterval(() => {}, 1000);
  try {
    return await p;
  } finally {
    clearInterval(timer);
  }
}
