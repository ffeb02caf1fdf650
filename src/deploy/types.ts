// A compiled deployment: everything about an API that can be decided before a request arrives.
// Immutable once built; a stage points at one and a redeploy swaps the reference.
import type { BinaryMediaTypes, ContentHandling } from './binary.ts';
import type { AccessLogSettings, Authorizer, Integration, MethodResponse, MethodSetting, Stage } from '../model/generated/types.ts';
import type { CompiledGatewayResponses } from '../gateway-responses/index.ts';
import type { RequestCheck } from '../validation/index.ts';
import type { CompiledParameter, RequestLocation } from './parameter-mapping.ts';
import type { RouteTrie } from './routes.ts';
import type { SelectionPattern } from './selection-pattern.ts';
import type { TemplateSet } from './templates.ts';

export type IntegrationType = NonNullable<Integration['type']>;

export type PassthroughBehavior = 'WHEN_NO_MATCH' | 'WHEN_NO_TEMPLATES' | 'NEVER';

export interface StageBinding {
  readonly restApiId: string;
  readonly accountId: string;
  readonly stageName: string;
  readonly deploymentId: string;
  readonly variables: Readonly<Record<string, string>>;
  /** The change-log position the stage was read at (see CompiledApi.version). */
  readonly version: number;
  /** The region of the API's partition (method ARNs, $context). */
  readonly region?: string;
  /** The stage document: method settings (throttling, caching), cache cluster, tracing. */
  readonly stage?: Stage;
}

export interface CompiledApi {
  readonly restApiId: string;
  /** The API's name when deployed (CloudWatch's ApiName dimension). */
  readonly apiName: string;
  /** The owning account ($context.accountId). */
  readonly accountId: string;
  readonly stageName: string;
  readonly deploymentId: string;
  readonly stageVariables: Readonly<Record<string, string>>;
  /** The change-feed position this process had applied when the stage's load began: the stage
   *  reflects every change up to it, so a cache never swaps it for a lower one. */
  readonly version: number;
  readonly routes: RouteTrie<CompiledResource>;
  readonly resourcesById: ReadonlyMap<string, CompiledResource>;
  /** Every response type's effective gateway response (src/gateway-responses). */
  readonly gatewayResponses: CompiledGatewayResponses;
  readonly region: string;
  /** The deployment's authorizers by id (request-time access control, src/access). */
  readonly authorizers: ReadonlyMap<string, Authorizer>;
  /** The API's resource policy as stored (JSON text); null when it has none. */
  readonly policy: string | null;
  /** Where a method's API key comes from: the x-api-key header, or a Lambda authorizer's usageIdentifierKey. */
  readonly apiKeySource: 'HEADER' | 'AUTHORIZER';
  /** The API's binaryMediaTypes, compiled (binary.ts); null when it has none. */
  readonly binaryMediaTypes: BinaryMediaTypes | null;
  /** The API was deployed with its default (execute-api) endpoint disabled: it answers on custom domain names only. */
  readonly disableExecuteApiEndpoint: boolean;
  /** The stage's own settings that act at request time (the methods carry their merged methodSettings). */
  readonly stageSettings: StageSettings;
  /** The stage's canary (canarySettings with a deploymentId): the canary deployment compiled with
   *  the stage variables overridden, and the share of requests it takes; on the main version only. */
  readonly canary?: CanaryRoute;
  /** True on a canary's compiled version ($context.isCanaryRequest). */
  readonly isCanary?: boolean;
  /** The stage's clientCertificateId with its certificate and private key: HTTP and HTTP_PROXY
   *  integrations present it to HTTPS back ends (mutual TLS). */
  readonly clientCertificate?: StageClientCertificate;
}

export interface StageClientCertificate {
  readonly clientCertificateId: string;
  readonly certificatePem: string;
  readonly privateKeyPem: string;
}

