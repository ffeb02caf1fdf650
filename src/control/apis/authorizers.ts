// Authorizers of a REST API: Lambda TOKEN and REQUEST authorizers and Cognito user pool
// authorizers. Methods refer to them by id (kind 'authorizer', parent = restApiId).
import { flushStageAuthorizers } from '../../access/authorizer-cache.ts';
import { testInvokeAuthorizer } from '../../access/authorizer-test-invoke.ts';
import { testInvokeCognitoAuthorizer } from '../../access/cognito-test-invoke.ts';
import { lambdaAuthorizersFor } from '../../access/lambda-authorizer.ts';
import type { Authorizer } from '../../model/generated/types.ts';
import type { ReadTx } from '../../store/index.ts';
import type { HandlerTable } from '../context.ts';
import { badRequest, conflict, limitExceeded, notFound } from '../errors.ts';
import { newId } from '../ids.ts';
import { K } from '../kinds.ts';
import { listPage } from '../paging.ts';
import { applyPatch, field, requireValue, toInteger, type PatchRule } from '../patch.ts';
import { methodReferencing } from './references.ts';
import { getStage } from './stages.ts';

export const AUTHORIZER_KIND = K.authorizer;

/** API Gateway's default quota of authorizers per REST API. */
export const MAX_AUTHORIZERS_PER_API = 10;
export const DEFAULT_AUTHORIZER_TTL = 300;

const HEADER_SOURCE = /^method\.request\.header\.[A-Za-z0-9._-]+$/;
const REQUEST_SOURCE =
  /^(?:method\.request\.(?:header|querystring|multivalueheader|multivaluequerystring)\.[^\s,]+|stageVariables\.[A-Za-z0-9_]+|context\.[A-Za-z0-9._-]+)$/;
// An API Gateway Lambda path ARN (arn:aws:apigateway:{region}:lambda:path/...). AWS checks no
// more at write time: its recording accepts "arn:aws:apigateway:us-east-1:lambda:path/ \\\n
// 2015-03-31/functions/.../invocations", whitespace and all. A URI that names no function answers
// 500 (AuthorizerConfigurationException) when a request reaches the authorizer.
const LAMBDA_INVOCATION_URI = /^arn:aws[a-z-]*:apigateway:[a-z0-9-]+:lambda:path\//;
const USER_POOL_ARN = /^arn:aws[a-z-]*:cognito-idp:[a-z0-9-]+:\d{12}:userpool\/[a-z0-9-]+_[A-Za-z0-9]+$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::(?:\d{12}|\*):(?:role|user)\/[\w+=,.@/-]+$/;

function checkTokenSource(source: string | undefined): void {
  if (source === undefined || source === '') {
    throw badRequest('Identity source is required for authorizers of type TOKEN and COGNITO_USER_POOLS: a method request header, method.request.header.NAME');
  }
  if (!HEADER_SOURCE.test(source)) {
    throw badRequest(`Invalid token source expression: ${source}. The source must be a method request header, matching 'method.request.header.[a-zA-Z0-9._-]+'.`);
  }
}

function checkRequestSources(source: string | undefined, ttl: number): void {
  const parts = (source ?? '').split(',').map((s) => s.trim());
  if (parts.length === 1 && parts[0] === '') {
    if (ttl > 0) throw badRequest('Identity source must be specified for REQUEST authorizers when authorizer caching is enabled (authorizerResultTtlInSeconds greater than 0)');
    return;
  }
  for (const p of parts) {
    if (!REQUEST_SOURCE.test(p)) {
      throw badRequest(
        `Invalid identity source expression: '${p}'. Identity sources must be method.request.header.NAME, method.request.querystring.NAME, method.request.multivalueheader.NAME, method.request.multivaluequerystring.NAME, stageVariables.NAME or context.NAME, separated by commas`,
      );
    }
  }
}

