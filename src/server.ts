// The Gatehouse process: one HTTP server on one port serving the management API at AWS's
// paths, deployed APIs (execute-api), the Lambda API and Gatehouse's own /_gatehouse/ routes.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GatehouseConfig } from './config.ts';
import { openStore, type Store } from './store/index.ts';
import { openSharedState, type SharedState } from './shared/index.ts';
import { log } from './observe/log.ts';
import { METRICS_CONTENT_TYPE } from './observe/metrics.ts';
import { primaryMetricsHook, scrapeText, serveWorkerMetrics } from './observe/cluster-metrics.ts';
import { createLogsPlane } from './observe/cloudwatch-logs.ts';
import { createControlPlane, type ControlPlane } from './control/index.ts';
import { createLambdaService, type LambdaService } from './lambda/index.ts';
import { createExecutionPlane } from './execute/index.ts';
import { createAccess } from './access/index.ts';
import { ACCESS_STEPS } from './access/steps.ts';
import { createResponseCache, invalidationCheck, type ResponseCache } from './cache/index.ts';
import { iamFor } from './iam/index.ts';
import { FollowingFeed, LocalFeed } from './feed/index.ts';
import { createLambdaIntegrations } from './integrations/lambda.ts';
import { awsIntegrationFromConfig } from './integrations/aws.ts';
import { listenError, lockDataDir, StartupError } from './startup.ts';
import { startClusterPrimary } from './cluster.ts';
import { sendFrontError } from './http/answer.ts';
import { answerClientError } from './http/client-error.ts';
import { requestListener } from './http/front.ts';
import { DomainTable } from './domains/table.ts';
import { createHttpsServer } from './domains/https.ts';
import { s3TruststoreReader } from './domains/truststore.ts';
import { createAcmService } from './acm/index.ts';
import { createCloudTrailService, keepAuditTrail, type AuditKeeper } from './audit/cloudtrail.ts';
import { lambdaAuditRecorder } from './audit/lambda.ts';
import { consoleFiles, CONSOLE_PATH } from './console/serve.ts';
import { MinuteAggregator } from './metrics/aggregate.ts';
import { createCloudWatchPlane } from './metrics/cloudwatch.ts';
import { DEFAULT_RESOLVERS } from './execute/front-door.ts';
import { limitConnections, serverOptions } from './http/limits.ts';

export interface Gatehouse {
  readonly config: GatehouseConfig;
  readonly server: Server;
  readonly store: Store;
  readonly control: ControlPlane;
  readonly lambda: LambdaService;
  /** The stage response cache: its hit and miss counts per stage (CacheHitCount, CacheMissCount). */
  readonly cache: ResponseCache;
  /** Base URL, e.g. http://127.0.0.1:4567 */
  readonly url: string;
  /** The HTTPS listener's base URL (custom domain names by SNI) when --https-port is set. */
  readonly httpsUrl?: string;
  /** Custom domain names as served: base path mappings, certificates, truststores. */
  readonly domains: DomainTable;
  /** The audit trail's export to CloudTrail log files and its retention. */
  readonly audit: AuditKeeper;
  close(): Promise<void>;
}

export interface StartOptions {
  /** 'worker': one of --workers N processes; the cluster primary holds the data directory. */
  readonly role?: 'single' | 'worker';
  /** Tests only: the clock of the shared state and of usage days (quota periods across midnight). */
  readonly clock?: () => number;
}

