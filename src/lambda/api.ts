// Lambda's wire API (REST-JSON under /2015-03-31/functions): routes each request to an
// operation, reads its input from path, query, headers and JSON body, and writes the answer
// (or the error) the way Lambda does.
import { randomUUID } from 'node:crypto';
import { open } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { GatehouseConfig } from '../config.ts';
import { authFailure, beginRequestAccount, partitionOf, type RequestAccount } from '../http/aws-scope.ts';
import type { WriteTx } from '../store/index.ts';
import { AuthError, iamFor, type Caller } from '../iam/index.ts';
import { readCodeBody, type ZipMember } from './code-request.ts';
import { LambdaError, sendLambdaError } from './errors.ts';
import { MAX_PAYLOAD, type LambdaFunctions } from './service.ts';

const PREFIX = '/2015-03-31/functions';
/** Lambda's quota for a CreateFunction/UpdateFunctionCode request carrying a base64 zip. */
const MAX_CODE_REQUEST = 69_905_067;
// Code uploads held at once, in request bytes: each costs about four times its size while it is
// parsed and decoded, so two full-size uploads (about 560 MB) is the most; small uploads pass.
const CODE_BODY_BUDGET = 2 * MAX_CODE_REQUEST;
// A region from the SigV4 scope becomes part of the store partition and of folder names: only
// the shape AWS region names have (us-east-1, us-gov-west-1, cn-north-1, us-isob-east-1).
const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/;
// With --auth enforce, a request with a body is verified when its body has been read (bodies are
// streamed, up to 70 MB): readBody runs the request's check before handing the body on.
const bodyChecks = new WeakMap<IncomingMessage, (body: Buffer) => Promise<void>>();
const NO_BODY = Buffer.alloc(0);

type Reply = { status: number; body?: unknown; headers?: Record<string, string> };

/** One management call's audit record (src/audit): written in the change's transaction, then
 *  completed with the answer (or the error) once the call is over. */
export interface LambdaAuditCall {
  inTransaction(tx: WriteTx): Promise<void>;
  finish(failure: unknown, answer: Record<string, unknown> | undefined): void;
}

/** The audit trail's hook: a record for a call, once its account is known; null for calls not recorded. */
export interface LambdaCallRecorder {
  start(req: IncomingMessage, requestId: string, account: RequestAccount | undefined): LambdaAuditCall | null;
}

// Each request's audit record, and what CreateFunction answered, for the record's completion.
const audits = new WeakMap<IncomingMessage, LambdaAuditCall>();
const createdBy = new WeakMap<IncomingMessage, Record<string, unknown>>();

