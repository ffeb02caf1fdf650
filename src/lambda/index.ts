// The built-in Lambda function service: Lambda's wire API for the AWS CLI and SDKs, and
// `invoke()` for API Gateway's Lambda integrations. Functions run in worker processes (see
// pool.ts and worker.ts); their metadata sits in the Store, their code on disk.
import type { ChangeFeed } from '../feed/index.ts';
import type { MinuteAggregator } from '../metrics/aggregate.ts';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GatehouseConfig } from '../config.ts';
import type { Store } from '../store/index.ts';
import { createLambdaApi, type LambdaCallRecorder } from './api.ts';
import { NODE_BOOTSTRAP } from './runtime/node-bootstrap.ts';
import { PYTHON_BOOTSTRAP } from './runtime/python-bootstrap.ts';
import { log } from '../observe/log.ts';
import { SandboxHost, type LambdaNetwork } from './sandbox.ts';
import { LambdaFunctions } from './service.ts';

export { LambdaError } from './errors.ts';
export type { LambdaErrorName } from './errors.ts';

export interface LambdaServiceOptions {
  store: Store;
  config: GatehouseConfig;
  /** How long an idle worker stays warm (default: config.lambdaIdleSeconds). */
  idleTimeoutMs?: number;
  /** CloudWatch's AWS/Lambda metrics per minute (src/metrics). */
  minutes?: MinuteAggregator;
  /** The audit trail's record of each management call (src/audit). */
  record?: LambdaCallRecorder;
  /** The store's committed changes: invocations keep function records while none changes them. */
  feed?: ChangeFeed;
}

export interface LambdaService {
  /** Serves the Lambda wire API for requests whose path starts with /2015-03-31/ */
  handle(req: IncomingMessage, res: ServerResponse): void;
  /** Used by API Gateway's Lambda integrations. functionRef: name, partial or full ARN. partition: `${accountId}/${region}` */
  invoke(partition: string, functionRef: string, payload: Buffer | string, options?: { invocationType?: 'RequestResponse' | 'Event'; timeoutMs?: number; signal?: AbortSignal; trustedJson?: boolean; logTail?: boolean }):
    Promise<{ statusCode: number; payload: Buffer; functionError?: 'Unhandled' | 'Handled'; executedVersion: string; logTail?: string }>;
  /** throws a typed LambdaError (with .name e.g. 'ResourceNotFoundException', .statusCode) when the function does not exist */
  reset(): Promise<void>; // drops all workers (store is cleared by the caller)
  close(): Promise<void>;
  stats(): { workers: number; busy: number; queued: number };
  /** Process ids of a function's workers (tests and diagnostics). */
  workerPids(partition: string, functionName: string): number[];
  /** Where code, logs and runtime files live. */
  readonly root: string;
}

export function createLambdaService(options: LambdaServiceOptions): LambdaService {
  const { store, config } = options;
  const temporary = config.dataDir === ':memory:';
  const root = temporary ? mkdtempSync(join(tmpdir(), 'gatehouse-lambda-')) : join(config.dataDir, 'lambda');
  const runtimeDir = join(root, 'runtime');
  mkdirSync(runtimeDir, { recursive: true });
  const bootstraps = { nodejs: join(runtimeDir, 'bootstrap.mjs'), python: join(runtimeDir, 'bootstrap.py') };
  writeFileSync(bootstraps.nodejs, NODE_BOOTSTRAP);
  writeFileSync(bootstraps.python, PYTHON_BOOTSTRAP);
  // Functions run under other uids (as root) and must not reach the store or others' code.
  if (!temporary) chmodSync(config.dataDir, 0o700);
  const host = new SandboxHost({
    codeRoot: join(root, 'code'),
    network: config.lambdaNetwork as LambdaNetwork,
    maxWorkers: config.lambdaMaxWorkers,
    maxMemoryMb: config.lambdaMaxMemoryMb,
  });
  // What confines functions depends on the host (root, util-linux, cgroups): say it once.
  log().info({ sandbox: host.describe() }, 'lambda: function sandbox');

  const external = config.lambdaEndpoint === ''
    ? undefined
    : { endpoint: config.lambdaEndpoint, accessKeyId: config.lambdaAccessKeyId, secretAccessKey: config.lambdaSecretAccessKey };
  const functions = new LambdaFunctions({
    store,
    config,
    root,
    bootstraps,
    limits: { concurrency: Math.max(1, config.lambdaConcurrency), queueSize: config.lambdaQueueSize, host },
    external,
    ...(options.minutes !== undefined ? { minutes: options.minutes } : {}),
    ...(options.feed !== undefined ? { feed: options.feed } : {}),
  });
  const idleMs = options.idleTimeoutMs ?? config.lambdaIdleSeconds * 1000;
  const reaper = setInterval(() => functions.reap(idleMs), Math.max(50, Math.min(idleMs / 2, 30_000)));
  reaper.unref();
  const handle = createLambdaApi(functions, config, options.record);

  let closing: Promise<void> | undefined;
  return {
    root,
    handle,
    invoke: (partition, functionRef, payload, opts) => functions.invoke(partition, functionRef, payload, opts),
    async reset() {
      functions.closeWorkers();
      await host.reset();
      await functions.removeAllFiles();
    },
    close() {
      closing ??= (async () => {
        clearInterval(reaper);
        await functions.close();
        await host.close();
        if (temporary) rmSync(root, { recursive: true, force: true });
      })();
      return closing;
    },
    stats: () => functions.stats(),
    workerPids: (partition, name) => functions.workerPids(partition, name),
  };
}
