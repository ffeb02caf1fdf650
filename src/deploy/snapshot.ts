// A deployment's snapshot: the whole API as it was when deployed, immutable. The execution
// plane compiles it; later changes to the API never reach it.
import type { Method, Model, Resource, RestApi } from '../model/generated/types.ts';
import type { ReadTx } from '../store/index.ts';
import { K, SNAPSHOT_EXTRA_KINDS } from '../kinds.ts';

export interface ApiSnapshot {
  readonly api: RestApi;
  readonly resources: Resource[];
  readonly models: Model[];
  /** Other API-level families (authorizers, request validators, gateway responses, ...) by kind. */
  readonly extras: Record<string, unknown[]>;
}

type StoredMethod = Method & { resourceId: string };

export async function takeSnapshot(tx: ReadTx, api: RestApi): Promise<ApiSnapshot> {
  const { items: resources } = await tx.list<Omit<Resource, 'resourceMethods'>>(K.resource, api.id!);
  const { items: methods } = await tx.list<StoredMethod>(K.method, api.id!);
  const byResource = new Map<string, Record<string, Method>>();
  for (const { resourceId, ...m } of methods) {
    // A stored method carries its resource id for grouping; the snapshot keeps the wire shape.
    const rec = byResource.get(resourceId) ?? {};
    rec[m.httpMethod!] = m;
    byResource.set(resourceId, rec);
  }
  const { items: models } = await tx.list<Model>(K.model, api.id!);
  const extras: Record<string, unknown[]> = {};
  for (const kind of SNAPSHOT_EXTRA_KINDS) extras[kind] = (await tx.list(kind, api.id!)).items;
  return {
    api,
    resources: resources.map((r) => (byResource.has(r.id!) ? { ...r, resourceMethods: byResource.get(r.id!) } : r)),
    models,
    extras,
  };
}

export async function loadSnapshot(tx: ReadTx, restApiId: string, deploymentId: string): Promise<ApiSnapshot | undefined> {
  return tx.get<ApiSnapshot>(K.snapshot, restApiId, deploymentId);
}

/** Deployment.apiSummary: path → method → {authorizationType, apiKeyRequired}. */
export function apiSummary(s: ApiSnapshot): Record<string, Record<string, { authorizationType?: string; apiKeyRequired?: boolean }>> {
  const out: Record<string, Record<string, { authorizationType?: string; apiKeyRequired?: boolean }>> = {};
  for (const r of s.resources) {
    if (!r.resourceMethods) continue;
    const rec: Record<string, { authorizationType?: string; apiKeyRequired?: boolean }> = {};
    for (const [verb, m] of Object.entries(r.resourceMethods)) rec[verb] = { authorizationType: m.authorizationType, apiKeyRequired: m.apiKeyRequired ?? false };
    out[r.path!] = rec;
  }
  return out;
}
