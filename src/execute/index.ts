// The execution plane: deployed stages serving requests on Gatehouse's port.
import { dict } from '../shared/dict.ts';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GatehouseConfig } from '../config.ts';
import { loadStage, StageCache, type IntegrationType } from '../deploy/index.ts';
import type { ChangeFeed, FeedBatch } from '../feed/index.ts';
import { createIntegrations, type Integration, type Integrations } from '../integrations/index.ts';
import { K } from '../kinds.ts';
import type { Store } from '../store/index.ts';
import { logRequest, logsRequests, pathOf, type RequestLogLine } from '../observe/log.ts';
import { createObserver, type Observer } from '../observe/observer.ts';
import { logFileLimits } from '../observe/log-files.ts';
import { answerTraceId, buildContext, newRequestId } from './context.ts';
import { forbidden, requestTooLarge } from './errors.ts';
import { DEFAULT_RESOLVERS, type Target, type TargetResolver } from './front-door.ts';
import type { DomainTarget } from '../domains/table.ts';
import type { MinuteAggregator } from '../metrics/aggregate.ts';
import { runPipeline } from './pipeline.ts';
import type { Access } from '../access/index.ts';
import type { ResponseCache } from '../cache/index.ts';
import { gatewayResponse } from './stages/gateway-response.ts';
import { useTestInvokeIntegrations } from './test-invoke.ts';
import { endSoon } from '../http/end-batch.ts';
import type { IncomingRequest, InvocationScope, MethodResponse } from './types.ts';

export { GatewayError } from './errors.ts';
export type { GatewayResponseType } from './errors.ts';
export { testInvokeMethod, type TestInvokeScope } from './test-invoke.ts';

/** API Gateway's request payload limit. */
export const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;

export interface ExecutionPlane {
  /** Serves the request when it is for a deployed API; answers false (untouched) otherwise. */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
  reset(): Promise<void>;
  close(): Promise<void>;
}

export interface ExecutionPlaneOptions {
  store: Store;
  config: GatehouseConfig;
  /** The store's committed changes: compiled stages follow them. */
  feed: ChangeFeed;
  /** Integrations other issues add (AWS with Lambda URIs), by type. */
  integrations?: Partial<Record<IntegrationType, Integration>>;
  resolvers?: readonly TargetResolver[];
  /** Access control and traffic checks (src/access); none when omitted. */
  access?: Access;
  /** The stage response cache (src/cache); nothing is cached when omitted. */
  cache?: ResponseCache;
  /** CloudWatch's per-minute aggregates (src/metrics); none when omitted. */
  minutes?: MinuteAggregator;
  maxStages?: number;
  log?: (line: string) => void;
}

