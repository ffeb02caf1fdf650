// Lambda's wire API (REST-JSON under /2015-03-31/functions): routes each request to an
// operation, reads its input from path, query, headers and JSON body, and writes the answer
// (or the error) the way Lambda does.
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GatehouseConfig } from '../config.ts';
import { callerScope, partitionOf } from '../http/aws-scope.ts';
import { LambdaError, sendLambdaError } from './errors.ts';
import { MAX_PAYLOAD, type LambdaFunctions } from './service.ts';

const PREFIX = '/2015-03-31/functions';
/** Lambda's quota for a CreateFunction/UpdateFunctionCode request carrying a base64 zip. */
const MAX_CODE_REQUEST = 69_905_067;

type Reply = { status: number; body?: unknown; headers?: Record<string, string> };

export function createLambdaApi(functions: LambdaFunctions, config: GatehouseConfig) {
  return function handle(req: IncomingMessage, res: ServerResponse): void {
    const requestId = randomUUID();
    route(req, res, requestId).catch((err: unknown) => {
      if (res.headersSent) {
        res.destroy();
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
    const scope = callerScope(header(req, 'authorization'), q === -1 ? undefined : url.slice(q + 1));
    const partition = partitionOf(config.accountId, scope.region ?? config.region);
    const method = req.method ?? 'GET';
    const qualifier = query.get('Qualifier') ?? undefined;

    if (!path.startsWith(PREFIX)) return unknown(req, res, requestId);
    const rest = path.slice(PREFIX.length);
    if (rest === '' || rest === '/') {
      if (method === 'GET') {
        const max = query.get('MaxItems');
        const reply = await functions.list(partition, query.get('Marker') ?? undefined, max === null ? undefined : Number(max));
        return send(res, requestId, { status: 200, body: reply });
      }
      if (method === 'POST') {
        const body = await readJson(req, MAX_CODE_REQUEST, 'CreateFunction');
        return send(res, requestId, { status: 201, body: await functions.create(partition, body) });
      }
      return unknown(req, res, requestId);
    }
    const parts = rest.slice(1).split('/').map(decodeURIComponent);
    const fn = parts[0]!;
    const sub = parts[1];
    if (parts.length === 1) {
      if (method === 'GET') return send(res, requestId, { status: 200, body: await functions.get(partition, fn, qualifier, baseUrl(req)) });
      if (method === 'DELETE') {
        await functions.delete(partition, fn, qualifier);
        return send(res, requestId, { status: 204 });
      }
    } else if (parts.length === 2 || (parts.length === 3 && parts[2] === '')) {
      switch (`${method} ${sub}`) {
        case 'POST invocations':
          return invoke(req, res, requestId, partition, fn, qualifier);
        case 'GET configuration':
          return send(res, requestId, { status: 200, body: await functions.getConfiguration(partition, fn, qualifier) });
        case 'PUT configuration':
          return send(res, requestId, { status: 200, body: await functions.updateConfiguration(partition, fn, await readJson(req, 1_000_000, 'UpdateFunctionConfiguration')) });
        case 'PUT code':
          return send(res, requestId, { status: 200, body: await functions.updateCode(partition, fn, await readJson(req, MAX_CODE_REQUEST, 'UpdateFunctionCode')) });
        case 'POST policy':
          return send(res, requestId, { status: 201, body: await functions.addPermission(partition, fn, qualifier, await readJson(req, 1_000_000, 'AddPermission')) });
        case 'GET policy':
          return send(res, requestId, { status: 200, body: await functions.getPolicy(partition, fn, qualifier) });
        case 'GET code.zip': {
          const file = await functions.codeArchive(partition, fn);
          res.writeHead(200, { 'content-type': 'application/zip', 'x-amzn-requestid': requestId });
          createReadStream(file).pipe(res);
          return;
        }
      }
    } else if (parts.length === 3 && sub === 'policy' && method === 'DELETE') {
      await functions.removePermission(partition, fn, qualifier, parts[2]!, query.get('RevisionId') ?? undefined);
      return send(res, requestId, { status: 204 });
    }
    return unknown(req, res, requestId);
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
    const result = await functions.invoke(partition, ref, payload, { invocationType: type, clientContext, requestId });
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

/** Reads the body; past `limit` bytes it keeps draining (so the answer can be read) and then fails. */
function readBody(req: IncomingMessage, limit: number, tooLarge: () => LambdaError): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size <= limit) chunks.push(chunk);
    });
    req.on('end', () => (size > limit ? reject(tooLarge()) : resolve(Buffer.concat(chunks, size))));
    req.on('error', reject);
  });
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