export function createLambdaApi(functions: LambdaFunctions, config: GatehouseConfig, record?: LambdaCallRecorder) {
  let codeBodyBytes = 0;
  const iam = iamFor(config);

  return function handle(req: IncomingMessage, res: ServerResponse): void {
    const requestId = randomUUID();
    route(req, res, requestId).then(() => {
      audits.get(req)?.finish(res.statusCode >= 400 ? { code: res.getHeader('x-amzn-errortype'), status: res.statusCode } : undefined, createdBy.get(req));
    }, (err: unknown) => {
      // Refused before the account was known (a bad signature): recorded in the configured account.
      (audits.get(req) ?? record?.start(req, requestId, undefined))?.finish(err, undefined);
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (err instanceof AuthError) {
        req.resume();
        const { status, headers, body } = authFailure(err);
        res.writeHead(status, { ...headers, 'content-length': Buffer.byteLength(body), 'x-amzn-RequestId': requestId });
        res.end(body);
        return;
      }
      const e = err instanceof LambdaError ? err : new LambdaError('ServiceException', 'An internal error occurred: ' + String((err as Error)?.message ?? err));
      sendLambdaError(res, e, requestId);
    });
  };

  async function route(req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const query = new URLSearchParams(q === -1 ? '' : url.slice(q + 1));
    // Open: the configured account; enforce: the signer's (verified before anything is done for it).
    const { account, verify } = beginRequestAccount(iam, config, req, 'lambda');
    const audit = record?.start(req, requestId, account) ?? null;
    if (audit !== null) audits.set(req, audit);
    const onWrite = audit === null ? undefined : (tx: WriteTx) => audit.inTransaction(tx);
    if (!REGION.test(account.region)) {
      req.resume();
      throw new LambdaError('InvalidSignatureException', `Credential should be scoped to a valid region, not '${account.region}'. `);
    }
    const partition = partitionOf(account.accountId, account.region);
    const method = req.method ?? 'GET';
    const qualifier = query.get('Qualifier') ?? undefined;

    if (!path.startsWith(PREFIX)) return unknown(req, res, requestId);
    const rest = path.slice(PREFIX.length);
    if (account.caller !== null) await authorizeCall(account.caller, req, method, rest, qualifier, account.region, verify);
    if (rest === '' || rest === '/') {
      if (method === 'GET') {
        const max = query.get('MaxItems');
        const reply = await functions.list(partition, query.get('Marker') ?? undefined, max === null ? undefined : Number(max));
        return send(res, requestId, { status: 200, body: reply });
      }
      if (method === 'POST') {
        const created = await withCodeBody(req, 'CreateFunction', 'Code.ZipFile', (body) => functions.create(partition, body, onWrite));
        createdBy.set(req, created);
        return send(res, requestId, { status: 201, body: created });
      }
      return unknown(req, res, requestId);
    }
    const parts = rest.slice(1).split('/').map(decodePart);
    const fn = parts[0]!;
    const sub = parts[1];
    if (parts.length === 1) {
      if (method === 'GET') return send(res, requestId, { status: 200, body: await functions.get(partition, fn, qualifier, baseUrl(req)) });
      if (method === 'DELETE') {
        await functions.delete(partition, fn, qualifier, onWrite);
        return send(res, requestId, { status: 204 });
      }
    } else if (parts.length === 2 || (parts.length === 3 && parts[2] === '')) {
      switch (`${method} ${sub}`) {
        case 'POST invocations':
          return invoke(req, res, requestId, partition, fn, qualifier);
        case 'GET configuration':
          return send(res, requestId, { status: 200, body: await functions.getConfiguration(partition, fn, qualifier) });
        case 'PUT configuration':
          return send(res, requestId, { status: 200, body: await functions.updateConfiguration(partition, fn, await readJson(req, 1_000_000, 'UpdateFunctionConfiguration'), onWrite) });
        case 'PUT code':
          return send(res, requestId, { status: 200, body: await withCodeBody(req, 'UpdateFunctionCode', 'ZipFile', (body) => functions.updateCode(partition, fn, body, onWrite)) });
        case 'POST policy':
          return send(res, requestId, { status: 201, body: await functions.addPermission(partition, fn, qualifier, await readJson(req, 1_000_000, 'AddPermission'), onWrite) });
        case 'GET policy':
          return send(res, requestId, { status: 200, body: await functions.getPolicy(partition, fn, qualifier) });
        case 'GET code.zip':
          return sendArchive(res, requestId, await functions.codeArchive(partition, fn));
      }
    } else if (parts.length === 3 && sub === 'policy' && method === 'DELETE') {
      await functions.removePermission(partition, fn, qualifier, parts[2]!, query.get('RevisionId') ?? undefined, onWrite);
      return send(res, requestId, { status: 204 });
    }
    return unknown(req, res, requestId);
  }

  /**
   * Enforce mode: the caller's policies must allow the operation's action on the function, and
   * the signature must hold; for a request with a body both are checked once the body is read.
   */
  async function authorizeCall(caller: Caller, req: IncomingMessage, method: string, rest: string, qualifier: string | undefined, region: string, verify: (body: Buffer) => void | Promise<void>): Promise<void> {
    const action = lambdaAction(method, rest);
    const check = async (body: Buffer): Promise<void> => {
      await verify(body);
      if (action === null) return; // not an operation: answered UnknownOperationException
      iam.authorize(caller, action.name, action.fn === null ? '*' : functionArn(region, caller.accountId, action.fn, qualifier));
    };
    if (method === 'POST' || method === 'PUT') bodyChecks.set(req, check);
    else await check(NO_BODY);
  }

  /** Reads a code upload within the budget of bodies held at once, and hands it to `use`. */
  async function withCodeBody<T>(req: IncomingMessage, operation: string, member: ZipMember, use: (body: Record<string, unknown>) => Promise<T>): Promise<T> {
    const declared = Number(req.headers['content-length']);
    const reserve = Number.isFinite(declared) && declared >= 0 ? Math.min(declared, MAX_CODE_REQUEST) : MAX_CODE_REQUEST;
    if (!(declared > MAX_CODE_REQUEST) && codeBodyBytes + reserve > CODE_BODY_BUDGET) {
      discard(req, MAX_CODE_REQUEST);
      throw new LambdaError('TooManyRequestsException', 'Rate exceeded', { Reason: 'CallerRateLimitExceeded' });
    }
    codeBodyBytes += reserve;
    try {
      const bytes = await readBody(req, MAX_CODE_REQUEST, () =>
        new LambdaError('RequestEntityTooLargeException', `Request must be smaller than ${MAX_CODE_REQUEST} bytes for the ${operation} operation`));
      return await use(await readCodeBody(bytes, member));
    } finally {
      codeBodyBytes -= reserve;
    }
  }

  async function invoke(req: IncomingMessage, res: ServerResponse, requestId: string, partition: string, fn: string, qualifier: string | undefined): Promise<void> {
    const type = header(req, 'x-amz-invocation-type') ?? 'RequestResponse';
    if (type !== 'RequestResponse' && type !== 'Event' && type !== 'DryRun') {
      throw new LambdaError('InvalidParameterValueException', `1 validation error detected: Value '${type}' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]`);
    }
    const payload = await readBody(req, MAX_PAYLOAD, () =>
      new LambdaError('RequestTooLargeException', `Request must be smaller than ${MAX_PAYLOAD} bytes for the InvokeFunction operation`));
    const ref = qualifier === undefined ? fn : `${fn}:${qualifier}`;
    if (type === 'DryRun') {
      await functions.dryRun(partition, ref);
      return send(res, requestId, { status: 204 });
    }
    const clientContext = readClientContext(header(req, 'x-amz-client-context'));
    const result = await functions.invoke(partition, ref, payload, { invocationType: type, clientContext, requestId, logTail: type === 'RequestResponse' && header(req, 'x-amz-log-type') === 'Tail' });
    const headers: Record<string, string | number> = {
      'content-type': 'application/json',
      'content-length': result.payload.byteLength,
      'x-amzn-requestid': requestId,
      'x-amz-executed-version': result.executedVersion,
    };
    if (result.functionError !== undefined) headers['x-amz-function-error'] = result.functionError;
    if (type === 'RequestResponse' && header(req, 'x-amz-log-type') === 'Tail' && result.logTail !== undefined) headers['x-amz-log-result'] = result.logTail;
    res.writeHead(result.statusCode, headers);
    res.end(result.payload);
  }
}