export async function startGatehouse(config: GatehouseConfig, options: StartOptions = {}): Promise<Gatehouse> {
  // --identities is read (and a mistake in it reported) before anything is opened.
  iamFor(config);
  const worker = options.role === 'worker';
  if (worker) serveWorkerMetrics();
  const lock = worker ? { release() {} } : lockDataDir(config.dataDir);
  let store: Store;
  let shared: SharedState;
  try {
    store = await openStore(config);
  } catch (err) {
    lock.release();
    throw storeStartError(config, err);
  }
  try {
    shared = await openSharedState(config, worker ? 'worker' : 'primary', { onAvailability: sharedAvailability, clock: options.clock });
  } catch (err) {
    await store.close();
    lock.release();
    throw err;
  }
  // Compiled stages follow the store's committed changes. A process alone on its store sees
  // them all as it commits; one of several (workers, or processes on one PostgreSQL) follows
  // the store's change log, woken early by the others through Redis, the cluster primary or
  // PostgreSQL's NOTIFY, and polling it besides so it converges even when no message arrives.
  const shares = worker || config.postgres !== '';
  const feed = shares ? new FollowingFeed(store, { notifier: shared.notifier }) : new LocalFeed(store);
  await feed.start();
  const control = createControlPlane({ store, config, shared, clock: options.clock });
  // CloudWatch's metrics: per-minute aggregates of this process, written to the store where
  // every process's add up (src/metrics).
  const minutes = config.cloudwatchMetrics ? new MinuteAggregator(store) : undefined;
  const lambda = createLambdaService({ store, config, feed, ...(minutes !== undefined ? { minutes } : {}), ...(config.auditTrail ? { record: lambdaAuditRecorder(store, config) } : {}) });
  const access = createAccess({
    config,
    store,
    shared,
    feed,
    clock: options.clock,
    invokeFunction: (functionArn, payload, scope) => lambda.invoke(`${scope.accountId}/${scope.region}`, functionArn, payload, { invocationType: 'RequestResponse' }),
  }, ACCESS_STEPS);
  const cache = createResponseCache({ shared, stageCacheMaxMb: config.stageCacheMaxMb, mayInvalidate: invalidationCheck(iamFor(config)) });
  const lambdaIntegrations = createLambdaIntegrations({ lambda, store, defaultPartition: `${config.accountId}/${config.region}` });
  const aws = awsIntegrationFromConfig(config, lambdaIntegrations.AWS);
  // Custom domain names: the Host resolver on every listener, the certificates of the HTTPS one.
  const domains = new DomainTable(store, feed, s3TruststoreReader(config));
  await domains.start();
  const acm = createAcmService(config, store);
  // The audit trail: LookupEvents, retention, and (one process per data directory) log files.
  const cloudtrail = createCloudTrailService(config, store);
  const auditKeeper = keepAuditTrail(config, store, { exportFiles: !worker });
  // (With --workers the cluster's primary exports the log files: startGatehouseCluster.)
  const execute = createExecutionPlane({
    store,
    config,
    feed,
    ...(minutes !== undefined ? { minutes } : {}),
    resolvers: [domains.resolver, ...DEFAULT_RESOLVERS],
    access,
    cache,
    integrations: { ...lambdaIntegrations, AWS: aws },
  });

  async function reset(res: ServerResponse): Promise<void> {
    await store.clear();
    await lambda.reset();
    await execute.reset();
    sendJson(res, 200, { reset: true });
  }

  const consolePages = consoleFiles();
  function internal(req: IncomingMessage, res: ServerResponse, path: string): void {
    if (path === CONSOLE_PATH || path.startsWith(`${CONSOLE_PATH}/`)) {
      consolePages.handle(req, res, path);
      return;
    }
    if (path === '/_gatehouse/health' && (req.method === 'GET' || req.method === 'HEAD')) {
      sendJson(res, 200, { status: 'ok', version: VERSION, pid: process.pid });
      return;
    }
    if (path === '/_gatehouse/metrics' && (req.method === 'GET' || req.method === 'HEAD')) {
      scrapeText().then((text) => {
        res.writeHead(200, { 'content-type': METRICS_CONTENT_TYPE, 'content-length': Buffer.byteLength(text) });
        res.end(req.method === 'HEAD' ? undefined : text);
      }, (err: unknown) => sendFrontError(req, res, 'apigateway', { status: 500, type: 'InternalFailure', message: String(err) }));
      return;
    }
    if (path === '/_gatehouse/reset' && req.method === 'POST') {
      if (!config.allowReset) {
        sendFrontError(req, res, 'apigateway', { status: 403, type: 'AccessDeniedException', message: 'Reset is disabled; start Gatehouse with --allow-reset' });
        return;
      }
      req.resume();
      reset(res).catch((err) => sendFrontError(req, res, 'apigateway', { status: 500, type: 'InternalFailure', message: String(err) }));
      return;
    }
    sendFrontError(req, res, 'apigateway', { status: 404, type: 'NotFoundException', message: 'Not Found: Gatehouse\'s own routes are GET /_gatehouse/health, GET /_gatehouse/metrics, POST /_gatehouse/reset and the console at /_gatehouse/console/' });
  }

  const logs = createLogsPlane(config);
  const listener = requestListener(config, {
    execute: (req, res) => execute.handle(req, res),
    internal,
    lambda: (req, res) => lambda.handle(req, res),
    logs: (req, res) => logs.handle(req, res),
    control: (req, res) => control.handle(req, res),
    awsJson: [acm, cloudtrail],
    cloudwatch: createCloudWatchPlane(config, store, () => minutes?.flush() ?? Promise.resolve()),
    servedHost: (hostname) => domains.lookup(hostname) !== null,
  });
  const server = createServer(serverOptions(config), listener);
  limitConnections(server, config);
  server.on('clientError', answerClientError);
  const https = config.httpsPort < 0 ? null : createHttpsServer(domains, { ...serverOptions(config) }, listener);
  if (https !== null) {
    limitConnections(https as unknown as Server, config);
    https.on('clientError', answerClientError);
  }

  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error, port = config.port) => {
      domains.close();
      void auditKeeper.close();
      Promise.allSettled([lambda.close(), execute.close(), logs.close(), feed.close(), store.close()]).finally(() => {
        lock.release();
        reject(listenError(err, config.host, port));
      });
    };
    server.once('error', onError);
    server.listen(config.port, config.host, () => {
      server.off('error', onError);
      if (https === null) return resolve();
      const onHttpsError = (err: Error) => {
        server.close();
        onError(err, config.httpsPort);
      };
      https.once('error', onHttpsError);
      https.listen(config.httpsPort, config.host, () => {
        https.off('error', onHttpsError);
        resolve();
      });
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const httpsPort = https === null ? null : (https.address() as AddressInfo).port;

  let closing: Promise<void> | undefined;
  return {
    config,
    server,
    store,
    control,
    lambda,
    cache,
    url: `http://${host}:${port}`,
    ...(httpsPort === null ? {} : { httpsUrl: `https://${host}:${httpsPort}` }),
    domains,
    audit: auditKeeper,
    close() {
      closing ??= (async () => {
        await Promise.all([server, ...(https === null ? [] : [https])].map((s) => new Promise<void>((resolve) => {
          s.close(() => resolve());
          s.closeIdleConnections();
        })));
        domains.close();
        await lambda.close();
        await execute.close();
        await minutes?.close();
        await auditKeeper.close();
        await logs.close();
        await aws.close();
        await feed.close();
        await shared.close();
        await store.close();
        lock.release();
      })();
      return closing;
    },
  };
}

/** `--workers N`: this process becomes the cluster primary (src/cluster.ts) and serves nothing
 *  itself; without Redis it keeps the workers' shared state and relays their wake-ups. */
export async function startGatehouseCluster(config: GatehouseConfig): Promise<{ url: string; close(): Promise<void> }> {
  iamFor(config);
  const lock = lockDataDir(config.dataDir);
  let shared: SharedState | undefined;
  let store: Store | undefined;
  let keeper: AuditKeeper | undefined;
  try {
    // The store is opened before the workers start, so its schema is created or migrated by one
    // process rather than raced by N.
    const opened = await openStore(config).catch((err: unknown) => Promise.reject(storeStartError(config, err)));
    store = opened;
    // The audit trail's log files and retention are this process's: one writer per data directory.
    keeper = keepAuditTrail(config, opened, { exportFiles: true });
    shared = config.redis === '' ? await openSharedState(config, 'primary') : undefined;
    const primary = await startClusterPrimary(config, { onWorkerMessage: primaryMetricsHook() });
    return {
      url: primary.url,
      close: async () => {
        await primary.close();
        await keeper?.close();
        await store?.close();
        await shared?.close();
        lock.release();
      },
    };
  } catch (err) {
    await keeper?.close();
    await store?.close();
    await shared?.close();
    lock.release();
    throw err;
  }
}

/** A store that cannot be opened at start-up, as one line that says what to check. */
function storeStartError(config: GatehouseConfig, err: unknown): unknown {
  if (config.postgres === '') return err;
  // The URL may hold a password: never print it.
  const shown = config.postgres.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
  const why = (err as { cause?: { message?: string } }).cause?.message ?? (err as Error).message;
  return new StartupError(`cannot use the PostgreSQL store at ${shown} (${why}); check --postgres and that the server is running and the database exists`);
}

function sharedAvailability(available: boolean, err?: Error): void {
  if (available) log().info('shared state: reachable again; limits and quotas are enforced');
  else log().error({ err: err?.message }, 'shared state: unreachable; limits and quotas fail open until it is back');
}

export const VERSION = '0.1.0';

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
