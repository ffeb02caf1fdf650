// The management ("control") plane: AWS's REST-JSON API Gateway service on Gatehouse's port.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GatehouseConfig } from '../config.ts';
import { authFailure, callerScope, managementResource, partitionOf, requestAccount } from '../http/aws-scope.ts';
import { auditRow, newAuditCall, type AuditCall } from '../audit/record.ts';
import { AuthError, iamFor } from '../iam/index.ts';
import { unknownOperationMessage } from '../http/invocation-hint.ts';
import { StoreUnavailableError, type Store, type WriteTx } from '../store/index.ts';
import { MemorySharedState, type SharedState } from '../shared/index.ts';
import type { OperationName, Operations } from '../model/generated/operations.ts';
import { checkedApiId, requireApi } from './api-exists.ts';
import type { Handler, HandlerTable, OpContext } from './context.ts';
import { validateInput } from './coral.ts';
import { ApiError } from './errors.ts';
import { HANDLERS } from './handlers.ts';
import { bindInput, OperationRouter, writeError, writeOutput, type WireResponse } from './protocol.ts';
import { logRequest, logsRequests, pathOf } from '../observe/log.ts';

export type { OpContext } from './context.ts';
export { ApiError } from './errors.ts';

/** API Gateway's limit on an import body is 6 MB; other requests are far smaller. */
export const MAX_BODY_BYTES = 10 * 1024 * 1024;

export interface ControlPlane {
  handle(req: IncomingMessage, res: ServerResponse): void;
  /** Runs one operation without HTTP (used by the CLI, the console and tests). */
  invoke(operation: OperationName, input: Record<string, unknown>, scope?: { accountId?: string; region?: string }): Promise<unknown>;
  readonly handlers: HandlerTable;
}

export interface ControlPlaneOptions {
  store: Store;
  config: GatehouseConfig;
  /** The execution plane's shared state; a private in-memory one when omitted (tests of management alone). */
  shared?: SharedState;
  /** Tests only: the clock of `shared`, so usage days follow it (Date.now by default). */
  clock?: () => number;
  handlers?: HandlerTable;
  log?: (line: string) => void;
}