/** The IAM action of a Lambda API call (lambda:InvokeFunction, ...) and the function it names; null for no operation. */
function lambdaAction(method: string, rest: string): { name: string; fn: string | null } | null {
  if (rest === '' || rest === '/') {
    if (method === 'GET') return { name: 'lambda:ListFunctions', fn: null };
    if (method === 'POST') return { name: 'lambda:CreateFunction', fn: null };
    return null;
  }
  const parts = rest.slice(1).split('/').map(decodePart);
  const fn = parts[0]!;
  const sub = parts.length === 3 && parts[2] === '' ? parts[1] : parts.length === 2 ? parts[1] : undefined;
  if (parts.length === 1) {
    if (method === 'GET') return { name: 'lambda:GetFunction', fn };
    if (method === 'DELETE') return { name: 'lambda:DeleteFunction', fn };
    return null;
  }
  if (parts.length === 3 && parts[1] === 'policy' && method === 'DELETE') return { name: 'lambda:RemovePermission', fn };
  const name = ({
    'POST invocations': 'lambda:InvokeFunction',
    'GET configuration': 'lambda:GetFunctionConfiguration',
    'PUT configuration': 'lambda:UpdateFunctionConfiguration',
    'PUT code': 'lambda:UpdateFunctionCode',
    'POST policy': 'lambda:AddPermission',
    'GET policy': 'lambda:GetPolicy',
    'GET code.zip': 'lambda:GetFunction',
  } as Record<string, string>)[`${method} ${sub}`];
  return name === undefined ? null : { name, fn };
}

/** A function's ARN as IAM names it: the name (or partial name:qualifier) within the caller's account, or the ARN given. */
function functionArn(region: string, accountId: string, fn: string, qualifier: string | undefined): string {
  const base = fn.startsWith('arn:') ? fn : `arn:aws:lambda:${region}:${accountId}:function:${fn}`;
  return qualifier === undefined ? base : `${base}:${qualifier}`;
}

