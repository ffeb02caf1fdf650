// AWS integration URIs, read once per compiled integration:
//   arn:aws:apigateway:{region}:{service}:path/{path}
//   arn:aws:apigateway:{region}:{service}:action/{Action}[&{name}={value}...]
// where {service} may be {subdomain}.{service} (a bucket for s3, runtime.sagemaker). What varies
// per request (path parameters, mapped query strings) comes after the `path/` or `action/` that
// ends the prefix, so the prefix read here holds for every request of the integration.
import type { CompiledIntegration } from '../../deploy/index.ts';
import { lambdaFunctionOf } from '../lambda.ts';
import { awsService, type AwsService } from './services.ts';

export interface AwsTarget {
  /** Everything up to and including `path/` or `action/`. */
  readonly prefix: string;
  readonly region: string;
  /** The service's own name: the last label of the URI's service part (s3, sqs, sagemaker). */
  readonly service: string;
  /** The labels before it (a bucket, `runtime`); null when the URI has none. */
  readonly subdomain: string | null;
  readonly kind: 'path' | 'action';
  readonly info: AwsService;
}

const ARN = /^arn:aws[a-z-]*:apigateway:([a-z0-9-]+):([A-Za-z0-9._-]+):(path|action)\//;

/** The target of an AWS integration URI; null when the URI is not one (a Lambda URI is one). */
export function parseAwsTarget(uri: string): AwsTarget | null {
  const m = ARN.exec(uri);
  if (m === null) return null;
  const name = m[2]!;
  const dot = name.lastIndexOf('.');
  const service = dot === -1 ? name : name.slice(dot + 1);
  const subdomain = dot === -1 ? null : name.slice(0, dot);
  if (service === '' || subdomain === '') return null;
  return { prefix: m[0], region: m[1]!, service, subdomain, kind: m[3] as 'path' | 'action', info: awsService(service, subdomain) };
}

/** What an AWS integration calls, decided once per compiled integration. */
export type AwsPlan =
  | { readonly kind: 'lambda' }
  | { readonly kind: 'service'; readonly target: AwsTarget; readonly mapsContentType: boolean }
  | { readonly kind: 'invalid'; readonly reason: string };

// Keyed by the compiled integration: a redeployment compiles new ones, and the old plans go with them.
const plans = new WeakMap<CompiledIntegration, AwsPlan>();

export function awsPlan(i: CompiledIntegration): AwsPlan {
  let plan = plans.get(i);
  if (plan === undefined) {
    plan = makePlan(i);
    plans.set(i, plan);
  }
  return plan;
}

function makePlan(i: CompiledIntegration): AwsPlan {
  if (lambdaFunctionOf(i.uri) !== null) return { kind: 'lambda' };
  const target = parseAwsTarget(i.uri);
  if (target === null) return { kind: 'invalid', reason: `Invalid AWS integration URI: ${i.uri}` };
  // A mapped Content-Type is the API's choice; the JSON protocol's only fills in for the default one.
  const mapsContentType = i.requestParameters.some((p) => p.location === 'header' && p.name.toLowerCase() === 'content-type');
  return { kind: 'service', target, mapsContentType };
}

/** True for an AWS integration that runs a Lambda function (its selection patterns match the error message). */
export function isLambdaIntegration(i: CompiledIntegration): boolean {
  return awsPlan(i).kind === 'lambda';
}

/**
 * The URL API Gateway would call on AWS for an endpoint request URI, as its execution log shows
 * it (https://sqs.us-east-1.amazonaws.com/123456789012/queue); null when the URI is not an AWS one.
 */
export function awsServiceUrl(uri: string): string | null {
  const t = parseAwsTarget(uri);
  if (t === null) return null;
  const host = `${t.subdomain === null ? '' : t.subdomain + '.'}${t.service}.${t.region}.amazonaws.com`;
  const { path, query } = t.kind === 'path' ? splitPath(uri.slice(t.prefix.length)) : splitAction(uri.slice(t.prefix.length));
  return `https://${host}${path}${query === '' ? '' : '?' + query}`;
}

/** `path/` URIs: the path (with a leading slash) and the raw query string. */
export function splitPath(rest: string): { path: string; query: string } {
  const q = rest.indexOf('?');
  const raw = q === -1 ? rest : rest.slice(0, q);
  return { path: raw.startsWith('/') ? raw : '/' + raw, query: q === -1 ? '' : rest.slice(q + 1) };
}

/** `action/` URIs: path `/`, and a query string of Action={Action}, the URI's own parameters, then the mapped ones. */
export function splitAction(rest: string): { path: string; query: string; action: string } {
  const q = rest.indexOf('?');
  const head = q === -1 ? rest : rest.slice(0, q);
  const amp = head.indexOf('&');
  const action = amp === -1 ? head : head.slice(0, amp);
  let query = 'Action=' + action;
  if (amp !== -1 && amp + 1 < head.length) query += '&' + head.slice(amp + 1);
  if (q !== -1 && q + 1 < rest.length) query += '&' + rest.slice(q + 1);
  return { path: '/', query, action };
}
