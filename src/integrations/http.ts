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
    // dispatch() with a handler instead of request(): the answer is collected from callbacks,
    // with no Readable stream per response (measured: about 10% more requests per second).
    // A client that goes away does not cancel the back-end call; API Gateway completes it too.
    return new Promise((resolve, reject) => {
      const c = new HttpCall(req, target, call, dispatcherFor(call), slotsOf(call), resolve, reject);
      c.slots.acquire(c);
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

/**
 * One back-end call: undici's handler, the slot waiter and the deadline in one object, so a call
 * allocates it and its promise, not a closure per callback (this runs per request).
 */
class HttpCall implements Dispatcher.DispatchHandler, SlotWaiter {
  cancelled = false;
  private statusCode = 0;
  // dict(): a back end's header named __proto__ is a header like any other (src/shared/dict.ts).
  private readonly headers: Record<string, string> = dict<string>();
  private multiValueHeaders: Record<string, string[]> | undefined = undefined;
  private headerNames: Record<string, string> | undefined = undefined;
  private chunks: Buffer[] = [];
  private size = 0;
  private settled = false;
  private controller: Dispatcher.DispatchController | null = null;
  private readonly deadline: NodeJS.Timeout;

  constructor(
    private readonly req: IntegrationRequest,
    private readonly target: { origin: string; path: string },
    private readonly call: IntegrationCall | undefined,
    private readonly agent: Agent,
    readonly slots: CallSlots,
    private readonly resolve: (res: EndpointResponse) => void,
    private readonly reject: (err: GatewayError) => void,
  ) {
    this.deadline = setTimeout(onDeadline, req.timeoutMs, this);
  }

  /** The slot is free: the call goes to undici. */
  start(): void {
    const req = this.req;
    try {
      this.agent.dispatch(
        {
          origin: this.target.origin,
          path: this.target.path,
          method: req.httpMethod as Dispatcher.HttpMethod,
          headers: req.headers,
          body: req.body.length === 0 && (req.httpMethod === 'GET' || req.httpMethod === 'HEAD') ? undefined : req.body,
          // The deadline is the limit; undici's own timers only back it up.
          headersTimeout: req.timeoutMs,
          bodyTimeout: req.timeoutMs,
        },
        this,
      );
    } catch (err) {
      this.slots.release();
      this.fail(err as Error);
    }
  }

  timedOut(): void {
    if (this.settled) return;
    const timeout = endpointTimeout();
    this.fail(timeout);
    this.cancelled = true;
    this.controller?.abort(timeout);
  }

  fail(err: Error): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.deadline);
    this.reject(toGatewayError(err, this.target.origin));
  }

  onRequestStart(c: Dispatcher.DispatchController): void {
    // Reached a socket after the deadline (it waited for a connection): let it go at once.
    if (this.settled) c.abort(endpointTimeout());
    else this.controller = c;
  }

  onResponseStart(c: Dispatcher.DispatchController, status: number, responseHeaders: Record<string, string | string[] | undefined>): void {
    if (status < 100 || status > 599) {
      this.fail(invalidStatus(status));
      c.abort(new Error('invalid status'));
      return;
    }
    this.statusCode = status;
    // An HTTP_PROXY answer reaches the client with the back end's own header names (recorded).
    if (this.call?.method.integration.type === 'HTTP_PROXY') {
      const raw = (c as { rawHeaders?: readonly Buffer[] }).rawHeaders;
      if (raw !== undefined && raw !== null) {
        const names = (this.headerNames = dict<string>());
        for (let i = 0; i < raw.length; i += 2) {
          const name = raw[i]!.toString('latin1');
          names[name.toLowerCase()] ??= name;
        }
      }
    }
    const headers = this.headers;
    for (const k in responseHeaders) {
      const v = responseHeaders[k];
      if (v === undefined) continue;
      if (typeof v === 'string') headers[k] = v;
      else {
        // Repeated headers: joined for mappings and selection, kept apart for the client
        // (Set-Cookie must never be joined).
        headers[k] = v.join(',');
        (this.multiValueHeaders ??= dict<string[]>())[k] = v;
      }
    }
  }

  onResponseData(c: Dispatcher.DispatchController, chunk: Buffer): void {
    this.size += chunk.length;
    if (this.size > MAX_RESPONSE_BYTES) {
      this.fail(configurationError('Integration response payload is larger than 10 MB'));
      c.abort(new Error('response too large'));
      return;
    }
    this.chunks.push(chunk);
  }

  onResponseEnd(): void {
    // The slot is held until undici is done with the call (answered, failed or aborted), not
    // only until the caller is answered: it counts sockets, not promises.
    this.slots.release();
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.deadline);
    const chunks = this.chunks;
    const body = chunks.length === 0 ? EMPTY : chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
    const { statusCode, headers, multiValueHeaders, headerNames } = this;
    // One literal per shape, no spread: this runs per call.
    this.resolve(multiValueHeaders === undefined
      ? (headerNames === undefined ? { statusCode, headers, body } : { statusCode, headers, body, headerNames })
      : (headerNames === undefined ? { statusCode, headers, multiValueHeaders, body } : { statusCode, headers, multiValueHeaders, body, headerNames }));
  }

  onResponseError(_c: Dispatcher.DispatchController, err: Error): void {
    this.slots.release();
    this.fail(err);
  }
}

function onDeadline(call: HttpCall): void {
  call.timedOut();
}

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