/** Validates a whole authorizer as it would be stored (after create or patch). */
export function checkAuthorizer(a: Authorizer): void {
  if (!a.name || a.name.trim() === '') throw badRequest('Invalid authorizer name specified: the name must not be empty');
  const ttl = a.authorizerResultTtlInSeconds ?? DEFAULT_AUTHORIZER_TTL;
  if (!Number.isInteger(ttl) || ttl < 0 || ttl > 3600) {
    throw badRequest(`Invalid authorizerResultTtlInSeconds: ${ttl}. The value must be between 0 and 3600 seconds`);
  }
  if (a.identityValidationExpression !== undefined && a.identityValidationExpression !== '') {
    try {
      new RegExp(a.identityValidationExpression);
    } catch {
      throw badRequest(`Invalid identity validation expression specified: ${a.identityValidationExpression}`);
    }
  }
  if (a.authorizerCredentials !== undefined && !ROLE_ARN.test(a.authorizerCredentials)) {
    throw badRequest(`Invalid authorizer credentials specified: ${a.authorizerCredentials}. Credentials must be an IAM role ARN`);
  }
  switch (a.type) {
    case 'TOKEN':
    case 'REQUEST':
      if (!a.authorizerUri) throw badRequest(`Authorizer URI is required for authorizers of type ${a.type}`);
      if (!LAMBDA_INVOCATION_URI.test(a.authorizerUri)) {
        throw badRequest(
          `Invalid authorizer URI specified: ${a.authorizerUri}. The URI must be a Lambda function invocation ARN, arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{function ARN}/invocations`,
        );
      }
      if (a.type === 'TOKEN') checkTokenSource(a.identitySource);
      else checkRequestSources(a.identitySource, ttl);
      break;
    case 'COGNITO_USER_POOLS':
      if (!a.providerARNs || a.providerARNs.length === 0) throw badRequest('ProviderARNs need to be specified for authorizers of type COGNITO_USER_POOLS');
      for (const arn of a.providerARNs) {
        if (!USER_POOL_ARN.test(arn)) throw badRequest(`Invalid provider ARN specified: ${arn}. Provider ARNs must be Amazon Cognito user pool ARNs, arn:aws:cognito-idp:{region}:{account}:userpool/{user pool id}`);
      }
      checkTokenSource(a.identitySource);
      break;
    default:
      throw badRequest(`Invalid authorizer type specified: ${String(a.type)}. Valid values are TOKEN, REQUEST, COGNITO_USER_POOLS`);
  }
}

/** Keeps the wire order of Authorizer's members and drops empty ones. */
function shape(a: Authorizer): Authorizer {
  const out: Authorizer = {};
  const keys: (keyof Authorizer)[] = [
    'id', 'name', 'type', 'providerARNs', 'authType', 'authorizerUri', 'authorizerCredentials', 'identitySource',
    'identityValidationExpression', 'authorizerResultTtlInSeconds',
  ];
  for (const k of keys) {
    const v = a[k];
    if (v === undefined || v === '' || (Array.isArray(v) && v.length === 0)) continue;
    (out as Record<string, unknown>)[k] = v;
  }
  return out;
}

export async function getAuthorizer(tx: ReadTx, restApiId: string, authorizerId: string): Promise<Authorizer> {
  const a = await tx.get<Authorizer>(AUTHORIZER_KIND, restApiId, authorizerId);
  if (a === undefined) throw notFound('Invalid authorizer identifier specified');
  return a;
}

function splitArns(value: string | undefined, path: string): string[] {
  return requireValue(value, path).split(',').map((s) => s.trim()).filter(Boolean);
}

const rules: PatchRule<Authorizer>[] = [
  field('name'),
  field('type'),
  field('authorizerUri', { ops: ['replace', 'add', 'remove'] }),
  field('identitySource', { ops: ['replace', 'add', 'remove'] }),
  field('identityValidationExpression', { ops: ['replace', 'add', 'remove'] }),
  field('authorizerResultTtlInSeconds', { convert: toInteger }),
  field('authorizerCredentials', { ops: ['replace', 'add', 'remove'] }),
  field('authType', { ops: ['replace', 'add', 'remove'] }),
  {
    // The value names one ARN (add, remove) or the whole comma-separated list (replace).
    path: '/providerARNs',
    ops: ['add', 'remove', 'replace'],
    apply(doc, op, value) {
      let list = [...(doc.providerARNs ?? [])];
      if (op === 'replace') list = splitArns(value, '/providerARNs');
      else if (op === 'add') for (const arn of splitArns(value, '/providerARNs')) { if (!list.includes(arn)) list.push(arn); }
      else if (value === undefined) list = [];
      else list = list.filter((arn) => !splitArns(value, '/providerARNs').includes(arn));
      doc.providerARNs = list;
    },
  },
];

