// What an unknown management path answers. AWS says only "Unknown operation"; on Gatehouse's
// single port the usual cause is a deployed API called at a wrong URL (`/test/pets` without the
// API's Host, `/restapis/ID/test/user_request/pets`), so the message names the URL forms that
// do invoke a stage, and the corrected URL when the mistake is recognisable.
import { OPERATIONS } from '../model/generated/operations.ts';

/** First path segments of the management API (restapis, apikeys, domainnames, ...). */
const MANAGEMENT_ROOTS = new Set(OPERATIONS.map((op) => op.path.split('/')[1]!));
/** Segments under /restapis/{id}/ (resources, stages, deployments, ...). */
const RESTAPI_CHILDREN = new Set(
  OPERATIONS.filter((op) => op.path.startsWith('/restapis/{')).map((op) => op.path.split('/')[3]).filter((s): s is string => s !== undefined),
);
/** Misspellings of _user_request_ seen in practice. */
const USER_REQUEST_TYPO = /^_?user_?request_?$/i;

export function unknownOperationMessage(method: string, path: string, host: string | undefined): string {
  const segs = path.split('/').filter((s) => s !== '');
  const base = `http://${host ?? '127.0.0.1:4567'}`;
  const port = portOf(host);
  const forms = `Deployed APIs are invoked at ${base}/restapis/{restApiId}/{stageName}/_user_request_/{path} ` +
    `or at http://{restApiId}.execute-api.localhost${port}/{stageName}/{path} (the Host header names the API).`;
  if (segs[0] === 'restapis' && segs.length >= 3 && !RESTAPI_CHILDREN.has(segs[2]!)) {
    const rest = USER_REQUEST_TYPO.test(segs[3] ?? '') ? segs.slice(4) : segs.slice(3);
    return `Unknown operation: ${method} ${path} is not a management API path. To invoke stage ${segs[2]} of API ${segs[1]}, ` +
      `call ${base}/restapis/${segs[1]}/${segs[2]}/_user_request_/${rest.join('/')}. ${forms}`;
  }
  if (segs.length > 0 && !MANAGEMENT_ROOTS.has(segs[0]!)) {
    return `Unknown operation: ${method} ${path} is not a management API path. ${forms}`;
  }
  return 'Unknown operation';
}

function portOf(host: string | undefined): string {
  if (host === undefined) return '';
  const m = /:(\d+)$/.exec(host);
  return m === null ? '' : `:${m[1]}`;
}
