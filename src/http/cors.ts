// CORS for the origins the operator allowed with --allow-origin (a console or tool served from
// another origin): without these headers a browser would refuse every non-simple request they
// make. Only reached after FrontGuard.admitCaller has accepted the origin.
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Response headers a browser script may read: the ones AWS SDKs read errors and results from. */
const EXPOSED = 'x-amzn-RequestId, x-amzn-ErrorType, x-amz-function-error, x-amz-log-result, x-amz-executed-version';

/** Answers a preflight (true: done) or marks the response readable by `origin`. */
export function applyCors(req: IncomingMessage, res: ServerResponse, origin: string): boolean {
  res.setHeader('Access-Control-Allow-Origin', origin);
  res.setHeader('Vary', 'Origin');
  if (req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined) {
    res.writeHead(204, {
      'Access-Control-Allow-Methods': 'GET, HEAD, POST, PUT, PATCH, DELETE',
      'Access-Control-Allow-Headers': req.headers['access-control-request-headers'] ?? '',
      'Access-Control-Max-Age': '600',
    });
    res.end();
    req.resume();
    return true;
  }
  res.setHeader('Access-Control-Expose-Headers', EXPOSED);
  return false;
}