/** Where a stage sends its canary share (docs/canary.md). */
export interface CanaryRoute {
  /** canarySettings.percentTraffic, 0-100: a request goes to `api` when Math.random() * 100 < it. */
  readonly percentTraffic: number;
  readonly api: CompiledApi;
}

export interface StageSettings {
  readonly cacheClusterEnabled: boolean;
  /** In GB, as the API states it ('0.5', '1.6', ...). */
  readonly cacheClusterSize: string | null;
  readonly tracingEnabled: boolean;
  /** The stage's methodSettings as stored, by `{path}/{VERB}` and `*\/*`: whether a method has an
   *  entry of its own matters (the stage cache caches other verbs than GET only through one). */
  readonly methodSettings: Readonly<Record<string, MethodSetting>>;
  /** The stage's access logging (destinationArn, format); null when it has none (src/observe). */
  readonly accessLogSettings: Readonly<AccessLogSettings> | null;
}

/** Who may call a method, decided before the integration runs (src/access). */
export interface MethodAccess {
  readonly authorizationType: 'NONE' | 'AWS_IAM' | 'CUSTOM' | 'COGNITO_USER_POOLS';
  /** The CUSTOM or COGNITO_USER_POOLS authorizer's id; null otherwise. */
  readonly authorizerId: string | null;
  readonly authorizationScopes: readonly string[];
  readonly apiKeyRequired: boolean;
  /** The method ARN: arn:aws:execute-api:{region}:{account}:{api}/{stage}/{VERB}{path}. */
  readonly methodArn: string;
}

export interface CompiledResource {
  readonly id: string;
  readonly path: string;
  /** By HTTP verb; 'ANY' answers verbs that have no method of their own. */
  readonly methods: ReadonlyMap<string, CompiledMethod>;
}

export interface CompiledMethod {
  readonly resourceId: string;
  readonly resourcePath: string;
  readonly httpMethod: string;
  readonly integration: CompiledIntegration;
  readonly methodResponses: Readonly<Record<string, MethodResponse>>;
  readonly access: MethodAccess;
  /** The stage's methodSettings for this method: its own `{path}/{VERB}` entry, else `*\/*`, else AWS's defaults. */
  readonly settings: Readonly<MethodSetting>;
  /** The method's request parameters marked as cache keys (integration.cacheKeyParameters) and its cacheNamespace. */
  readonly cacheKeyParameters: readonly string[];
  readonly cacheNamespace: string;
  /** The method's request validator (required parameters, body model), compiled; null when it has none (src/validation). */
  readonly requestCheck: RequestCheck | null;
}

export interface CompiledIntegration {
  readonly type: IntegrationType;
  /** The integration's HTTP method (for MOCK: the method's own). */
  readonly httpMethod: string;
  /** The endpoint URI with ${stageVariables.x} already substituted; '' for MOCK. */
  readonly uri: string;
  /** tlsConfig.insecureSkipVerification: an HTTPS back end's certificate is not verified. */
  readonly insecureSkipVerification?: boolean;
  readonly requestParameters: readonly CompiledParameter<RequestLocation>[];
  readonly requestTemplates: TemplateSet;
  readonly passthroughBehavior: PassthroughBehavior;
  /** The request payload's conversion (binary.ts). */
  readonly contentHandling: ContentHandling;
  readonly timeoutMs: number;
  /** Responses with a selection pattern, tried in order. */
  readonly patternResponses: readonly CompiledIntegrationResponse[];
  /** The response without a pattern; null when none is configured. */
  readonly defaultResponse: CompiledIntegrationResponse | null;
  /** Why this integration cannot run (e.g. an invalid mapping expression); null when it can. */
  readonly misconfigured: string | null;
}

export interface CompiledIntegrationResponse {
  readonly statusCode: number;
  readonly selectionPattern: SelectionPattern | null;
  readonly responseParameters: readonly CompiledParameter<'header'>[];
  readonly responseTemplates: TemplateSet;
  /** The response payload's conversion (binary.ts). */
  readonly contentHandling: ContentHandling;
}
