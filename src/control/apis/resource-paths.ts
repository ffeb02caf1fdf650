// The resource-path index of a REST API, kept in step with its resources here and nowhere else:
// full path → {id} (K.resourcePath), and parent path → its one {variable} child
// (K.resourcePathVariable). Every write of a resource goes through these functions. An entry is
// claimed with the store's insert, so of two writers racing for one path (or for the one
// variable child of a parent) exactly one wins, on any store, with no read before the write.
import type { WriteTx } from '../../store/index.ts';
import { badRequest, conflict } from '../errors.ts';
import { K } from '../kinds.ts';
import type { StoredResource } from './lookups.ts';

interface VariableChild {
  id: string;
  pathPart: string;
}

export const isVariable = (pathPart: string | undefined): boolean => pathPart !== undefined && pathPart.startsWith('{');

function parentPath(path: string): string {
  const cut = path.lastIndexOf('/');
  return cut === 0 ? '/' : path.slice(0, cut);
}

/** Claims the index entries of `r`, or throws API Gateway's error for the one already taken. */
async function claim(tx: WriteTx, restApiId: string, r: StoredResource): Promise<void> {
  if (!(await tx.insert(K.resourcePath, restApiId, r.path!, { id: r.id }))) {
    throw conflict(`Another resource with the same parent already has this name: ${r.pathPart ?? '/'}`);
  }
  if (!isVariable(r.pathPart)) return;
  const slot = parentPath(r.path!);
  if (!(await tx.insert(K.resourcePathVariable, restApiId, slot, { id: r.id!, pathPart: r.pathPart! } satisfies VariableChild))) {
    const sibling = await tx.get<VariableChild>(K.resourcePathVariable, restApiId, slot);
    throw badRequest(`A sibling (${sibling?.pathPart}) of this resource already has a variable path part -- only one is allowed`);
  }
}

async function release(tx: WriteTx, restApiId: string, r: StoredResource): Promise<void> {
  await tx.delete(K.resourcePath, restApiId, r.path!);
  if (!isVariable(r.pathPart)) return;
  const slot = parentPath(r.path!);
  // Resources written before this index existed have no slot; never drop another's.
  if ((await tx.get<VariableChild>(K.resourcePathVariable, restApiId, slot))?.id === r.id) {
    await tx.delete(K.resourcePathVariable, restApiId, slot);
  }
}

/** Stores a new resource (its path must be free: ConflictException otherwise). */
export async function addResource(tx: WriteTx, restApiId: string, r: StoredResource): Promise<void> {
  await claim(tx, restApiId, r);
  await tx.put(K.resource, restApiId, r.id!, r);
}

/**
 * Rewrites resources whose path changed (a renamed or moved resource and its subtree): `before`
 * and `after` hold the same resources with their old and new paths. All old entries go before
 * any new one is claimed, so a subtree never collides with its own old paths.
 */
export async function repathResources(tx: WriteTx, restApiId: string, before: readonly StoredResource[], after: readonly StoredResource[]): Promise<void> {
  for (const r of before) await release(tx, restApiId, r);
  for (const r of after) await addResource(tx, restApiId, r);
}

/** Deletes a resource and its index entries (its methods are the caller's). */
export async function removeResource(tx: WriteTx, restApiId: string, r: StoredResource): Promise<void> {
  await release(tx, restApiId, r);
  await tx.delete(K.resource, restApiId, r.id!);
}

/** Deletes every resource of an API with the index (an import that overwrites the API). */
export async function removeAllResources(tx: WriteTx, restApiId: string): Promise<void> {
  await tx.deleteChildren(restApiId, [K.resource, K.resourcePath, K.resourcePathVariable]);
}
