// Paging as every API Gateway list operation does it: `limit` (default 25, at most 500) and an
// opaque `position`; the page comes back as {position, item: [...]}.
import type { ListOptions, ReadTx } from '../store/index.ts';
import { InvalidCursorError } from '../store/index.ts';
import { badRequest } from './errors.ts';

export const DEFAULT_LIMIT = 25;
export const MAX_LIMIT = 500;

export interface PageInput {
  limit?: number;
  position?: string;
}

export interface Page<T> {
  position?: string;
  items: T[];
}

export function pageLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_LIMIT;
  if (limit < 1 || limit > MAX_LIMIT) {
    throw badRequest(`1 validation error detected: Value '${limit}' at 'limit' failed to satisfy constraint: Member must have value less than or equal to ${MAX_LIMIT} and greater than or equal to 1`);
  }
  return limit;
}

export async function listPage<T>(tx: ReadTx, kind: string, parent: string, input: PageInput, options: ListOptions = {}): Promise<Page<T>> {
  try {
    const page = await tx.list<T>(kind, parent, { ...options, limit: pageLimit(input.limit), after: input.position });
    return page.next === undefined ? { items: page.items } : { position: page.next, items: page.items };
  } catch (err) {
    if (err instanceof InvalidCursorError) throw badRequest('Invalid position parameter');
    throw err;
  }
}

/** Pages an in-memory list (for lists that are filtered or built before paging). */
export function pageArray<T>(all: readonly T[], input: PageInput): Page<T> {
  const limit = pageLimit(input.limit);
  let start = 0;
  if (input.position !== undefined) {
    const text = Buffer.from(input.position, 'base64url').toString();
    start = text.startsWith('i') ? Number(text.slice(1)) : NaN;
    if (!Number.isSafeInteger(start) || start < 0) throw badRequest('Invalid position parameter');
  }
  const items = all.slice(start, start + limit);
  const end = start + items.length;
  return end < all.length ? { position: Buffer.from(`i${end}`).toString('base64url'), items } : { items };
}