export function createControlPlane(options: ControlPlaneOptions): ControlPlane {
  const { store, config } = options;
  const now = options.clock ?? Date.now;
  const shared = options.shared ?? new MemorySharedState({ clock: now });
  const handlers = options.handlers ?? HANDLERS;
  const router = new OperationRouter();
  const log = options.log ?? ((line: string) => process.stderr.write(line + '\n'));
  // --auth: who signed the request (enforce) and so which account it acts in (src/http/aws-scope.ts).
  const iam = iamFor(config);

  /**
   * `restApiId`: the API to check first in each of the operation's transactions (api-exists.ts).
   * `audit`: the call's CloudTrail event, written in each of its write transactions, so that no
   * change commits without its record (a second write of the call replaces the first's record).
   */
  function context(operation: OperationName, accountId: string, region: string, requestId: string, restApiId: string | null, audit?: AuditCall): OpContext {
    const partition = partitionOf(accountId, region);
    const base = { store, config, shared, now, partition, accountId, region, requestId, operation };
    const recorded = <T>(fn: (tx: WriteTx) => Promise<T>) => audit === undefined ? fn : async (tx: WriteTx): Promise<T> => {
      const out = await fn(tx);
      const created = (out as { id?: unknown } | null)?.id;
      if (typeof created === 'string' && /^(Create|Import|Generate)/.test(operation) && !audit.resources.some((r) => r.ResourceName === created)) {
        audit.resources.push({ ResourceType: `AWS::ApiGateway::${operation.replace(/^(Create|Import|Generate)/, '')}`, ResourceName: created });
      }
      await tx.audit(auditRow(audit, { response: out }));
      audited.add(audit);
      return out;
    };
    if (restApiId === null) {
      return { ...base, read: (fn) => store.read(partition, fn), write: (fn) => store.write(partition, recorded(fn)) };
    }
    return {
      ...base,
      read: (fn) => store.read(partition, async (tx) => {
        await requireApi(tx, accountId, restApiId);
        return fn(tx);
      }),
      write: (fn) => store.write(partition, recorded(async (tx) => {
        await requireApi(tx, accountId, restApiId);
        return fn(tx);
      })),
    };
  }

  /** Calls whose record a write transaction has already committed. */
  const audited = new WeakSet<AuditCall>();

  /** Runs `operation`'s handler, its context built for that operation and input. */
  function dispatch<Op extends OperationName>(operation: Op, input: Record<string, unknown>, accountId: string, region: string, requestId: string, audit?: AuditCall): Promise<unknown> {
    const handler: Handler<Op> | undefined = handlers[operation];
    if (handler === undefined) throw new ApiError('NotImplementedException', `Gatehouse does not implement ${operation} yet`);
    const ctx = context(operation, accountId, region, requestId, checkedApiId(operation, input), audit);
    // The input is the operation's: bound and checked against its shape over HTTP (protocol.ts),
    // built by trusted code through invoke.
    return handler(input as Operations[Op]['input'], ctx);
  }

  /** `call.operation` is set once the operation is known, for the request log; `call.audit` once the caller is. */
  async function run(req: IncomingMessage, body: Buffer, requestId: string, call: { operation?: string; audit?: AuditCall; output?: unknown }): Promise<WireResponse> {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const query = new URLSearchParams(q === -1 ? '' : url.slice(q + 1));
    const match = router.match(req.method ?? 'GET', path, query);
    const eventName = match === null || match === 'method-not-allowed' ? `${req.method ?? 'GET'} ${path}` : match.op.name;
    const who = await requestAccount(iam, config, req, body, 'apigateway').catch((err: unknown) => {
      // Refused before the caller is known (a bad signature, an unknown key): recorded in the
      // configured account, under the access key the request named.
      const scope = callerScope(req.headers.authorization);
      if (config.auditTrail) call.audit = newAuditCall({
        eventSource: 'apigateway.amazonaws.com', eventName, accountId: config.accountId, region: scope.region ?? config.region,
        partition: partitionOf(config.accountId, scope.region ?? config.region), requestId, req, readOnly: isReadOnly(req), caller: null,
      });
      throw err;
    });
    if (config.auditTrail) {
      call.audit = newAuditCall({
        eventSource: 'apigateway.amazonaws.com', eventName, accountId: who.accountId, region: who.region, partition: partitionOf(who.accountId, who.region),
        requestId, req, readOnly: isReadOnly(req), caller: who.caller,
      });
    }
    if (match === null || match === 'method-not-allowed') {
      // What API Gateway answers for a path or verb its API does not have.
      throw new ApiError('UnknownOperationException', unknownOperationMessage(req.method ?? 'GET', path, req.headers.host));
    }
    call.operation = match.op.name;
    if (call.audit !== undefined) call.audit.resources = resourcesOf(match.labels);
    // The action is the HTTP verb, the resource the path (apigateway:DELETE on .../restapis/abc).
    if (who.caller !== null) iam.authorize(who.caller, `apigateway:${req.method}`, managementResource(who.region, path));
    if (handlers[match.op.name] === undefined) throw new ApiError('NotImplementedException', `Gatehouse does not implement ${match.op.name} yet`);
    validateInput(match.op, match.labels, body);
    const input = bindInput(match.op, { labels: match.labels, query, headers: req.headers, body });
    if (call.audit !== undefined) call.audit.requestParameters = input;
    const output = await dispatch(match.op.name, input, who.accountId, who.region, requestId, call.audit);
    call.output = output;
    return writeOutput(match.op, output);
  }

  /** After the answer: the record of a call no write transaction recorded (reads, refusals), or
   *  the error of one that failed after a write. A failure to record is logged, never answered. */
  function recordCall(call: { audit?: AuditCall; output?: unknown }, failure: unknown): void {
    const audit = call.audit;
    if (audit === undefined) return;
    let outcome: Parameters<typeof auditRow>[1];
    if (failure === undefined) {
      if (audited.has(audit)) return;
      outcome = { response: call.output };
    } else {
      const e = failure as { type?: string; code?: string; message?: string };
      const code = e instanceof AuthError ? e.code : (e?.type ?? (e instanceof StoreUnavailableError ? 'ServiceUnavailableException' : 'InternalFailure'));
      outcome = { errorCode: code, errorMessage: e?.message ?? String(failure) };
    }
    store.appendAudit(auditRow(audit, outcome)).catch((err: unknown) => log(`gatehouse: could not record the audit event of request ${audit.requestId}: ${(err as Error).message}`));
  }

  function send(res: ServerResponse, requestId: string, r: WireResponse): void {
    const body = typeof r.body === 'string' ? Buffer.from(r.body) : r.body;
    res.writeHead(r.status, { ...r.headers, 'x-amzn-RequestId': requestId, 'content-length': body.length });
    res.end(body);
  }

  function fail(res: ServerResponse, requestId: string, err: unknown): void {
    if (err instanceof ApiError) {
      send(res, requestId, writeError(err));
      return;
    }
    if (err instanceof AuthError) {
      send(res, requestId, authFailure(err));
      return;
    }
    if (err instanceof StoreUnavailableError) {
      // The store (PostgreSQL) is down or unreachable: AWS's answer for a service that cannot
      // serve now, which the SDKs and the CLI retry after Retry-After.
      log(`gatehouse: store unavailable (request ${requestId}): ${err.message}`);
      send(res, requestId, {
        status: 503,
        headers: { 'content-type': 'application/json', 'x-amzn-ErrorType': 'ServiceUnavailableException', 'Retry-After': '1' },
        body: JSON.stringify({ message: 'Service Unavailable: the configuration store cannot be reached; retry later' }),
      });
      return;
    }
    log(`gatehouse: internal error (request ${requestId}): ${(err as Error)?.stack ?? err}`);
    send(res, requestId, {
      status: 500,
      headers: { 'content-type': 'application/json', 'x-amzn-ErrorType': 'InternalFailure' },
      body: JSON.stringify({ message: 'Internal server error' }),
    });
  }

  return {
    handlers,
    handle(req, res) {
      const requestId = randomUUID();
      const started = Date.now();
      const call: { operation?: string; audit?: AuditCall; output?: unknown } = {};
      const logged = (): void => {
        if (!logsRequests()) return;
        logRequest({
          requestId, method: req.method ?? 'GET', path: pathOf(req.url ?? '/'), status: res.statusCode, latencyMs: Date.now() - started,
          target: `management ${call.operation ?? 'unknown operation'}`, ...(call.operation === undefined ? {} : { operation: call.operation }),
          ...(res.statusCode >= 500 ? { reason: `status ${res.statusCode}` } : {}),
        });
      };
      const chunks: Buffer[] = [];
      let size = 0;
      let tooLarge = false;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_BODY_BYTES) {
          tooLarge = true;
          return;
        }
        chunks.push(c);
      });
      req.on('error', () => res.destroy());
      req.on('end', () => {
        if (tooLarge) {
          send(res, requestId, writeError(new ApiError('BadRequestException', `Request payload size exceeds the limit of ${MAX_BODY_BYTES} bytes`, 413)));
          logged();
          return;
        }
        run(req, Buffer.concat(chunks), requestId, call).then(
          (r) => {
            send(res, requestId, r);
            recordCall(call, undefined);
          },
          (err) => {
            fail(res, requestId, err);
            recordCall(call, err);
          },
        ).then(logged);
      });
    },
    async invoke(operation, input, scope = {}) {
      return dispatch(operation, input, scope.accountId ?? config.accountId, scope.region ?? config.region, randomUUID());
    },
  };
}

function isReadOnly(req: IncomingMessage): boolean {
  return req.method === 'GET' || req.method === 'HEAD';
}

const LABEL_TYPES: Record<string, string> = {
  restapi_id: 'RestApi', resource_id: 'Resource', stage_name: 'Stage', deployment_id: 'Deployment', usageplanId: 'UsagePlan', domain_name: 'DomainName',
  authorizer_id: 'Authorizer', model_name: 'Model', api_Key: 'ApiKey', keyId: 'ApiKey', clientcertificate_id: 'ClientCertificate', vpclink_id: 'VpcLink',
  requestvalidator_id: 'RequestValidator', part_id: 'DocumentationPart', doc_version: 'DocumentationVersion', base_path: 'BasePathMapping',
};

/** The resources a call names in its path, as CloudTrail lists them (type and name). */
function resourcesOf(labels: Readonly<Record<string, string>>): { ResourceType: string; ResourceName: string }[] {
  const out: { ResourceType: string; ResourceName: string }[] = [];
  for (const [k, v] of Object.entries(labels)) {
    const type = LABEL_TYPES[k];
    if (type !== undefined) out.push({ ResourceType: `AWS::ApiGateway::${type}`, ResourceName: v });
  }
  return out;
}
