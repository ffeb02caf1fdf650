// Resources: the path tree of a REST API.
import type { Method, Resource } from '../../model/generated/types.ts';
import type { ReadTx, WriteTx } from '../../store/index.ts';
import type { HandlerTable } from '../context.ts';
import { badRequest } from '../errors.ts';
import { newId } from '../ids.ts';
import { K } from '../kinds.ts';
import { pageArray } from '../paging.ts';
import { applyPatch, field, type PatchRule } from '../patch.ts';
import { getResource, methodsByResource, publicMethod, type StoredResource } from './lookups.ts';
import { addResource, isVariable, removeResource, repathResources } from './resource-paths.ts';

// API Gateway: letters, digits, '.', '_', '-' (and ':' as AWS later allowed), or one {variable}
// segment, optionally greedy {name+}.
const PATH_PART = /^(?:[A-Za-z0-9._:-]+|\{[A-Za-z0-9._-]+\+?\})$/;

export function checkPathPart(pathPart: string): void {
  if (!PATH_PART.test(pathPart)) {
    throw badRequest(
      "Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning and the end and an optional plus sign before the closing brace.",
    );
  }
}

function childPath(parentPath: string, pathPart: string): string {
  return parentPath === '/' ? `/${pathPart}` : `${parentPath}/${pathPart}`;
}

async function children(tx: ReadTx, restApiId: string, parentId: string): Promise<StoredResource[]> {
  const { items } = await tx.list<StoredResource>(K.resource, restApiId);
  return items.filter((r) => r.parentId === parentId);
}

/**
 * Checks the rules of placing `pathPart` under `parent` that the path index does not hold. A
 * taken path and a second variable sibling are refused by the index (resource-paths.ts); the
 * sibling scan stays for variable siblings written before the index had their slot.
 */
async function checkPlacement(tx: ReadTx, restApiId: string, parent: StoredResource, pathPart: string, selfId?: string): Promise<void> {
  if (parent.pathPart !== undefined && /\+\}$/.test(parent.pathPart)) {
    throw badRequest(`Cannot create a child of a resource with a greedy path variable: ${parent.pathPart}`);
  }
  if (!isVariable(pathPart)) return;
  const siblings = (await children(tx, restApiId, parent.id!)).filter((s) => s.id !== selfId && s.pathPart !== pathPart);
  const variable = siblings.find((s) => isVariable(s.pathPart));
  if (variable !== undefined) {
    throw badRequest(`A sibling (${variable.pathPart}) of this resource already has a variable path part -- only one is allowed`);
  }
}

export async function createRootResource(tx: WriteTx, restApiId: string, id = newId()): Promise<StoredResource> {
  const root: StoredResource = { id, path: '/' };
  await addResource(tx, restApiId, root);
  return root;
}

export async function insertResource(tx: WriteTx, restApiId: string, parent: StoredResource, pathPart: string, id = newId()): Promise<StoredResource> {
  checkPathPart(pathPart);
  await checkPlacement(tx, restApiId, parent, pathPart);
  const r: StoredResource = { id, parentId: parent.id, pathPart, path: childPath(parent.path!, pathPart) };
  await addResource(tx, restApiId, r);
  return r;
}

/** `r` (already given its new parent and path part) and its subtree with paths re-derived under `parentPath`. */
function repathed(all: readonly StoredResource[], r: StoredResource, parentPath: string): StoredResource[] {
  const moved = { ...r, path: childPath(parentPath, r.pathPart!) };
  return [moved, ...all.filter((c) => c.parentId === r.id).flatMap((c) => repathed(all, c, moved.path))];
}

function subtree(all: readonly StoredResource[], r: StoredResource): StoredResource[] {
  return all.filter((x) => x.path === r.path || x.path!.startsWith(r.path + '/'));
}

export async function withMethods(tx: ReadTx, restApiId: string, r: StoredResource, embed: boolean): Promise<Resource> {
  const { items } = await tx.list<Method & { resourceId: string }>(K.method, restApiId, { prefix: `${r.id}/` });
  if (items.length === 0) return r;
  const resourceMethods: Record<string, Method> = {};
  for (const m of items) resourceMethods[m.httpMethod!] = embed ? publicMethod(m) : {};
  return { ...r, resourceMethods };
}

// In the order AWS lists them in its error message.
const updateRules: PatchRule<StoredResource>[] = [field('parentId'), field('pathPart')];

export const resourceHandlers: HandlerTable = {
  async CreateResource(input, ctx) {
    return ctx.write(async (tx) => {
      const parent = await getResource(tx, input.restApiId, input.parentId);
      return insertResource(tx, input.restApiId, parent, input.pathPart);
    });
  },

  async GetResource(input, ctx) {
    return ctx.read(async (tx) => {
      const r = await getResource(tx, input.restApiId, input.resourceId);
      return withMethods(tx, input.restApiId, r, input.embed?.includes('methods') ?? false);
    });
  },

  async GetResources(input, ctx) {
    return ctx.read(async (tx) => {
      const embed = input.embed?.includes('methods') ?? false;
      const { items } = await tx.list<StoredResource>(K.resource, input.restApiId);
      const page = pageArray(items, input);
      const methods = await methodsByResource(tx, input.restApiId, embed);
      return {
        ...page,
        items: page.items.map((r) => {
          const m = methods.get(r.id!);
          return m === undefined ? r : { ...r, resourceMethods: m };
        }),
      };
    });
  },

  async UpdateResource(input, ctx) {
    return ctx.write(async (tx) => {
      const r = await getResource(tx, input.restApiId, input.resourceId);
      const next = applyPatch(r, input.patchOperations, updateRules);
      if (r.parentId === undefined) {
        const field = (input.patchOperations ?? []).map((p: { path?: string }) => p.path).find((p) => p === '/pathPart' || p === '/parentId');
        if (field !== undefined) throw badRequest(`Root resource cannot update its ${field.slice(1)}.`);
      }
      if (next.pathPart === r.pathPart && next.parentId === r.parentId) return withMethods(tx, input.restApiId, r, false);
      checkPathPart(next.pathPart!);
      const parent = await getResource(tx, input.restApiId, next.parentId!);
      // A resource cannot move under itself or its own subtree.
      if (parent.path === r.path || parent.path!.startsWith(r.path + '/')) {
        throw badRequest('Resources cannot be cyclical.');
      }
      await checkPlacement(tx, input.restApiId, parent, next.pathPart!, r.id);
      const { items: all } = await tx.list<StoredResource>(K.resource, input.restApiId);
      const after = repathed(all, { ...r, pathPart: next.pathPart, parentId: next.parentId }, parent.path!);
      await repathResources(tx, input.restApiId, subtree(all, r), after);
      return withMethods(tx, input.restApiId, after[0]!, false);
    });
  },

  async DeleteResource(input, ctx) {
    await ctx.write(async (tx) => {
      const r = await getResource(tx, input.restApiId, input.resourceId);
      if (r.parentId === undefined) throw badRequest('Cannot delete the root resource of an API');
      const { items: all } = await tx.list<StoredResource>(K.resource, input.restApiId);
      for (const d of subtree(all, r)) {
        await removeResource(tx, input.restApiId, d);
        const { items: methods } = await tx.list<Method>(K.method, input.restApiId, { prefix: `${d.id}/` });
        for (const m of methods) await tx.delete(K.method, input.restApiId, `${d.id}/${m.httpMethod}`);
      }
    });
  },
};