export function createExecutionPlane(options: ExecutionPlaneOptions): ExecutionPlane {
  const { store } = options;
  const resolvers = options.resolvers ?? DEFAULT_RESOLVERS;
  const log = options.log ?? ((line: string) => process.stderr.write(line + '\n'));
  let integrations: Integrations = createIntegrations({}, options.integrations);
  // Metrics, access logs and execution logs (src/observe); the pipeline times the integrations for them.
  const observer: Observer = createObserver({
    dataDir: options.config.dataDir, cache: options.cache, logLimits: logFileLimits(options.config), ...(options.minutes !== undefined ? { minutes: options.minutes } : {}),
  });
  useTestInvokeIntegrations(store, options.integrations);
  const stages = new StageCache((id, name, version) => loadStage(store, id, name, version), () => options.feed.position, options.maxStages);
  const unfollow = options.feed.subscribe((batch) => follow(stages, batch));
  const onBug = (err: unknown): void => log(`gatehouse: execution failed: ${(err as Error)?.stack ?? err}`);

  function resolve(req: IncomingMessage): Target | null {
    const host = req.headers.host ?? '';
    const url = req.url ?? '/';
    for (const r of resolvers) {
      const t = r(host, url, req.socket);
      if (t !== null) return t;
    }
    return null;
  }

  // serve and serveStage return a promise only when they wait (a stage to load, an integration to
  // answer): a MOCK request on a loaded stage is answered in the turn that read it.
  function serve(target: Target, req: IncomingMessage, res: ServerResponse, body: Buffer | null): void | Promise<void> {
    const requestId = newRequestId();
    const found = target.stageName === null ? null : stages.get(target.restApiId, target.stageName);
    if (found instanceof Promise) return found.then((loaded) => serveStage(target, req, res, body, requestId, loaded));
    return serveStage(target, req, res, body, requestId, found);
  }

  function serveStage(target: Target, req: IncomingMessage, res: ServerResponse, body: Buffer | null, requestId: string, loaded: Awaited<ReturnType<StageCache['get']>>): void | Promise<void> {
    const viaDomain = (target as Partial<DomainTarget>).domain !== undefined;
    // An API whose deployment disabled the default endpoint answers only on its custom domain names.
    if (loaded === null || (loaded.disableExecuteApiEndpoint && !viaDomain)) return finish(req, res, target, requestId, gatewayResponse(forbidden(), null, null), undefined, observer);
    // A stage with a canary sends each request there with probability percentTraffic/100 (docs/canary.md).
    const canary = loaded.canary;
    const api = canary !== undefined && Math.random() * 100 < canary.percentTraffic ? canary.api : loaded;
    const incoming: IncomingRequest = {
      httpMethod: req.method ?? 'GET',
      path: target.path,
      query: target.query,
      headers: joinedHeaders(req.rawHeaders),
      rawHeaders: req.rawHeaders,
      body: body ?? EMPTY,
      sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
      protocol: `HTTP/${req.httpVersion}`,
      host: req.headers.host ?? '',
      contextPath: target.contextPath,
    };
    const now = Date.now();
    const context = buildContext(api, incoming, requestId, api.accountId, now);
    const log = observer.executionLog(api, requestId, context.extendedRequestId as string, now);
    const scope: InvocationScope = { api, requestId, sourceIp: incoming.sourceIp, listener: listenerOf(req), context, log, grants: {} };
    if (body === null) return finish(req, res, target, requestId, gatewayResponse(requestTooLarge(), incoming, scope), scope, observer);
    const out = runPipeline(integrations.registry, incoming, scope, onBug, options.access, options.cache);
    if (out instanceof Promise) {
      // One reaction with both handlers, and nothing returned to chain a catch on: a promise less per request.
      out.then((o) => {
        try {
          finish(req, res, target, requestId, o, scope, observer);
        } catch (err) {
          failed(err, target, res, req);
        }
      }, (err: unknown) => failed(err, target, res, req));
      return;
    }
    finish(req, res, target, requestId, out, scope, observer);
  }

  function failed(err: unknown, target: Target, res: ServerResponse, req: IncomingMessage): void {
    onBug(err);
    if (!res.headersSent) finish(req, res, target, newRequestId(), gatewayResponse(err, null, null), undefined, observer);
    else res.destroy();
  }

  return {
    handle(req, res) {
      const target = resolve(req);
      if (target === null) return false;
      readBody(req, (body) => {
        let served: void | Promise<void>;
        try {
          served = serve(target, req, res, body);
        } catch (err) {
          failed(err, target, res, req);
          return;
        }
        if (served !== undefined) served.catch((err: unknown) => failed(err, target, res, req));
      });
      return true;
    },
    async reset() {
      stages.clear();
    },
    async close() {
      unfollow();
      await options.access?.close();
      stages.clear();
      await integrations.close();
      await observer.close();
      integrations = createIntegrations({}, options.integrations);
    },
  };
}

const EMPTY = Buffer.alloc(0);

const listeners = new WeakMap<object, { port: string; proto: 'http' | 'https' }>();

/** The port and scheme of the request's connection, once per connection. */
function listenerOf(req: IncomingMessage): { port: string; proto: 'http' | 'https' } {
  const socket = req.socket;
  let l = listeners.get(socket);
  if (l === undefined) {
    l = { port: String(socket.localPort ?? ''), proto: (socket as { encrypted?: boolean }).encrypted === true ? 'https' : 'http' };
    listeners.set(socket, l);
  }
  return l;
}

