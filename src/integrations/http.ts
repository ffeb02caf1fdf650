// HTTP and HTTP_PROXY integrations over undici.
//
// Deadline: timeoutInMillis bounds the whole call, from the moment the integration starts:
// waiting for a slot, connecting, the TLS handshake, the response headers and the whole body.
// One timer per call answers 504 "Endpoint request timed out" when it fires, whatever the back
// end is doing, and aborts the call if it has reached the socket.
//
// Isolation: undici's Agent keeps one pool per origin with no connection limit, so a call never
// waits behind another route's calls for a connection. What is bounded is each integration's
// calls in flight (`callsPerIntegration`, default 256): a route whose back end hangs holds at
// most that many sockets, and its extra calls wait in its own queue (their deadline running)
// instead of in the origin's. Total sockets are bounded by the requests in flight, which the
// front door's connection limit bounds.
//
// A back end that cannot be reached (refused, DNS, TLS failure such as https:// to a plain-HTTP
// port) is a configuration error (500 "Internal server error"), as AWS reports it; a status line
// outside 100-599 is an invalid endpoint response (502).
import type { Agent, Dispatcher } from 'undici';
import { lazy } from '../lazy.ts';
import { configurationError, endpointTimeout, GatewayError } from '../execute/errors.ts';
import { dict } from '../shared/dict.ts';
import { CallSlots, type SlotWaiter } from './call-slots.ts';
import type { AsyncIntegration, EndpointResponse, IntegrationCall, IntegrationRequest } from './index.ts';

export interface HttpIntegrationOptions {
  /** Calls one integration may have in flight before its further calls wait (their deadline running). */
  readonly callsPerIntegration?: number;
}

export interface HttpIntegration extends AsyncIntegration {
  close(): Promise<void>;
}

/** API Gateway's integration response payload limit. */
const MAX_RESPONSE_BYTES = 10 * 1024 * 1024;
export const DEFAULT_CALLS_PER_INTEGRATION = 256;

const undici = lazy<typeof import('undici')>('undici');

export function createHttpIntegration(options: HttpIntegrationOptions = {}): HttpIntegration {
  const callsPerIntegration = options.callsPerIntegration ?? DEFAULT_CALLS_PER_INTEGRATION;
  // Made on the first HTTP call: a gateway serving only MOCK and Lambda methods never loads undici.
  let agent: Agent | null = null;
  const dispatcher = (): Agent =>
    (agent ??= new (undici().Agent)({
      // No per-origin limit: see the header. keep-alive connections are reused when idle.
      connections: null,
      keepAliveTimeout: 30_000,
      pipelining: 1,
    }));
  // TLS to HTTPS back ends: a stage's client certificate (mutual TLS) and an integration's
  // tlsConfig.insecureSkipVerification each need an Agent of their own, made once per
  // (certificate, verification) pair and kept until close.
  const tlsAgents = new Map<string, Agent>();
  const dispatcherFor = (call: IntegrationCall | undefined): Agent => {
    // Callers outside a deployed stage (TestInvokeMethod's slice, the integration's own tests)
    // may pass a call without a stage or method: no certificate, default verification.
    const cert = call?.scope?.api?.clientCertificate;
    const skip = call?.method?.integration?.insecureSkipVerification === true;
    if (cert === undefined && !skip) return dispatcher();
    const key = (cert === undefined ? '' : cert.clientCertificateId + '\n' + cert.certificatePem) + (skip ? '\nskip' : '');
    let a = tlsAgents.get(key);
    if (a === undefined) {
      a = new (undici().Agent)({
        connections: null,
        keepAliveTimeout: 30_000,
        pipelining: 1,
        connect: {
          ...(cert === undefined ? {} : { cert: cert.certificatePem, key: cert.privateKeyPem }),
          ...(skip ? { rejectUnauthorized: false } : {}),
        },
      });
      tlsAgents.set(key, a);
    }
    return a;
  };
  // Keyed by the compiled integration: a redeployment gets fresh slots, calls in flight on the
  // old deployment release into the old ones.
  const slotsByIntegration = new WeakMap<object, CallSlots>();
  const unkeyed = new CallSlots(callsPerIntegration);
  const slotsOf = (call: IntegrationCall | undefined): CallSlots => {
    if (call === undefined) return unkeyed;
    const key = call.method.integration;
    let slots = slotsByIntegration.get(key);
    if (slots === undefined) slotsByIntegration.set(key, (slots = new CallSlots(callsPerIntegration)));
    return slots;
  };

  function invoke(req: IntegrationRequest, call?: IntegrationCall): Promise<EndpointResponse> {
    const target = splitUri(req.uri);
    const slots = slotsOf(call);
    // A client that goes away does not cancel the back-end call; API Gateway completes it too.
    return new Promise((resolve, reject) => {
      const c = new HttpCall(resolve, reject, target.origin, slots, call?.method.integration.type === 'HTTP_PROXY');
      c.deadline = setTimeout(onDeadline, req.timeoutMs, c);
      c.start = () => {
        try {
          dispatcherFor(call).dispatch(
            {
              origin: target.origin,
              path: target.path,
              method: req.httpMethod as Dispatcher.HttpMethod,
              headers: req.headers,
              body: req.body.length === 0 && (req.httpMethod === 'GET' || req.httpMethod === 'HEAD') ? undefined : req.body,
              // The deadline above is the limit; undici's own timers only back it up.
              headersTimeout: req.timeoutMs,
              bodyTimeout: req.timeoutMs,
            },
            c,
          );
        } catch (err) {
          c.onError(err as Error);
        }
      };
      slots.acquire(c);
    });
  }

  return {
    invoke,
    close: async () => {
      await agent?.close();
      agent = null;
      await Promise.all([...tlsAgents.values()].map((a) => a.close()));
      tlsAgents.clear();
    },
  };
}

