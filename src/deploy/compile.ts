// ApiSnapshot + stage → CompiledApi. Runs once per (deployment, stage variables).
import { compileBinaryMediaTypes, contentHandling } from './binary.ts';
import type { ApiSnapshot } from './snapshot.ts';
import type { AccessLogSettings, Authorizer, GatewayResponse, Integration, IntegrationResponse, Method, MethodSetting, RequestValidator } from '../model/generated/types.ts';
import { compileRequestCheck, ModelSchemas, type RequestCheck } from '../validation/index.ts';
import { compileGatewayResponses } from '../gateway-responses/index.ts';
import { compileRequestParameters, compileResponseParameters, MappingExpressionError } from './parameter-mapping.ts';
import { RouteTrie } from './routes.ts';
import { compileSelectionPattern } from './selection-pattern.ts';
import { compileTemplates } from './templates.ts';
import type {
  CompiledApi, CompiledIntegration, CompiledIntegrationResponse, CompiledMethod, CompiledResource,
  MethodAccess, PassthroughBehavior, StageBinding,
} from './types.ts';

/** API Gateway's default and maximum integration timeout. */
export const DEFAULT_TIMEOUT_MS = 29_000;

export function compileDeployment(snapshot: ApiSnapshot, stage: StageBinding): CompiledApi {
  const region = stage.region ?? 'us-east-1';
  const routes = new RouteTrie<CompiledResource>();
  const resourcesById = new Map<string, CompiledResource>();
  // Request validators: the API's models compiled on first use by a method that validates a body.
  const validators = new Map(((snapshot.extras['requestvalidator'] ?? []) as RequestValidator[]).map((v) => [v.id!, v]));
  const schemas = new ModelSchemas(stage.restApiId, snapshot.models);
  const requestCheck = (m: Method): RequestCheck | null => (validators.size === 0 ? null : compileRequestCheck(m, validators, schemas));
  for (const r of snapshot.resources) {
    const methods = new Map<string, CompiledMethod>();
    for (const [verb, m] of Object.entries(r.resourceMethods ?? {})) {
      if (m.methodIntegration === undefined) continue;
      methods.set(verb, compileMethod(r.id!, r.path!, verb, m, m.methodIntegration, stage, region, requestCheck(m)));
    }
    const resource: CompiledResource = { id: r.id!, path: r.path!, methods };
    resourcesById.set(resource.id, resource);
    routes.add(resource.path, resource);
  }
  return Object.freeze({
    restApiId: stage.restApiId,
    apiName: snapshot.api.name ?? '',
    accountId: stage.accountId,
    stageName: stage.stageName,
    deploymentId: stage.deploymentId,
    stageVariables: Object.freeze({ ...stage.variables }),
    version: stage.version,
    routes,
    resourcesById,
    gatewayResponses: compileGatewayResponses((snapshot.extras['gatewayresponse'] ?? []) as GatewayResponse[]),
    region,
    authorizers: new Map(((snapshot.extras['authorizer'] ?? []) as Authorizer[]).map((a) => [a.id!, a])),
    policy: snapshot.api.policy === undefined || snapshot.api.policy === '' ? null : snapshot.api.policy,
    apiKeySource: snapshot.api.apiKeySource === 'AUTHORIZER' ? 'AUTHORIZER' : 'HEADER',
    binaryMediaTypes: compileBinaryMediaTypes(snapshot.api.binaryMediaTypes),
    disableExecuteApiEndpoint: snapshot.api.disableExecuteApiEndpoint === true,
    stageSettings: Object.freeze({
      cacheClusterEnabled: stage.stage?.cacheClusterEnabled === true,
      cacheClusterSize: stage.stage?.cacheClusterSize ?? null,
      tracingEnabled: stage.stage?.tracingEnabled === true,
      methodSettings: Object.freeze({ ...stage.stage?.methodSettings }),
      accessLogSettings: accessLogSettings(stage.stage?.accessLogSettings),
    }),
  });
}

/** Access logging needs both a destination and a format (AWS writes nothing without either). */
function accessLogSettings(s: AccessLogSettings | undefined): Readonly<AccessLogSettings> | null {
  if (s?.destinationArn === undefined || s.destinationArn === '' || s.format === undefined || s.format === '') return null;
  return Object.freeze({ destinationArn: s.destinationArn, format: s.format });
}

function compileMethod(
  resourceId: string, path: string, verb: string, m: Method, i: Integration, stage: StageBinding, region: string, requestCheck: RequestCheck | null,
): CompiledMethod {
  const name = `${stage.restApiId}/${stage.stageName}/${verb}${path}`;
  return {
    resourceId,
    resourcePath: path,
    httpMethod: verb,
    integration: compileIntegration(i, verb, name, stage.variables),
    methodResponses: m.methodResponses ?? {},
    access: methodAccess(m, verb, path, stage, region),
    settings: methodSettings(stage.stage?.methodSettings, path, verb),
    cacheKeyParameters: Object.freeze([...(i.cacheKeyParameters ?? [])]),
    cacheNamespace: i.cacheNamespace ?? resourceId,
    requestCheck,
  };
}

const AUTHORIZATION_TYPES = new Set(['AWS_IAM', 'CUSTOM', 'COGNITO_USER_POOLS']);