export const authorizerHandlers: HandlerTable = {
  async CreateAuthorizer(input, ctx) {
    return ctx.write(async (tx) => {
      // AWS answers a missing API here with a 409 about concurrent modification (recorded, odd as it is).
      if ((await tx.get(K.restApi, '', input.restApiId)) === undefined) {
        throw conflict('Unable to complete operation due to concurrent modification. Please try again later.');
      }
      const a: Authorizer = shape({
        id: newId(6),
        name: input.name,
        type: input.type,
        providerARNs: input.providerARNs,
        // AWS fills authType in when it is not given (recorded: "custom" for a Lambda authorizer).
        authType: input.authType ?? (input.type === 'COGNITO_USER_POOLS' ? 'cognito_user_pools' : 'custom'),
        authorizerUri: input.type === 'COGNITO_USER_POOLS' ? undefined : input.authorizerUri,
        authorizerCredentials: input.authorizerCredentials,
        identitySource: input.identitySource,
        identityValidationExpression: input.identityValidationExpression,
        // Left out when not given, as AWS leaves it (recorded); the data plane caches 300 s then.
        authorizerResultTtlInSeconds: input.authorizerResultTtlInSeconds,
      });
      if (input.type === 'COGNITO_USER_POOLS' && input.authorizerUri) {
        throw badRequest('Authorizer URI is not supported for authorizers of type COGNITO_USER_POOLS');
      }
      checkAuthorizer(a);
      if ((await tx.count(AUTHORIZER_KIND, input.restApiId)) >= MAX_AUTHORIZERS_PER_API) {
        throw limitExceeded(`Exceeded the maximum number of authorizers allowed per API: ${MAX_AUTHORIZERS_PER_API}`);
      }
      await tx.put(AUTHORIZER_KIND, input.restApiId, a.id!, a);
      return a;
    });
  },

  async GetAuthorizer(input, ctx) {
    return ctx.read((tx) => getAuthorizer(tx, input.restApiId, input.authorizerId));
  },

  async GetAuthorizers(input, ctx) {
    return ctx.read((tx) => listPage<Authorizer>(tx, AUTHORIZER_KIND, input.restApiId, input));
  },

  async UpdateAuthorizer(input, ctx) {
    return ctx.write(async (tx) => {
      const a = await getAuthorizer(tx, input.restApiId, input.authorizerId);
      const next = applyPatch(a, input.patchOperations, rules);
      if (next.type === 'COGNITO_USER_POOLS') delete next.authorizerUri;
      else delete next.providerARNs;
      const out = shape(next);
      checkAuthorizer(out);
      if (out.type !== a.type) {
        // A method's authorizationType must match its authorizer's kind (CUSTOM vs COGNITO_USER_POOLS).
        const wasCognito = a.type === 'COGNITO_USER_POOLS';
        const isCognito = out.type === 'COGNITO_USER_POOLS';
        if (wasCognito !== isCognito) {
          const used = await methodReferencing(tx, input.restApiId, (m) => m.authorizerId === a.id);
          if (used !== undefined) throw conflict(`Cannot change the type of authorizer '${a.name}', is referenced in method: ${used}`);
        }
      }
      await tx.put(AUTHORIZER_KIND, input.restApiId, a.id!, out);
      return out;
    });
  },

  async DeleteAuthorizer(input, ctx) {
    await ctx.write(async (tx) => {
      const a = await getAuthorizer(tx, input.restApiId, input.authorizerId);
      const used = await methodReferencing(tx, input.restApiId, (m) => m.authorizerId === a.id);
      if (used !== undefined) throw conflict(`Cannot delete authorizer '${a.name}', is referenced in method: ${used}`);
      await tx.delete(AUTHORIZER_KIND, input.restApiId, a.id!);
    });
  },

  async TestInvokeAuthorizer(input, ctx) {
    const a = await ctx.read((tx) => getAuthorizer(tx, input.restApiId, input.authorizerId));
    if (a.type === 'COGNITO_USER_POOLS') return testInvokeCognitoAuthorizer(ctx.config, a, input);
    // The process's Lambda authorizers call the function as a deployed stage would (never from the cache).
    const authorizers = lambdaAuthorizersFor(ctx.store);
    if (authorizers === undefined) throw badRequest(`Gatehouse cannot test-invoke authorizer '${a.name}': this process runs no Lambda authorizers`);
    return testInvokeAuthorizer(authorizers, a, input, { accountId: ctx.accountId, region: ctx.region });
  },

  // Every process's cached results for the stage go at once: the cache is in the shared state.
  async FlushStageAuthorizersCache(input, ctx) {
    await ctx.read((tx) => getStage(tx, input.restApiId, input.stageName));
    await flushStageAuthorizers(ctx.shared, { accountId: ctx.accountId, region: ctx.region, restApiId: input.restApiId, stageName: input.stageName });
  },
};
