// Finds the method that still refers to an API-level object (authorizer, request validator),
// named the way API Gateway names it in its ConflictException: `${httpMethod}/${resourcePath}`.
import type { Method } from '../../model/generated/types.ts';
import type { ReadTx } from '../../store/index.ts';
import { K } from '../kinds.ts';
import type { StoredResource } from './lookups.ts';

export async function methodReferencing(tx: ReadTx, restApiId: string, uses: (m: Method) => boolean): Promise<string | undefined> {
  const { items } = await tx.list<Method & { resourceId: string }>(K.method, restApiId);
  const m = items.find(uses);
  if (m === undefined) return undefined;
  const r = await tx.get<StoredResource>(K.resource, restApiId, m.resourceId);
  return `${m.httpMethod}/${r?.path ?? m.resourceId}`;
}
