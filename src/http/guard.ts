// The checks every request passes before a plane sees it. Gatehouse has no authentication of
// its own yet, so on a developer's machine the only thing between a web page and the
// management and Lambda APIs (which run code) is the browser's same-origin policy. These checks
// close the three ways around it:
//   - DNS rebinding: the page's own domain resolves to 127.0.0.1 → the Host header names a
//     host that is not this gateway's → refused, on every plane.
//   - Cross-site requests: browsers send an Origin header → refused on the management, Lambda and
//     /_gatehouse planes unless it is the gateway's own origin or one the operator allowed.
//   - Requests browsers send cross-site without a CORS preflight carry text/plain, form or
//     multipart bodies → those planes accept only the content types AWS SDKs and the CLI send.
// Deployed APIs (execute-api) are public by design: only the Host and URL checks apply to them.
import type { IncomingMessage } from 'node:http';
import type { GatehouseConfig } from '../config.ts';
import { isExecuteApiHost } from '../execute/front-door.ts';
import type { FrontError } from './answer.ts';
import { hostnameOf, listOf, ownHostnames } from './hosts.ts';

export interface FrontGuard {
  /** Every request: a Host this gateway answers to, and well-formed percent-escapes. */
  admit(req: IncomingMessage): FrontError | null;
  /** Management, Lambda and /_gatehouse requests: a URL that decodes, and no caller a web page could be. */
  admitCaller(req: IncomingMessage): FrontError | null;
  /** An origin allowed by --allow-origin (CORS headers are due), as opposed to same-origin. */
  allowedCrossOrigin(origin: string): boolean;
}

/**
 * What the AWS CLI (v1, v2) and the AWS SDKs send: nothing on bodiless calls and on the CLI's
 * blob payloads (ImportRestApi, PutRestApi, ImportApiKeys, Invoke), application/json on JSON
 * bodies, application/octet-stream on the SDK v3's blob payloads (Invoke's payload included,
 * whatever it holds); x-amz-json for the JSON-protocol services; zip for code uploads by hand.
 * None of these is a type browsers send cross-site without a preflight.
 */
const ACCEPTED_TYPES = new Set([
  'application/json',
  'application/octet-stream',
  'binary/octet-stream',
  'application/zip',
]);

/** `%` not followed by two hex digits: AWS answers 400 for such URLs. */
const MALFORMED_ESCAPE = /%(?![0-9a-f]{2})/i;

/** `servedHost`: the custom domain names this gateway serves (by lower-case host name, no port). */
export function createFrontGuard(config: Pick<GatehouseConfig, 'host' | 'allowHost' | 'allowOrigin'>, servedHost?: (hostname: string) => boolean): FrontGuard {
  const extraHosts = listOf(config.allowHost);
  const anyHost = extraHosts.includes('*');
  const hosts = ownHostnames(config.host, extraHosts.filter((h) => h !== '*'));
  const origins = new Set(listOf(config.allowOrigin).map(normalOrigin));
  const anyOrigin = origins.has('*');

  // Clients repeat one Host header; remembering the last accepted one spares the hot path the parsing.
  let lastAccepted = '';

  function hostRefused(host: string | undefined): FrontError | null {
    // No Host at all is an HTTP/1.0 client or a raw socket, never a browser.
    if (host === undefined || host === lastAccepted || anyHost) return null;
    if (isExecuteApiHost(host) || hosts.has(hostnameOf(host))) {
      lastAccepted = host;
      return null;
    }
    // A custom domain name is named by its operator through the management API; not remembered
    // as the last accepted Host, since it may be deleted.
    if (servedHost?.(hostnameOf(host)) === true) return null;
    return {
      status: 403,
      type: 'AccessDeniedException',
      message: `Host '${host}' is not an address of this gateway. To serve it, start Gatehouse with --allow-host ${hostnameOf(host)} (or GATEHOUSE_ALLOW_HOST); deployed APIs answer on {restApiId}.execute-api.* hosts.`,
    };
  }

  return {
    admit(req) {
      const refused = hostRefused(req.headers.host);
      if (refused !== null) return refused;
      const url = req.url ?? '/';
      if (url.includes('%') && MALFORMED_ESCAPE.test(url)) {
        return { status: 400, type: 'BadRequestException', message: 'Bad Request: the URL has a % that is not followed by two hexadecimal digits' };
      }
      return null;
    },

    admitCaller(req) {
      const url = req.url ?? '/';
      // AWS's service APIs read path labels as UTF-8; an escape that is not (%FF) cannot name anything.
      if (url.includes('%') && !decodes(url)) {
        return { status: 400, type: 'BadRequestException', message: 'Bad Request: a percent-escape in the URL is not UTF-8' };
      }
      const origin = req.headers.origin;
      if (origin !== undefined && !anyOrigin && !origins.has(normalOrigin(origin)) && !sameOrigin(origin, req.headers.host)) {
        return {
          status: 403,
          type: 'AccessDeniedException',
          message: `Requests from web pages at ${origin} are refused: they could drive this gateway from any site. To allow that origin, start Gatehouse with --allow-origin ${origin} (or GATEHOUSE_ALLOW_ORIGIN).`,
        };
      }
      const type = req.headers['content-type'];
      if (type !== undefined) {
        const essence = type.split(';', 1)[0]!.trim().toLowerCase();
        // AWS's query protocol (CloudWatch) posts forms; a form a web page sends cannot carry a
        // SigV4 Authorization header, so a signed form is no cross-site request.
        const signedForm = essence === 'application/x-www-form-urlencoded' && String(req.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256 ');
        if (!ACCEPTED_TYPES.has(essence) && !essence.startsWith('application/x-amz-json-') && !signedForm) {
          return {
            status: 415,
            type: 'UnsupportedMediaTypeException',
            message: `Content-Type '${essence}' is not accepted here: send JSON as application/json and payloads (imports, Invoke) as application/octet-stream. Web pages can send text/plain, form and multipart bodies to any site, so Gatehouse refuses them.`,
          };
        }
      }
      return null;
    },

    allowedCrossOrigin(origin) {
      return anyOrigin || origins.has(normalOrigin(origin));
    },
  };
}

function decodes(url: string): boolean {
  try {
    decodeURIComponent(url);
    return true;
  } catch {
    return false;
  }
}

function normalOrigin(origin: string): string {
  const o = origin.trim().toLowerCase();
  return o.endsWith('/') ? o.slice(0, -1) : o;
}

/** The page was served by this gateway itself (the console): its origin is the Host it called. */
function sameOrigin(origin: string, host: string | undefined): boolean {
  if (host === undefined) return false;
  const o = origin.toLowerCase();
  const h = host.toLowerCase();
  return o === `http://${h}` || o === `https://${h}`;
}
