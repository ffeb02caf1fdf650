// The server's request listener: the front-door checks, then dispatch to the plane that owns the
// URL. Every request ends in a response: a plane that throws gets a 500 in its own error shape,
// logged, instead of an uncaught exception that would stop the process.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { GatehouseConfig } from '../config.ts';
import { isExecuteApiHost } from '../execute/front-door.ts';
import { log, logRequest } from '../observe/log.ts';
import { isLogsRequest } from '../observe/cloudwatch-logs.ts';
import { errorShapeOf, sendFrontError, type FrontError } from './answer.ts';
import { applyCors } from './cors.ts';
import { createFrontGuard } from './guard.ts';
import type { AwsJsonService } from './aws-json.ts';

export interface Planes {
  /** Serves deployed APIs; false when the request is not for one. */
  execute(req: IncomingMessage, res: ServerResponse): boolean;
  /** Gatehouse's own /_gatehouse/ routes; `path` has no query string. */
  internal(req: IncomingMessage, res: ServerResponse, path: string): void;
  lambda(req: IncomingMessage, res: ServerResponse): void;
  /** The CloudWatch Logs API (awsJson1.1, X-Amz-Target: Logs_20140328.*) over the access and execution logs. */
  logs?(req: IncomingMessage, res: ServerResponse): void;
  control(req: IncomingMessage, res: ServerResponse): void;
  /** Other AWS services of the JSON protocols on the port (ACM), each recognised by its X-Amz-Target. */
  readonly awsJson?: readonly AwsJsonService[];
  /** CloudWatch's metrics API (query, awsJson1.0 and RPC v2 CBOR protocols). */
  readonly cloudwatch?: { matches(req: IncomingMessage): boolean; handle(req: IncomingMessage, res: ServerResponse): void };
  /** Whether a Host names a custom domain name this gateway serves (admitted like its own names). */
  servedHost?(hostname: string): boolean;
}

export function requestListener(config: Pick<GatehouseConfig, 'host' | 'allowHost' | 'allowOrigin'>, planes: Planes): RequestListener {
  const guard = createFrontGuard(config, planes.servedHost?.bind(planes));
  const awsJson = planes.awsJson ?? [];

  function route(req: IncomingMessage, res: ServerResponse): void {
    const refused = guard.admit(req);
    if (refused !== null) return refuse(req, res, refused);
    if (planes.execute(req, res)) return;
    const caller = guard.admitCaller(req);
    if (caller !== null) return refuse(req, res, caller);
    const origin = req.headers.origin;
    if (origin !== undefined && guard.allowedCrossOrigin(origin) && applyCors(req, res, origin)) return;
    const url = req.url ?? '/';
    if (url.startsWith('/_gatehouse/')) {
      const q = url.indexOf('?');
      return planes.internal(req, res, q === -1 ? url : url.slice(0, q));
    }
    if (url.startsWith('/2015-03-31/')) return planes.lambda(req, res);
    if (planes.logs !== undefined && isLogsRequest(req)) return planes.logs(req, res);
    if (req.headers['x-amz-target'] !== undefined) {
      for (const service of awsJson) if (service.matches(req)) return service.handle(req, res);
    }
    if (req.method === 'POST' && planes.cloudwatch?.matches(req) === true) return planes.cloudwatch.handle(req, res);
    planes.control(req, res);
  }

  return (req, res) => {
    try {
      route(req, res);
    } catch (err) {
      crashed(req, res, err);
    }
  };
}

function shapeOf(req: IncomingMessage): ReturnType<typeof errorShapeOf> {
  return errorShapeOf(req.url ?? '/', isExecuteApiHost(req.headers.host ?? ''));
}

function refuse(req: IncomingMessage, res: ServerResponse, e: FrontError): void {
  // The body is not wanted; reading it to the end keeps a keep-alive connection usable.
  req.resume();
  const requestId = randomUUID();
  logRequest({ requestId, method: req.method ?? '', path: (req.url ?? '/').split('?', 1)[0]!, status: e.status, target: 'front door', reason: e.message });
  sendFrontError(req, res, shapeOf(req), e, requestId);
}

function crashed(req: IncomingMessage, res: ServerResponse, err: unknown): void {
  const requestId = randomUUID();
  log().error({ requestId, method: req.method, path: (req.url ?? '/').split('?', 1)[0], err }, 'request handler failed');
  if (res.headersSent) {
    res.destroy();
    return;
  }
  req.resume();
  const shape = shapeOf(req);
  sendFrontError(req, res, shape, shape === 'lambda'
    ? { status: 500, type: 'ServiceException', message: 'An internal error occurred' }
    : { status: 500, type: 'InternalServerErrorException', message: 'Internal server error' }, requestId);
}