const EMPTY = Buffer.alloc(0);

function onDeadline(c: HttpCall): void {
  if (c.settled) return;
  const timeout = endpointTimeout();
  c.fail(timeout);
  c.cancelled = true;
  c.abort?.(timeout);
}

/**
 * One back-end call: its slot waiter, and undici's handler in the callback form dispatch() calls
 * directly (onConnect, onHeaders, onData, onComplete, onError). The object form (onResponseStart
 * ...) goes through an adapter that parses the raw headers into an object of its own, which were
 * then copied here: reading the raw headers once, into our maps, saves both (and the adapter's
 * per-call objects). Rather an object with methods than a dozen closures per call.
 */
class HttpCall implements SlotWaiter {
  cancelled = false;
  settled = false;
  start: () => void = noop;
  deadline: NodeJS.Timeout | undefined = undefined;
  abort: ((reason: Error) => void) | null = null;
  private statusCode = 0;
  // dict(): a back end's header named __proto__ or constructor is a header like any other.
  private readonly headers: Record<string, string> = dict<string>();
  private multiValueHeaders: Record<string, string[]> | undefined = undefined;
  /** HTTP_PROXY: the back end's own header names by lower-case name (the first one's spelling). */
  private headerNames: Record<string, string> | undefined = undefined;
  private readonly chunks: Buffer[] = [];
  private size = 0;

  constructor(
    private readonly resolve: (res: EndpointResponse) => void,
    private readonly reject: (err: Error) => void,
    private readonly origin: string,
    private readonly slots: CallSlots,
    private readonly keepNames: boolean,
  ) {}