/** A path segment as sent when it is not valid percent-encoding: the '%' then fails the
 *  name's pattern (ValidationException), as Lambda answers a name it cannot read. */
function decodePart(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/** Sends a stored archive: bytes from the store, or streamed from a file on this host (a record
 *  from before the store held archives); one that has gone (its code replaced meanwhile) is not found. */
async function sendArchive(res: ServerResponse, requestId: string, file: Buffer | string): Promise<void> {
  if (typeof file !== 'string') {
    res.writeHead(200, { 'content-type': 'application/zip', 'content-length': file.byteLength, 'x-amzn-requestid': requestId });
    res.end(file);
    return;
  }
  let handle;
  try {
    handle = await open(file, 'r');
  } catch {
    throw new LambdaError('ResourceNotFoundException', 'The function\'s code archive is no longer available; call GetFunction again.');
  }
  try {
    const { size } = await handle.stat();
    res.writeHead(200, { 'content-type': 'application/zip', 'content-length': size, 'x-amzn-requestid': requestId });
    await pipeline(handle.createReadStream({ autoClose: false }), res);
  } finally {
    await handle.close();
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function baseUrl(req: IncomingMessage): string {
  return `http://${header(req, 'host') ?? '127.0.0.1'}`;
}

function readClientContext(raw: string | undefined): unknown {
  if (raw === undefined) return undefined;
  try {
    return JSON.parse(Buffer.from(raw, 'base64').toString('utf8'));
  } catch {
    throw new LambdaError('InvalidRequestContentException', 'Client context must be a valid Base64-encoded JSON object.');
  }
}

function send(res: ServerResponse, requestId: string, reply: Reply): void {
  if (reply.body === undefined) {
    res.writeHead(reply.status, { 'x-amzn-requestid': requestId, ...reply.headers });
    res.end();
    return;
  }
  const text = JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': requestId,
    ...reply.headers,
  });
  res.end(text);
}

function unknown(req: IncomingMessage, res: ServerResponse, requestId: string): void {
  req.resume();
  sendLambdaError(res, new LambdaError('UnknownOperationException', `Gatehouse does not implement ${req.method} ${req.url?.split('?')[0]}`), requestId);
}

/**
 * Reads the body up to `limit` bytes. A Content-Length over the limit is refused before a byte
 * is read; a body that grows past it (chunked) is refused at that point. Either way the answer
 * goes out at once and what follows is read and dropped, up to another `limit`: closing a
 * socket with unread data resets it, and the client would lose the answer. Past that the
 * connection is dropped.
 */
function readBody(req: IncomingMessage, limit: number, tooLarge: () => LambdaError): Promise<Buffer> {
  const check = bodyChecks.get(req);
  const read = readWholeBody(req, limit, tooLarge);
  return check === undefined ? read : read.then(async (body) => {
    await check(body);
    return body;
  });
}

function readWholeBody(req: IncomingMessage, limit: number, tooLarge: () => LambdaError): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    discard(req, limit);
    return Promise.reject(tooLarge());
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size <= limit) {
        chunks.push(chunk);
        return;
      }
      chunks.length = 0;
      req.off('data', onData);
      discard(req, limit);
      reject(tooLarge());
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks, size)));
    req.on('error', reject);
    // A client that goes away mid-body: settle (nothing will answer it) rather than hang.
    req.on('close', () => { if (!req.complete) reject(new LambdaError('InvalidRequestContentException', 'The request body was not complete.')); });
  });
}

function discard(req: IncomingMessage, limit: number): void {
  let dropped = 0;
  req.on('data', (chunk: Buffer) => {
    dropped += chunk.byteLength;
    if (dropped > limit) req.destroy();
  });
  req.on('error', () => { /* the answer is already decided */ });
  req.resume();
}

async function readJson(req: IncomingMessage, limit: number, operation: string): Promise<Record<string, unknown>> {
  const body = await readBody(req, limit, () =>
    new LambdaError('RequestEntityTooLargeException', `Request must be smaller than ${limit} bytes for the ${operation} operation`));
  if (body.byteLength === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new LambdaError('InvalidRequestContentException', `Could not parse request body into json: ${(err as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new LambdaError('InvalidRequestContentException', 'Could not parse request body into json: expected an object');
  }
  return parsed as Record<string, unknown>;
}
