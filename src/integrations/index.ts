// Integrations: one implementation per IntegrationType behind one narrow interface. The registry
// is a Record over the generated enum, so a new integration type fails to compile until handled.
import type { CompiledMethod, IntegrationType } from '../deploy/index.ts';
import { configurationError } from '../execute/errors.ts';
import type { InvocationScope, MethodRequest } from '../execute/types.ts';
import { createHttpIntegration, type HttpIntegrationOptions } from './http.ts';
import { mockIntegration } from './mock.ts';

/** The request the integration sends to its endpoint, fully mapped. */
export interface IntegrationRequest {
  readonly httpMethod: string;
  /** Full endpoint URL with query string; '' for MOCK. */
  readonly uri: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
  readonly timeoutMs: number;
}

/** What the endpoint answered. Header names are lower-case; repeated headers joined with ','. */
export interface EndpointResponse {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  /** The headers the endpoint sent more than once, each value apart (Set-Cookie); absent when none was. */
  readonly multiValueHeaders?: Readonly<Record<string, readonly string[]>>;
  readonly body: Buffer;
  /** A Lambda proxy result's isBase64Encoded: `body` is base64 text the method response may decode. */
  readonly isBase64Encoded?: boolean;
  /** An HTTP_PROXY back end's header names as it wrote them, by lower-case name: the client gets them so. */
  readonly headerNames?: Readonly<Record<string, string>>;
}

/** The method call an endpoint request was made for (the Lambda proxy event is built from it). */
export interface IntegrationCall {
  readonly method: CompiledMethod;
  readonly request: MethodRequest;
  readonly scope: InvocationScope;
}

// No cancellation signal: API Gateway completes a back-end call whose client went away; every
// call is bounded by its integration timeout instead.
export interface Integration {
  /** A value when the answer is known at once (MOCK): the pipeline then answers with no promise. */
  invoke(req: IntegrationRequest, call?: IntegrationCall): EndpointResponse | Promise<EndpointResponse>;
}

/** An integration that always calls out (HTTP, AWS services, Lambda): its answer is a promise. */
export interface AsyncIntegration extends Integration {
  invoke(req: IntegrationRequest, call?: IntegrationCall): Promise<EndpointResponse>;
}

export type IntegrationRegistry = Readonly<Record<IntegrationType, Integration>>;

export interface Integrations {
  readonly registry: IntegrationRegistry;
  close(): Promise<void>;
}

/** Answers a type whose integration is not built yet as API Gateway answers a broken one. */
function unsupported(type: IntegrationType): Integration {
  return {
    async invoke() {
      throw configurationError(`Gatehouse does not implement ${type} integrations yet`);
    },
  };
}

export function createIntegrations(options: HttpIntegrationOptions = {}, overrides: Partial<Record<IntegrationType, Integration>> = {}): Integrations {
  const http = createHttpIntegration(options);
  const registry: Record<IntegrationType, Integration> = {
    MOCK: mockIntegration,
    HTTP: http,
    HTTP_PROXY: http,
    AWS: unsupported('AWS'),
    AWS_PROXY: unsupported('AWS_PROXY'),
    ...overrides,
  };
  return { registry: Object.freeze(registry), close: () => http.close() };
}
