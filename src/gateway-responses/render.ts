// A failure answered through the deployed API's effective gateway response: its status (else
// the failure's own), AWS's default headers (Content-Type, x-amzn-ErrorType) plus the mapped
// ones, and the template chosen by Accept (then application/json, then the first declared).
import type { CompiledGatewayResponse } from './compile.ts';
import type { ResponseInput } from './parameters.ts';
import { DEFAULT_CONTENT_TYPE, DEFAULT_TEMPLATE } from './response-types.ts';
import { GatewayResponseTemplate } from './template.ts';

export interface GatewayFailure {
  /** The failure's own status: its type's default, or what its cause names (a Lambda failure's 502). */
  readonly status: number;
  /** x-amzn-ErrorType. */
  readonly errorType: string;
  /** The body AWS sends for this failure while the API sets no template for its type, where it
   *  is not the usual one (IAM's denials answer {"Message": ...}); null or absent: the usual one. */
  readonly defaultTemplate?: GatewayResponseTemplate | null;
}

export interface RenderedGatewayResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

const AWS_TEMPLATE = new GatewayResponseTemplate(DEFAULT_TEMPLATE);

// What Node accepts in a header value; a mapped value outside it (a stage variable with a line
// break) is left out rather than failing the answer.
const INVALID_HEADER_VALUE = /[^\t\x20-\x7e\x80-\xff]/;

export function renderGatewayResponse(r: CompiledGatewayResponse, failure: GatewayFailure, input: ResponseInput): RenderedGatewayResponse {
  const contentType = r.templates.size === 0 ? DEFAULT_CONTENT_TYPE : chooseContentType(r.templates, input.request?.headers['accept']);
  const headers: Record<string, string> = { 'Content-Type': contentType, 'x-amzn-ErrorType': failure.errorType };
  for (const h of r.headers) {
    const v = h.read(input);
    if (v === undefined || INVALID_HEADER_VALUE.test(v)) continue;
    if (h.replaces !== null) delete headers[h.replaces];
    headers[h.name] = v;
  }
  const own = r.awsBody ? failure.defaultTemplate : null;
  const template = own ?? (r.templates.size === 0 ? AWS_TEMPLATE : r.templates.get(contentType)!);
  return { statusCode: r.statusCode ?? failure.status, headers, body: template.render(input) };
}

/** Accept's media types in order (q-values not weighed), then application/json, then the first declared. */
function chooseContentType(templates: ReadonlyMap<string, unknown>, accept: string | undefined): string {
  if (templates.size > 1 && accept !== undefined) {
    for (const part of accept.split(',')) {
      const semi = part.indexOf(';');
      const type = (semi === -1 ? part : part.slice(0, semi)).trim().toLowerCase();
      if (templates.has(type)) return type;
    }
  }
  if (templates.has(DEFAULT_CONTENT_TYPE)) return DEFAULT_CONTENT_TYPE;
  return templates.keys().next().value!;
}