/** Collects the body; null when it exceeds the 10 MB payload limit (413). */
function readBody(req: IncomingMessage, done: (body: Buffer | null) => void): void {
  // A request with neither Content-Length nor Transfer-Encoding has no body (RFC 9112 §6.3):
  // answer without subscribing to the stream, which is most of a GET's cost here.
  if (req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined) {
    done(EMPTY);
    return;
  }
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_PAYLOAD_BYTES) {
    req.resume();
    req.once('end', () => done(null));
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (c: Buffer) => {
    size += c.length;
    if (size <= MAX_PAYLOAD_BYTES) chunks.push(c);
  });
  req.once('end', () => done(size > MAX_PAYLOAD_BYTES ? null : chunks.length === 0 ? EMPTY : chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
  req.once('error', () => req.destroy());
}

/** Header names as sent; a repeated header's values joined with ','. */
function joinedHeaders(raw: readonly string[]): Record<string, string> {
  // dict(): a header named __proto__ or constructor is a header like any other (src/shared/dict.ts).
  const out: Record<string, string> = dict<string>();
  for (let i = 0; i < raw.length; i += 2) {
    const k = raw[i]!;
    out[k] = out[k] === undefined ? raw[i + 1]! : `${out[k]},${raw[i + 1]}`;
  }
  return out;
}

/** Answers the client, then reports the request: metrics, access and execution logs, and the
 *  server log's line when its level is on. */
function finish(req: IncomingMessage, res: ServerResponse, target: Target, requestId: string, out: MethodResponse, scope: InvocationScope | undefined, observer: Observer): void {
  const length = send(req, res, requestId, out, scope?.context.extendedRequestId as string | undefined, scope?.traceId);
  // One clock reading for the metrics, the access log and the server log's latency.
  const now = Date.now();
  if (scope !== undefined) observer.finished(scope, out.statusCode, length, now);
  // One level check per request; the line is built only when it will be written.
  if (!logsRequests()) return;
  const line: RequestLogLine = {
    requestId,
    method: req.method ?? 'GET',
    path: pathOf(req.url ?? '/'),
    status: out.statusCode,
    target: `api ${target.restApiId} stage ${target.stageName ?? ''}`,
    api: target.restApiId,
    stage: target.stageName ?? '',
  };
  const started = scope?.context.requestTimeEpoch;
  if (typeof started === 'number') line.latencyMs = now - started;
  if (out.statusCode >= 500 || out.failure !== undefined) line.reason = out.failure ?? `status ${out.statusCode}`;
  logRequest(line);
}

/** Answers the client; returns the body's length in bytes ($context.responseLength). */
function send(req: IncomingMessage, res: ServerResponse, requestId: string, out: MethodResponse, extendedId?: string, traceId?: string): number {
  // A string body goes to res.end as a string: Node then writes headers and body in one write.
  // Headers go as one flat [name, value, ...] array, which Node takes without building a map.
  const body = out.body;
  const length = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
  const raw: string[] = [];
  const multi = out.multiValueHeaders;
  if (multi === undefined) for (const k in out.headers) raw.push(k, out.headers[k]!);
  else {
    for (const k in out.headers) {
      const values = multi[k];
      if (values === undefined) raw.push(k, out.headers[k]!);
      else for (const v of values) raw.push(k, v);
    }
  }
  raw.push('x-amzn-RequestId', requestId, 'Content-Length', String(length));
  // Our own Connection header keeps Node from adding "Keep-Alive: timeout=N", which AWS never sends.
  if (res.shouldKeepAlive) raw.push('Connection', 'keep-alive');
  if (extendedId !== undefined) raw.push('x-amz-apigw-id', extendedId);
  // AWS answers with the trace of the integration call (recorded for Lambda, HTTP and AWS services).
  if (traceId !== undefined && out.headers['X-Amzn-Trace-Id'] === undefined) raw.push('X-Amzn-Trace-Id', answerTraceId(traceId));
  res.writeHead(out.statusCode, raw);
  // Written with the turn's other responses (src/http/end-batch.ts).
  endSoon(res, req.method === 'HEAD' ? undefined : body);
  return length;
}

/** What a committed change means for compiled stages. Only a stage's own document and its API's
 *  existence matter: a stage serves an immutable deployment snapshot, and every write that
 *  changes what a stage serves (deploy, canary, variables, documentation version) writes the stage. */
function follow(stages: StageCache, batch: FeedBatch): void {
  if (batch.resync) {
    stages.refreshAll();
    return;
  }
  for (const c of batch.changes) {
    if (c.op === 'clear') stages.clear();
    else if (c.kind === K.stage) stages.refresh(c.parent, c.id);
    else if (c.kind === K.restApi && c.op === 'delete') stages.dropApi(c.id);
  }
}