function methodAccess(m: Method, verb: string, path: string, stage: StageBinding, region: string): MethodAccess {
  const type = (m.authorizationType ?? 'NONE').toUpperCase();
  const authorizationType = AUTHORIZATION_TYPES.has(type) ? (type as MethodAccess['authorizationType']) : 'NONE';
  return Object.freeze({
    authorizationType,
    authorizerId: authorizationType === 'CUSTOM' || authorizationType === 'COGNITO_USER_POOLS' ? (m.authorizerId ?? null) : null,
    authorizationScopes: Object.freeze([...(m.authorizationScopes ?? [])]),
    apiKeyRequired: m.apiKeyRequired === true,
    // The path part of a method ARN is the resource path as defined ('/' for the root).
    methodArn: `arn:aws:execute-api:${region}:${stage.accountId}:${stage.restApiId}/${stage.stageName}/${verb}${path}`,
  });
}

/** AWS's method settings when a stage sets none (GetStage shows them the same way). */
export const METHOD_SETTING_DEFAULTS: Readonly<Required<MethodSetting>> = Object.freeze({
  metricsEnabled: false,
  loggingLevel: 'OFF',
  dataTraceEnabled: false,
  throttlingBurstLimit: 5000,
  throttlingRateLimit: 10000,
  cachingEnabled: false,
  cacheTtlInSeconds: 300,
  cacheDataEncrypted: false,
  requireAuthorizationForCacheControl: true,
  unauthorizedCacheControlHeaderStrategy: 'SUCCEED_WITH_RESPONSE_HEADER',
});

/** A method's own settings (`pets/{id}/GET`) override the stage-wide `*\/*` ones, field by field. */
function methodSettings(all: Readonly<Record<string, MethodSetting>> | undefined, path: string, verb: string): Readonly<MethodSetting> {
  if (all === undefined) return METHOD_SETTING_DEFAULTS;
  const own = all[`${path.replace(/^\//, '')}/${verb}`];
  const stageWide = all['*/*'];
  if (own === undefined && stageWide === undefined) return METHOD_SETTING_DEFAULTS;
  return Object.freeze({ ...METHOD_SETTING_DEFAULTS, ...stageWide, ...own });
}

export function compileIntegration(i: Integration, verb: string, name: string, variables: Readonly<Record<string, string>>): CompiledIntegration {
  const patternResponses: CompiledIntegrationResponse[] = [];
  let defaultResponse: CompiledIntegrationResponse | null = null;
  let misconfigured: string | null = null;
  // A bad mapping expression fails only the methods that use it, at request time, as in AWS.
  const guard = <T>(fn: () => T, fallback: T): T => {
    try {
      return fn();
    } catch (err) {
      if (!(err instanceof MappingExpressionError)) throw err;
      misconfigured ??= err.message;
      return fallback;
    }
  };
  for (const r of Object.values(i.integrationResponses ?? {})) {
    const compiled = compileIntegrationResponse(r, `${name}/response/${r.statusCode}`, guard);
    if (compiled.selectionPattern === null) defaultResponse ??= compiled;
    else patternResponses.push(compiled);
  }
  return {
    type: i.type ?? 'MOCK',
    httpMethod: i.httpMethod ?? verb,
    uri: substituteStageVariables(i.uri ?? '', variables),
    ...(i.tlsConfig?.insecureSkipVerification === true ? { insecureSkipVerification: true } : {}),
    requestParameters: guard(() => compileRequestParameters(i.requestParameters), []),
    requestTemplates: compileTemplates(i.requestTemplates, `${name}/request`),
    passthroughBehavior: passthroughBehavior(i.passthroughBehavior),
    contentHandling: contentHandling(i.contentHandling),
    timeoutMs: i.timeoutInMillis ?? DEFAULT_TIMEOUT_MS,
    patternResponses,
    defaultResponse,
    misconfigured,
  };
}

function compileIntegrationResponse(r: IntegrationResponse, name: string, guard: <T>(fn: () => T, fallback: T) => T): CompiledIntegrationResponse {
  return {
    statusCode: Number(r.statusCode),
    selectionPattern: r.selectionPattern === undefined || r.selectionPattern === '' ? null : compileSelectionPattern(r.selectionPattern),
    responseParameters: guard(() => compileResponseParameters(r.responseParameters), []),
    responseTemplates: compileTemplates(r.responseTemplates, name),
    contentHandling: contentHandling(r.contentHandling),
  };
}

function passthroughBehavior(v: string | undefined): PassthroughBehavior {
  switch (v) {
    case 'NEVER':
      return 'NEVER';
    case 'WHEN_NO_TEMPLATES':
    case 'WHEN_NO_TEMPLATE':
      return 'WHEN_NO_TEMPLATES';
    default:
      return 'WHEN_NO_MATCH';
  }
}

/** `${stageVariables.name}` in an integration URI; an undefined variable becomes ''. */
export function substituteStageVariables(s: string, variables: Readonly<Record<string, string>>): string {
  if (!s.includes('${stageVariables.')) return s;
  return s.replace(/\$\{stageVariables\.([A-Za-z0-9_]+)\}/g, (_, n: string) => variables[n] ?? '');
}
