// What the account-level resources (API keys, usage plans, client certificates, VPC links)
// share: their store kinds, their NotFound lookups, tag checks and paging through a filter.
import type { ApiKey, ClientCertificate, UsagePlan, VpcLink } from '../../model/generated/types.ts';
import type { ReadTx } from '../../store/index.ts';
import { InvalidCursorError } from '../../store/index.ts';
import { badRequest, notFound } from '../errors.ts';
import { K, notFoundMessage } from '../kinds.ts';
import { pageLimit, type Page, type PageInput } from '../paging.ts';

/** Store kinds of this family (rows of src/kinds.ts, where each is described). */
export const KK = {
  apiKey: K.apiKey,
  apiKeyValue: K.apiKeyValue,
  apiKeyName: K.apiKeyName,
  usagePlan: K.usagePlan,
  usagePlanKey: K.usagePlanKey,
  keyPlan: K.keyPlan,
  usageAdjustment: K.usageAdjustment,
  clientCertificate: K.clientCertificate,
  clientCertificateKey: K.clientCertificateKey,
  vpcLink: K.vpcLink,
} as const;

export async function getApiKeyDoc(tx: ReadTx, id: string): Promise<ApiKey> {
  const k = await tx.get<ApiKey>(KK.apiKey, '', id);
  if (k === undefined) throw notFound(notFoundMessage('apiKey', id));
  return k;
}

export async function getUsagePlanDoc(tx: ReadTx, id: string): Promise<UsagePlan> {
  const p = await tx.get<UsagePlan>(KK.usagePlan, '', id);
  if (p === undefined) throw notFound(notFoundMessage('usagePlan', id));
  return p;
}

export async function getClientCertificateDoc(tx: ReadTx, id: string): Promise<ClientCertificate> {
  const c = await tx.get<ClientCertificate>(KK.clientCertificate, '', id);
  if (c === undefined) throw notFound(notFoundMessage('clientCertificate', id));
  return c;
}

export async function getVpcLinkDoc(tx: ReadTx, id: string): Promise<VpcLink> {
  const v = await tx.get<VpcLink>(KK.vpcLink, '', id);
  if (v === undefined) throw notFound(notFoundMessage('vpcLink', id));
  return v;
}

// ---------------------------------------------------------------- tags

export const MAX_TAGS = 50;

/** API Gateway's tag rules: keys 1-128 characters not starting with aws:, values up to 256. */
export function checkTags(tags: Record<string, string> | undefined): void {
  if (tags === undefined) return;
  const keys = Object.keys(tags);
  if (keys.length > MAX_TAGS) throw badRequest(`Too many tags specified. A resource can have at most ${MAX_TAGS} tags`);
  for (const k of keys) {
    if (k.length < 1 || k.length > 128) throw badRequest(`Invalid tag key '${k}': a tag key must be between 1 and 128 characters`);
    if (k.toLowerCase().startsWith('aws:')) throw badRequest(`Invalid tag key '${k}': the prefix aws: is reserved for AWS use`);
    const v = tags[k];
    if (typeof v !== 'string' || v.length > 256) throw badRequest(`Invalid tag value for key '${k}': a tag value can be at most 256 characters`);
  }
}

/** Copies tags onto a new document only when there are some (AWS omits an empty map). */
export function withTags<T extends { tags?: Record<string, string> }>(doc: T, tags: Record<string, string> | undefined): T {
  checkTags(tags);
  if (tags !== undefined && Object.keys(tags).length > 0) doc.tags = { ...tags };
  return doc;
}

// ---------------------------------------------------------------- paging through a filter

const SCAN_BATCH = 500;

interface ScanCursor {
  /** store cursor of the batch the page stopped in (undefined: the first batch) */
  a?: string;
  /** items of that batch already consumed */
  s: number;
}

function encodeScan(c: ScanCursor): string {
  return Buffer.from('f' + JSON.stringify(c)).toString('base64url');
}

function decodeScan(position: string | undefined): ScanCursor {
  if (position === undefined) return { s: 0 };
  const text = Buffer.from(position, 'base64url').toString();
  try {
    if (!text.startsWith('f')) throw new Error();
    const c = JSON.parse(text.slice(1)) as ScanCursor;
    if (!Number.isSafeInteger(c.s) || c.s < 0 || c.s >= SCAN_BATCH || (c.a !== undefined && typeof c.a !== 'string')) throw new Error();
    return c;
  } catch {
    throw badRequest('Invalid position parameter');
  }
}

/**
 * Pages a store list through `resolve` (which maps a stored item to an output item, or drops
 * it with undefined), reading the store in fixed batches so each page costs what it returns
 * plus what the filter skips, never a load of the whole list.
 */
export async function scanPage<S, T>(
  tx: ReadTx,
  kind: string,
  parent: string,
  input: PageInput,
  resolve: (item: S) => Promise<T | undefined> | T | undefined,
  prefix?: string,
): Promise<Page<T>> {
  const limit = pageLimit(input.limit);
  let { a: after, s: skip } = decodeScan(input.position);
  const items: T[] = [];
  for (;;) {
    let batch;
    try {
      batch = await tx.list<S>(kind, parent, { after, limit: SCAN_BATCH, ...(prefix !== undefined ? { prefix } : {}) });
    } catch (err) {
      if (err instanceof InvalidCursorError) throw badRequest('Invalid position parameter');
      throw err;
    }
    for (let i = skip; i < batch.items.length; i++) {
      const out = await resolve(batch.items[i]!);
      if (out === undefined) continue;
      items.push(out);
      if (items.length === limit) {
        if (i + 1 < batch.items.length) return { items, position: encodeScan({ ...(after !== undefined ? { a: after } : {}), s: i + 1 }) };
        if (batch.next === undefined) return { items };
        return { items, position: encodeScan({ a: batch.next, s: 0 }) };
      }
    }
    if (batch.next === undefined) return { items };
    after = batch.next;
    skip = 0;
  }
}

/** Every item of a store list (for small per-parent lists such as one key's plans). */
export async function listAll<T>(tx: ReadTx, kind: string, parent: string): Promise<T[]> {
  return (await tx.list<T>(kind, parent)).items;
}
