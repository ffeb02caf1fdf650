// HTTP and HTTP_PROXY integrations: one shared undici Agent keeps a keep-alive pool per origin.
// Each call is bounded by the integration's timeoutInMillis (504 "Endpoint request timed out");
// a back end that cannot be reached is a configuration error (500 "Internal server error").
import { Agent, errors as undiciErrors, type Dispatcher } from 'undici';
import { configurationError, endpointTimeout, GatewayError } from '../execute/errors.ts';
import type { EndpointResponse, Integration, IntegrationRequest } from './index.ts';

export interface HttpIntegrationOptions {
  /** Connections per origin before requests queue (undici's back-pressure). */
  readonly connectionsPerOrigin?: number;
}

export interface HttpIntegration extends Integration {
  close(): Promise<void>;
}

/** API Gateway's integration response payload limit. */
const MAX_RESPONSE_BYTES = 10 * 1024 * 1024;

export function createHttpIntegration(options: HttpIntegrationOptions = {}): HttpIntegration {
  const agent = new Agent({
    connections: options.connectionsPerOrigin ?? 256,
    keepAliveTimeout: 30_000,
    pipelining: 1,
  });

  async function invoke(req: IntegrationRequest, signal: AbortSignal): Promise<EndpointResponse> {
    let url: URL;
    try {
      url = new URL(req.uri);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http');
    } catch {
      throw configurationError('Invalid endpoint address');
    }
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), req.timeoutMs);
    const onAbort = (): void => timeout.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      const res = await agent.request({
        origin: url.origin,
        path: url.pathname + url.search,
        method: req.httpMethod as Dispatcher.HttpMethod,
        headers: req.headers,
        body: req.body.length === 0 && (req.httpMethod === 'GET' || req.httpMethod === 'HEAD') ? undefined : req.body,
        signal: timeout.signal,
      });
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of res.body) {
        size += (chunk as Buffer).length;
        if (size > MAX_RESPONSE_BYTES) {
          res.body.destroy();
          throw configurationError('Integration response payload is larger than 10 MB');
        }
        chunks.push(chunk as Buffer);
      }
      return { statusCode: res.statusCode, headers: flatHeaders(res.headers), body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks) };
    } catch (err) {
      if (err instanceof GatewayError) throw err;
      if (timeout.signal.aborted && !signal.aborted) throw endpointTimeout();
      if (err instanceof undiciErrors.RequestAbortedError || signal.aborted) throw endpointTimeout();
      const code = (err as { code?: string }).code ?? (err as Error).name;
      throw configurationError(`Unable to reach the endpoint ${url.origin} (${code})`);
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    }
  }

  return {
    invoke,
    close: () => agent.close(),
  };
}

function flatHeaders(h: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k in h) {
    const v = h[k];
    if (v !== undefined) out[k] = Array.isArray(v) ? v.join(',') : v;
  }
  return out;
}
