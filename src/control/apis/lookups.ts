// Reads that every REST API operation starts with, failing with API Gateway's NotFound messages.
import type { ReadTx } from '../../store/index.ts';
import type { Method, Resource, RestApi } from '../../model/generated/types.ts';
import { notFound } from '../errors.ts';
import { K } from '../kinds.ts';

export type StoredResource = Omit<Resource, 'resourceMethods'>;

export async function getApi(tx: ReadTx, accountId: string, restApiId: string): Promise<RestApi> {
  const api = await tx.get<RestApi>(K.restApi, '', restApiId);
  if (api === undefined) throw notFound(`Invalid API identifier specified ${accountId}:${restApiId}`);
  return api;
}

export async function getResource(tx: ReadTx, restApiId: string, resourceId: string): Promise<StoredResource> {
  const r = await tx.get<StoredResource>(K.resource, restApiId, resourceId);
  if (r === undefined) throw notFound('Invalid Resource identifier specified');
  return r;
}

export function methodKey(resourceId: string, httpMethod: string): string {
  return `${resourceId}/${httpMethod}`;
}

export async function getMethod(tx: ReadTx, restApiId: string, resourceId: string, httpMethod: string): Promise<Method> {
  const m = await tx.get<Method>(K.method, restApiId, methodKey(resourceId, httpMethod));
  if (m === undefined) throw notFound('Invalid Method identifier specified');
  return m;
}

/** All methods of an API grouped by resource id. */
export async function methodsByResource(tx: ReadTx, restApiId: string, embed: boolean): Promise<Map<string, Record<string, Method>>> {
  const out = new Map<string, Record<string, Method>>();
  const { items } = await tx.list<Method & { resourceId: string }>(K.method, restApiId);
  for (const m of items) {
    let rec = out.get(m.resourceId);
    if (rec === undefined) out.set(m.resourceId, (rec = {}));
    rec[m.httpMethod!] = embed ? publicMethod(m) : ({} as Method);
  }
  return out;
}

/** A stored method carries its resource id for grouping; the wire shape does not. */
export function publicMethod(m: Method & { resourceId?: string }): Method {
  const { resourceId: _r, ...rest } = m;
  return rest;
}