  fail(err: Error): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.deadline);
    this.reject(toGatewayError(err, this.origin));
  }

  onConnect(abort: (reason: Error) => void): void {
    // Reached a socket after the deadline (it waited for a connection): let it go at once.
    if (this.settled) abort(endpointTimeout());
    else this.abort = abort;
  }

  onHeaders(status: number, raw: (Buffer | string)[]): boolean {
    if (status < 100 || status > 599) {
      this.fail(invalidStatus(status));
      this.abort?.(new Error('invalid status'));
      return false;
    }
    this.statusCode = status;
    const headers = this.headers;
    // An HTTP_PROXY answer reaches the client with the back end's own header names (recorded).
    const names = this.keepNames ? (this.headerNames = dict<string>()) : undefined;
    for (let i = 0; i < raw.length; i += 2) {
      const n = raw[i]!;
      const name = typeof n === 'string' ? n : n.toString('latin1');
      const v = raw[i + 1]!;
      const value = typeof v === 'string' ? v : v.toString('latin1');
      const k = name.toLowerCase();
      if (names !== undefined) names[k] ??= name;
      const seen = headers[k];
      if (seen === undefined) headers[k] = value;
      else {
        // Repeated headers: joined for mappings and selection, kept apart for the client
        // (Set-Cookie must never be joined).
        headers[k] = seen + ',' + value;
        const multi = (this.multiValueHeaders ??= dict<string[]>());
        const values = multi[k];
        if (values === undefined) multi[k] = [seen, value];
        else values.push(value);
      }
    }
    return true;
  }

  onData(chunk: Buffer): boolean {
    this.size += chunk.length;
    if (this.size > MAX_RESPONSE_BYTES) {
      this.fail(configurationError('Integration response payload is larger than 10 MB'));
      this.abort?.(new Error('response too large'));
      return false;
    }
    this.chunks.push(chunk);
    return true;
  }

  onComplete(): void {
    this.slots.release();
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.deadline);
    const chunks = this.chunks;
    const body = chunks.length === 0 ? EMPTY : chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
    const { statusCode, headers, multiValueHeaders, headerNames } = this;
    this.resolve(multiValueHeaders === undefined
      ? (headerNames === undefined ? { statusCode, headers, body } : { statusCode, headers, body, headerNames })
      : (headerNames === undefined ? { statusCode, headers, multiValueHeaders, body } : { statusCode, headers, multiValueHeaders, body, headerNames }));
  }

  /** Every call that started ends here or in onComplete: the slot is held until undici is done with it. */
  onError(err: Error): void {
    this.slots.release();
    this.fail(err);
  }

  onUpgrade(): void {
    this.abort?.(new Error('unexpected upgrade'));
  }
}

function noop(): void {}

function toGatewayError(err: Error, origin: string): GatewayError {
  if (err instanceof GatewayError) return err;
  const { HeadersTimeoutError, BodyTimeoutError, ConnectTimeoutError } = undici().errors;
  if (err instanceof HeadersTimeoutError || err instanceof BodyTimeoutError || err instanceof ConnectTimeoutError) return endpointTimeout();
  const code = (err as { code?: string }).code ?? err.name;
  return configurationError(`Unable to reach the endpoint ${origin} (${code}${err.message ? `: ${err.message}` : ''})`);
}

/** A status line outside 100-599 is not an HTTP response API Gateway can pass on. */
function invalidStatus(status: number): GatewayError {
  return new GatewayError('DEFAULT_5XX', 'Internal server error', {
    status: 502,
    log: `Execution failed due to configuration error: Invalid HTTP status code from the endpoint: ${status}`,
  });
}

/**
 * Splits an http(s) URI into origin and path without a URL parse per request: the URI was
 * validated when the integration was put and its stage variables filled in at deployment;
 * per request only encoded path values and a query string are added.
 */
export function splitUri(uri: string): { origin: string; path: string } {
  const scheme = uri.startsWith('https://') ? 8 : uri.startsWith('http://') ? 7 : -1;
  if (scheme === -1) throw configurationError('Invalid endpoint address');
  const slash = uri.indexOf('/', scheme);
  const query = uri.indexOf('?', scheme);
  const end = slash === -1 ? (query === -1 ? uri.length : query) : query !== -1 && query < slash ? query : slash;
  const origin = uri.slice(0, end);
  if (end === scheme) throw configurationError('Invalid endpoint address');
  const rest = uri.slice(end);
  return { origin, path: rest === '' ? '/' : rest.startsWith('?') ? '/' + rest : rest };
}
