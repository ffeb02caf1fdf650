// A service of AWS's JSON protocols (awsJson1.0/1.1: POST /, `X-Amz-Target: Prefix.Operation`, a
// JSON object in and out, errors as `{"__type": ..., "message": ...}` with x-amzn-ErrorType) on
// Gatehouse's port: the body read with a size limit, the caller resolved as for every AWS call
// (--auth), each operation a function of its input, and every answer logged like the others.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GatehouseConfig } from '../config.ts';
import { AuthError, iamFor, type Caller } from '../iam/index.ts';
import { logRequest, logsRequests, pathOf } from '../observe/log.ts';
import { requestAccount } from './aws-scope.ts';

/** An error the service answers with: AWS's error code, HTTP status and message. */
export class AwsJsonError extends Error {
  constructor(readonly type: string, message: string, readonly status = 400) {
    super(message);
  }
}

export interface AwsJsonCall<I = Record<string, unknown>> {
  readonly input: I;
  readonly accountId: string;
  readonly region: string;
  /** The verified caller under --auth enforce; null in open mode. */
  readonly caller: Caller | null;
  readonly requestId: string;
}

export type AwsJsonOperation = (call: AwsJsonCall) => Promise<unknown>;

export interface AwsJsonServiceOptions {
  /** `X-Amz-Target` up to and including the dot, e.g. 'CertificateManager.' */
  readonly targetPrefix: string;
  /** The signing name (SigV4 scope), e.g. 'acm'. */
  readonly signingName: string;
  /** '1.0' or '1.1': the content type of answers. */
  readonly jsonVersion: '1.0' | '1.1';
  /** What the service is called in messages and logs, e.g. 'ACM'. */
  readonly title: string;
  readonly maxBodyBytes: number;
  readonly operations: Readonly<Record<string, AwsJsonOperation>>;
}

export interface AwsJsonService {
  matches(req: IncomingMessage): boolean;
  handle(req: IncomingMessage, res: ServerResponse): void;
}

export function awsJsonService(config: GatehouseConfig, options: AwsJsonServiceOptions): AwsJsonService {
  const iam = iamFor(config);
  const { targetPrefix, operations } = options;
  const contentType = `application/x-amz-json-${options.jsonVersion}`;

  async function run(req: IncomingMessage, body: Buffer, requestId: string, operation: string): Promise<unknown> {
    if (req.method !== 'POST') throw new AwsJsonError('UnknownOperationException', `${req.method} is not supported by the ${options.title} API`, 404);
    const who = await requestAccount(iam, config, req, body, options.signingName);
    const op = Object.hasOwn(operations, operation) ? operations[operation]! : undefined;
    if (op === undefined) throw new AwsJsonError('UnknownOperationException', `Gatehouse does not implement the ${options.title} operation ${operation}`);
    let input: unknown;
    try {
      input = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
    } catch {
      throw new AwsJsonError('SerializationException', 'Start of structure or map found where not expected.');
    }
    if (input === null || typeof input !== 'object' || Array.isArray(input)) throw new AwsJsonError('SerializationException', 'Start of structure or map found where not expected.');
    return op({ input: input as Record<string, unknown>, accountId: who.accountId, region: who.region, caller: who.caller, requestId });
  }

  return {
    matches(req) {
      const target = req.headers['x-amz-target'];
      return typeof target === 'string' && target.startsWith(targetPrefix);
    },
    handle(req, res) {
      const requestId = randomUUID();
      const started = Date.now();
      const operation = String(req.headers['x-amz-target']).slice(targetPrefix.length);
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size <= options.maxBodyBytes) chunks.push(c);
      });
      req.on('error', () => res.destroy());
      req.on('end', () => {
        const answer: Promise<AwsJsonAnswer> = size > options.maxBodyBytes
          ? Promise.resolve({ status: 413, type: 'SerializationException', body: { message: 'Request too large' } })
          : run(req, Buffer.concat(chunks), requestId, operation).then((out) => ({ status: 200, body: out ?? {} }), errorAnswer);
        void answer.then((a) => sendAwsJsonAnswer(req, res, a, { contentType, requestId, started, target: `${options.signingName} ${operation}`, operation }));
      });
    },
  };
}

/** An answer of the JSON protocols: the body, or with `type` an error as `{"__type", ...body}`. */
export interface AwsJsonAnswer {
  readonly status: number;
  readonly body: unknown;
  readonly type?: string;
}

/** A failure as the JSON protocols answer it: the service's own error, an AuthError, else a 500. */
export function errorAnswer(err: unknown): AwsJsonAnswer {
  if (err instanceof AwsJsonError) return { status: err.status, type: err.type, body: { message: err.message } };
  if (err instanceof AuthError) return { status: err.status, type: err.code, body: { message: err.message } };
  return { status: 500, type: 'ServiceUnavailableException', body: { message: String((err as Error)?.message ?? err) } };
}

/** Writes an answer with AWS's headers, and its line in the request log. */
export function sendAwsJsonAnswer(
  req: IncomingMessage, res: ServerResponse, a: AwsJsonAnswer,
  call: { contentType: string; requestId: string; started: number; target: string; operation: string },
): void {
  const text = JSON.stringify(a.type === undefined ? a.body : { __type: a.type, ...(a.body as object) });
  const headers: Record<string, string | number> = { 'content-type': call.contentType, 'content-length': Buffer.byteLength(text), 'x-amzn-RequestId': call.requestId };
  if (a.type !== undefined) headers['x-amzn-ErrorType'] = a.type;
  res.writeHead(a.status, headers);
  res.end(text);
  if (logsRequests()) {
    logRequest({
      requestId: call.requestId, method: req.method ?? 'POST', path: pathOf(req.url ?? '/'), status: a.status, latencyMs: Date.now() - call.started,
      target: call.target, operation: call.operation, ...(a.status >= 500 ? { reason: JSON.stringify(a.body) } : {}),
    });
  }
}
