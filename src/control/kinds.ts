// What the management API does with the kind table (src/kinds.ts): delete what goes with a
// REST API or a domain name, and fill in a kind's NotFoundException message.
import { deletedWith, KINDS, type KindName, type Owner } from '../kinds.ts';
import type { WriteTx } from '../store/index.ts';

export { K, KINDS } from '../kinds.ts';

/**
 * Deletes, inside the caller's transaction, every document the table says goes with the owner
 * `ownerId` (its stored id) whose document is `owner`; the owner itself stays for the caller.
 */
export async function deleteOwned(tx: WriteTx, owner: Owner, ownerId: string, ownerDoc: object): Promise<void> {
  const underParent: string[] = [];
  for (const row of deletedWith(owner)) {
    const c = row.deletedWith!;
    if (c.by === 'parent') underParent.push(row.kind);
    else if (c.by === 'id') await tx.delete(row.kind, '', ownerId);
    else {
      const value = (ownerDoc as Record<string, unknown>)[c.ownerField];
      if (value === undefined) continue;
      for (const doc of await listAll(tx, row.kind, '')) {
        if (doc[c.field] === value) await tx.delete(row.kind, '', String(doc[c.idField]));
      }
    }
  }
  if (underParent.length > 0) await tx.deleteChildren(ownerId, underParent);
}

async function listAll(tx: WriteTx, kind: string, parent: string): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  let after: string | undefined;
  do {
    const page = await tx.list<Record<string, unknown>>(kind, parent, { after, limit: 500 });
    out.push(...page.items);
    after = page.next;
  } while (after !== undefined);
  return out;
}

/** The kind's NotFoundException message for the document `id` of `accountId`. */
export function notFoundMessage(name: KindName, id: string, accountId = ''): string {
  const template: string | null = KINDS[name].notFound;
  if (template === null) throw new Error(`the kind table has no NotFound message for ${name}`);
  return template.replaceAll('{account}', accountId).replaceAll('{id}', id);
}
