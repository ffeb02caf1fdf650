// Errors the server answers before a request reaches a plane (refused hosts and origins, bad
// URLs, crashes, malformed HTTP), in the wire shape of the plane the request was for, so AWS
// SDKs and the CLI report them like any other error: API Gateway's {"message"} or Lambda's
// {"Type","Message"}, with x-amzn-ErrorType spelled as AWS spells it.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { STATUS_CODES } from 'node:http';

export interface FrontError {
  readonly status: number;
  /** x-amzn-ErrorType: the exception name SDKs raise. */
  readonly type: string;
  readonly message: string;
}

/** Which wire format a request expects its errors in. */
export type ErrorShape = 'apigateway' | 'lambda';

const LAMBDA_PREFIX = '/2015-03-31/';

/** Lambda's API lives under /2015-03-31/ (unless an execute-api Host sends it to a deployed API). */
export function errorShapeOf(url: string, apiHost: boolean): ErrorShape {
  return !apiHost && url.startsWith(LAMBDA_PREFIX) ? 'lambda' : 'apigateway';
}

export function errorBody(shape: ErrorShape, e: FrontError): string {
  return shape === 'lambda'
    ? JSON.stringify({ Type: e.status >= 500 ? 'Service' : 'User', Message: e.message })
    : JSON.stringify({ message: e.message });
}

export function sendFrontError(req: IncomingMessage, res: ServerResponse, shape: ErrorShape, e: FrontError, requestId = randomUUID()): void {
  const body = errorBody(shape, e);
  res.writeHead(e.status, [
    'Content-Type', 'application/json',
    'Content-Length', String(Buffer.byteLength(body)),
    'x-amzn-RequestId', requestId,
    'x-amzn-ErrorType', e.type,
  ]);
  res.end(req.method === 'HEAD' ? undefined : body);
}

/** A whole HTTP/1.1 response for a socket that has no ServerResponse (clientError). */
export function rawErrorResponse(e: FrontError): string {
  const body = errorBody('apigateway', e);
  return `HTTP/1.1 ${e.status} ${STATUS_CODES[e.status] ?? 'Error'}\r\n` +
    'Content-Type: application/json\r\n' +
    `Content-Length: ${Buffer.byteLength(body)}\r\n` +
    `x-amzn-RequestId: ${randomUUID()}\r\n` +
    `x-amzn-ErrorType: ${e.type}\r\n` +
    'Connection: close\r\n\r\n' + body;
}
