// Stages: named pointers at deployments, with variables and per-method settings.
import type { CreateStageRequest, Deployment, MethodSetting, Stage, UpdateStageRequest } from '../../model/generated/types.ts';
import type { ReadTx, WriteTx } from '../../store/index.ts';
import { CACHE_CLUSTER_SIZES, DEFAULT_CACHE_CLUSTER_SIZE, flushStageCache } from '../../cache/index.ts';
import { METHOD_SETTING_DEFAULTS } from '../../deploy/index.ts';
import { log } from '../../observe/log.ts';
import { isSharedStateUnavailable } from '../../shared/index.ts';
import type { HandlerTable, OpContext } from '../context.ts';
import { ApiError, badRequest, conflict, notFound } from '../errors.ts';
import { now } from '../ids.ts';
import { K } from '../kinds.ts';
import { applyPatch, field, mapEntry, nestedField, toBoolean, toInteger, toNumber, type PatchRule, type UnacceptedPath } from '../patch.ts';
import { checkClientCertificateExists } from '../keys/client-certificates.ts';

const CACHE_SIZES = CACHE_CLUSTER_SIZES;

export function checkStageName(name: string): void {
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(name)) throw badRequest('Stage name only allows a-zA-Z0-9_');
}

export function checkVariables(vars: Record<string, string> | undefined): void {
  for (const [k, v] of Object.entries(vars ?? {})) {
    if (!/^[A-Za-z0-9_]{1,64}$/.test(k)) throw badRequest(`Stage variable name ${k} contains invalid characters. Only alphanumeric and underscore characters are allowed.`);
    if (typeof v !== 'string' || v.length > 512 || !/^[A-Za-z0-9\-._~:/?#&=,]*$/.test(v)) {
      throw badRequest(`Stage variable value ${v} contains invalid characters. Only alphanumeric and -._~:/?#&=, characters are allowed.`);
    }
  }
}

function checkCacheSize(size: string | undefined): void {
  if (size !== undefined && !CACHE_SIZES.includes(size)) throw badRequest(`Invalid cache cluster size specified: ${size}. Valid values are ${CACHE_SIZES.join(', ')}`);
}

export async function getStage(tx: ReadTx, restApiId: string, stageName: string): Promise<Stage> {
  const s = await tx.get<Stage>(K.stage, restApiId, stageName);
  if (s === undefined) throw notFound('Invalid Stage identifier specified');
  return s;
}

async function checkDeployment(tx: ReadTx, restApiId: string, deploymentId: string | undefined): Promise<void> {
  if (!deploymentId || (await tx.get<Deployment>(K.deployment, restApiId, deploymentId)) === undefined) {
    throw notFound('Invalid Deployment identifier specified');
  }
}

// Canary settings as AWS keeps them (test_apigateway_canary recordings): a canary always has a
// deployment (the stage's own when none is named), a percentage (0) and useStageCache (false);
// a canary deployment that does not exist is a 400 with AWS's words, unlike the stage's own.
export function withCanaryDefaults(stage: Stage): void {
  const c = stage.canarySettings;
  if (c === undefined) return;
  c.deploymentId ??= stage.deploymentId;
  c.percentTraffic ??= 0;
  c.useStageCache ??= false;
}

async function checkCanaryDeployment(tx: ReadTx, restApiId: string, deploymentId: string | undefined): Promise<void> {
  if (!deploymentId || (await tx.get<Deployment>(K.deployment, restApiId, deploymentId)) === undefined) throw badRequest('Deployment id does not exist');
}

export async function insertStage(tx: WriteTx, input: CreateStageRequest): Promise<Stage> {
  checkStageName(input.stageName);
  if (await tx.get(K.stage, input.restApiId, input.stageName)) throw conflict('Stage already exists');
  await checkDeployment(tx, input.restApiId, input.deploymentId);
  checkVariables(input.variables);
  checkCacheSize(input.cacheClusterSize);
  const t = now();
  const s: Stage = {
    deploymentId: input.deploymentId,
    stageName: input.stageName,
    cacheClusterEnabled: input.cacheClusterEnabled ?? false,
    cacheClusterStatus: input.cacheClusterEnabled ? 'AVAILABLE' : 'NOT_AVAILABLE',
    methodSettings: {},
    tracingEnabled: input.tracingEnabled ?? false,
    createdDate: t,
    lastUpdatedDate: t,
  };
  if (input.description !== undefined) s.description = input.description;
  if (input.cacheClusterEnabled) s.cacheClusterSize = input.cacheClusterSize ?? DEFAULT_CACHE_CLUSTER_SIZE;
  if (input.variables !== undefined && Object.keys(input.variables).length > 0) s.variables = input.variables;
  if (input.documentationVersion !== undefined) s.documentationVersion = input.documentationVersion;
  if (input.canarySettings !== undefined) {
    s.canarySettings = { ...input.canarySettings };
    withCanaryDefaults(s);
    await checkCanaryDeployment(tx, input.restApiId, s.canarySettings.deploymentId);
  }
  if (input.tags !== undefined && Object.keys(input.tags).length > 0) s.tags = input.tags;
  await tx.put(K.stage, input.restApiId, input.stageName, s);
  return s;
}

// ---- method settings: /{resourcePath}/{httpMethod}/{group}/{setting}

type SettingSpec = [group: string, name: string, key: keyof MethodSetting, convert: (v: string | undefined, p: string) => unknown];

const oneOf = (values: string[]) => (v: string | undefined, p: string) => {
  if (v === undefined || !values.includes(v)) throw badRequest(`Invalid value '${v}' for ${p}. Valid values are ${values.join(', ')}`);
  return v;
};

const SETTINGS: SettingSpec[] = [
  ['metrics', 'enabled', 'metricsEnabled', toBoolean],
  ['logging', 'loglevel', 'loggingLevel', oneOf(['OFF', 'ERROR', 'INFO'])],
  ['logging', 'dataTrace', 'dataTraceEnabled', toBoolean],
  ['throttling', 'burstLimit', 'throttlingBurstLimit', toInteger],
  ['throttling', 'rateLimit', 'throttlingRateLimit', toNumber],
  ['caching', 'enabled', 'cachingEnabled', toBoolean],
  ['caching', 'ttlInSeconds', 'cacheTtlInSeconds', (v, p) => {
    const n = toInteger(v, p);
    if (n < 0 || n > 3600) throw badRequest('Cache TTL must be between 0 and 3600 seconds');
    return n;
  }],
  ['caching', 'dataEncrypted', 'cacheDataEncrypted', toBoolean],
  ['caching', 'requireAuthorizationForCacheControl', 'requireAuthorizationForCacheControl', toBoolean],
  ['caching', 'unauthorizedCacheControlHeaderStrategy', 'unauthorizedCacheControlHeaderStrategy',
    oneOf(['FAIL_WITH_403', 'SUCCEED_WITH_RESPONSE_HEADER', 'SUCCEED_WITHOUT_RESPONSE_HEADER'])],
];

/** '/pets/{id}' + 'GET' → 'pets/{id}/GET'; '*' + '*' → '*\/*' */
function settingKey(resourcePath: string, httpMethod: string): string {
  return `${resourcePath.replace(/^\//, '')}/${httpMethod}`;
}

const methodSettingRules: PatchRule<Stage>[] = SETTINGS.map(([group, name, key, convert]) => ({
  path: `/*/*/${group}/${name}`,
  ops: ['replace', 'remove'] as const,
  apply(doc: Stage, op: string, value: string | undefined, keys: string[]) {
    const k = settingKey(keys[0]!, keys[1]!);
    if (keys[0] !== '*' && !keys[0]!.startsWith('/')) throw badRequest(`Invalid method setting path: ${keys[0]}`);
    const settings = (doc.methodSettings ??= {});
    if (op === 'remove') {
      delete settings[k];
      return;
    }
    const base = settings[k] ?? { ...(settings['*/*'] ?? METHOD_SETTING_DEFAULTS) };
    (base as Record<string, unknown>)[key] = convert(value, `/${keys[0]}/${keys[1]}/${group}/${name}`);
    settings[k] = base;
  },
}));

// Access-log settings answer with AWS's own words (test_apigateway_api recordings): only the two
// fields can be set, an empty value is refused, and only the whole block can be removed (AWS
// reads any other remove as a method setting that is not there).
const ACCESS_LOG_PATHS = 'Invalid accessLogSettings path. Must be one of : [/accessLogSettings/destinationArn, /accessLogSettings/format]';
const ACCESS_LOG_RULES: PatchRule<Stage>[] = [
  {
    path: '/accessLogSettings',
    ops: ['add', 'replace', 'remove'],
    apply(doc, op) {
      if (op !== 'remove') throw badRequest(ACCESS_LOG_PATHS);
      delete doc.accessLogSettings;
    },
  },
  {
    path: '/accessLogSettings/*',
    ops: ['add', 'replace', 'remove'],
    apply(doc, op, value, keys) {
      const key = keys[0]!;
      if (op === 'remove') throw badRequest(`Cannot remove method setting accessLogSettings/${key} because there is no method setting for this method `);
      if (key !== 'destinationArn' && key !== 'format') throw badRequest(ACCESS_LOG_PATHS);
      if (value === undefined || value === '') throw badRequest('Access Log value must not be empty');
      doc.accessLogSettings = { ...doc.accessLogSettings, [key]: value };
    },
  },
];

const stageRules: PatchRule<Stage>[] = [
  field('description', { ops: ['replace', 'add', 'remove'] }),
  field('deploymentId'),
  field('cacheClusterEnabled', { convert: toBoolean }),
  field('cacheClusterSize', { check: (v) => checkCacheSize(v as string) }),
  field('tracingEnabled', { convert: toBoolean }),
  field('clientCertificateId', { ops: ['replace', 'add', 'remove'] }),
  field('documentationVersion', { ops: ['replace', 'add', 'remove'] }),
  field('webAclArn', { ops: ['replace', 'add', 'remove'] }),
  mapEntry('variables', { checkKey: (k) => checkVariables({ [k]: '' }) }),
  ...ACCESS_LOG_RULES,
  field('canarySettings', { ops: ['remove'] }),
  nestedField('canarySettings', 'deploymentId'),
  nestedField('canarySettings', 'percentTraffic', { convert: toNumber }),
  nestedField('canarySettings', 'useStageCache', { convert: toBoolean }),
  {
    path: '/canarySettings/stageVariableOverrides/*',
    ops: ['add', 'replace', 'remove'],
    apply(doc, op, value, keys) {
      const c = (doc.canarySettings ??= {});
      const o = (c.stageVariableOverrides ??= {});
      if (op === 'remove') delete o[keys[0]!];
      else o[keys[0]!] = value ?? '';
    },
  },
  ...methodSettingRules,
];

// AWS's words for a path or op UpdateStage does not take (recorded): its list is AWS's own, not
// the paths Gatehouse accepts.
const METHOD_SETTING_PATHS = "[/deploymentId, /description, /cacheClusterEnabled, /cacheClusterSize, /clientCertificateId, /accessLogSettings, /accessLogSettings/destinationArn, /accessLogSettings/format, /{resourcePath}/{httpMethod}/metrics/enabled, /{resourcePath}/{httpMethod}/logging/dataTrace, /{resourcePath}/{httpMethod}/logging/loglevel, /{resourcePath}/{httpMethod}/throttling/burstLimit/{resourcePath}/{httpMethod}/throttling/rateLimit/{resourcePath}/{httpMethod}/caching/ttlInSeconds, /{resourcePath}/{httpMethod}/caching/enabled, /{resourcePath}/{httpMethod}/caching/dataEncrypted, /{resourcePath}/{httpMethod}/caching/requireAuthorizationForCacheControl, /{resourcePath}/{httpMethod}/caching/unauthorizedCacheControlHeaderStrategy, /*/*/metrics/enabled, /*/*/logging/dataTrace, /*/*/logging/loglevel, /*/*/throttling/burstLimit /*/*/throttling/rateLimit /*/*/caching/ttlInSeconds, /*/*/caching/enabled, /*/*/caching/dataEncrypted, /*/*/caching/requireAuthorizationForCacheControl, /*/*/caching/unauthorizedCacheControlHeaderStrategy, /variables/{variable_name}, /tracingEnabled]";

const stagePathError: UnacceptedPath = (op, path) => {
  if (op === 'remove') return badRequest(`Cannot remove method setting ${path.slice(1)} because there is no method setting for this method `);
  if (op === 'add') return badRequest(`Invalid add operation with path: ${path}`);
  return badRequest(`Invalid method setting path: ${path}. Must be one of: ${METHOD_SETTING_PATHS}`);
};

// copy is only a canary's promotion: its deployment and its variable overrides (merged into the
// stage's variables) become the stage's own; the canary stays (recorded).
const PROMOTIONS: Record<string, string> = { '/deploymentId': '/canarySettings/deploymentId', '/variables': '/canarySettings/stageVariableOverrides' };

function promote(doc: Stage, path: string, from: string): void {
  if (PROMOTIONS[path] !== from) {
    throw badRequest(`Invalid copy operation with path: ${path} and from ${from}. Valid copy:path are [/deploymentId, /variables] and valid copy:from are [/canarySettings/deploymentId, /canarySettings/stageVariableOverrides]`);
  }
  const c = doc.canarySettings;
  if (c === undefined) throw badRequest('Promotion not available. Canary does not exist.');
  if (path === '/deploymentId') doc.deploymentId = c.deploymentId;
  else doc.variables = { ...doc.variables, ...c.stageVariableOverrides };
}

export const stageHandlers: HandlerTable = {
  async CreateStage(input, ctx) {
    const s = await ctx.write((tx) => insertStage(tx, input));
    return s.cacheClusterEnabled === true ? { ...s, cacheClusterStatus: 'CREATE_IN_PROGRESS' } : s;
  },

  async GetStage(input, ctx) {
    return ctx.read((tx) => getStage(tx, input.restApiId, input.stageName));
  },

  async GetStages(input, ctx) {
    return ctx.read(async (tx) => {
      const { items } = await tx.list<Stage>(K.stage, input.restApiId);
      // GetStages is not paged: its output has `item` and no position.
      return { item: items.filter((s) => input.deploymentId === undefined || s.deploymentId === input.deploymentId) };
    });
  },

  async UpdateStage(input, ctx) {
    const [before, after] = await ctx.write((tx) => updateStage(tx, input));
    const status = cacheClusterChange(before, after);
    if (status === null) return after;
    await dropStageCache(ctx, input.restApiId, input.stageName, after.cacheClusterSize ?? before.cacheClusterSize);
    return { ...after, cacheClusterStatus: status };
  },

  // Empties the stage's cache in the shared state, so on every process of the gateway; a stage
  // without a cache has nothing to flush and is answered alike. While the shared state (Redis,
  // the cluster primary) cannot be reached the answer is 503, never a flush that did not happen.
  async FlushStageCache(input, ctx) {
    const stage = await ctx.read((tx) => getStage(tx, input.restApiId, input.stageName));
    try {
      await flushStageCache(ctx.shared, stageIdOf(ctx, input.restApiId, input.stageName), stage.cacheClusterSize, ctx.config.stageCacheMaxMb);
    } catch (err) {
      if (isSharedStateUnavailable(err)) throw new ApiError('ServiceUnavailableException', 'Service Unavailable: the shared state holding the stage cache cannot be reached; retry later');
      throw err;
    }
  },

  async DeleteStage(input, ctx) {
    const stage = await ctx.write(async (tx) => {
      const s = await getStage(tx, input.restApiId, input.stageName);
      await tx.delete(K.stage, input.restApiId, input.stageName);
      return s;
    });
    if (stage.cacheClusterEnabled === true) await dropStageCache(ctx, input.restApiId, input.stageName, stage.cacheClusterSize);
  },
};

// ---- the stage cache's life cycle
//
// AWS provisions a cache cluster in about four minutes: CreateStage and UpdateStage answer
// CREATE_IN_PROGRESS (DELETE_IN_PROGRESS when it is disabled) and GetStage shows AVAILABLE (or
// NOT_AVAILABLE) once that is done. Gatehouse's cache needs no provisioning (it is a named
// cache in the shared state, ready as soon as a request uses it), so the stage stores the
// finished state and only the answer to the call that started the change shows the state in
// progress, as AWS's does; tools that wait for AVAILABLE see it on their first GetStage.
// Disabling, resizing (AWS: "All existing cached data is deleted") and deleting a stage drop
// its entries.

function stageIdOf(ctx: OpContext, restApiId: string, stageName: string) {
  return { accountId: ctx.accountId, region: ctx.region, restApiId, stageName };
}

/** The status the UpdateStage answer shows; null when the cache cluster did not change. */
function cacheClusterChange(before: Stage, after: Stage): Stage['cacheClusterStatus'] | null {
  const was = before.cacheClusterEnabled === true;
  const is = after.cacheClusterEnabled === true;
  if (was && !is) return 'DELETE_IN_PROGRESS';
  if (is && (!was || before.cacheClusterSize !== after.cacheClusterSize)) return 'CREATE_IN_PROGRESS';
  return null;
}

/** Drops a stage's entries after a change that ends its cache. The change is committed by then, so
 *  a shared state that cannot be reached is logged, not answered: the entries expire with their TTL. */
async function dropStageCache(ctx: OpContext, restApiId: string, stageName: string, size: string | undefined): Promise<void> {
  try {
    await flushStageCache(ctx.shared, stageIdOf(ctx, restApiId, stageName), size, ctx.config.stageCacheMaxMb);
  } catch (err) {
    log().warn({ err: (err as Error)?.message, restApiId, stageName }, 'stage cache: dropping the entries of a disabled, resized or deleted stage cache failed; they expire with their TTL');
  }
}

/** The stage before and after the patch (the after as stored). */
async function updateStage(tx: WriteTx, input: UpdateStageRequest): Promise<[Stage, Stage]> {
  const s = await getStage(tx, input.restApiId, input.stageName);
  // One op at a time: a copy (promotion) sees the canary the ops before it made.
  let next = structuredClone(s);
  for (const op of input.patchOperations ?? []) {
    if (op.op === 'copy') promote(next, op.path ?? '', op.from ?? '');
    else next = applyPatch(next, [op], stageRules, stagePathError);
    withCanaryDefaults(next);
  }
  if (next.deploymentId !== s.deploymentId) await checkDeployment(tx, input.restApiId, next.deploymentId);
  if (next.clientCertificateId !== undefined && next.clientCertificateId !== s.clientCertificateId) {
    await checkClientCertificateExists(tx, next.clientCertificateId);
  }
  if (next.canarySettings?.deploymentId !== undefined && next.canarySettings.deploymentId !== s.canarySettings?.deploymentId) {
    await checkCanaryDeployment(tx, input.restApiId, next.canarySettings.deploymentId);
  }
  const pct = next.canarySettings?.percentTraffic;
  if (pct !== undefined && (pct < 0 || pct > 100)) throw badRequest('Canary traffic percentage must be between 0.0 and 100.0');
  if (next.cacheClusterEnabled) {
    next.cacheClusterSize ??= DEFAULT_CACHE_CLUSTER_SIZE;
    next.cacheClusterStatus = 'AVAILABLE';
  } else {
    next.cacheClusterStatus = 'NOT_AVAILABLE';
  }
  if (next.variables && Object.keys(next.variables).length === 0) delete next.variables;
  next.lastUpdatedDate = now();
  await tx.put(K.stage, input.restApiId, input.stageName, next);
  return [s, next];
}

