// The configuration store. Documents are JSON values addressed by
// (partition, kind, parent, id): partition is `${accountId}/${region}`, kind names the resource
// family ('restapi', 'resource', 'method', ...), parent groups children (usually the owning
// RestApi's id). Lists come back in insertion order, which is the order AWS lists in.
//
// The interface is async so that a PostgreSQL implementation can stand behind it; every
// mutation runs inside one `write` transaction so a failed request never half-writes.

export interface ListOptions {
  /** Only ids starting with this prefix. */
  readonly prefix?: string;
  /** Opaque cursor from a previous page (`ListPage.next`). */
  readonly after?: string;
  readonly limit?: number;
}

export interface ListPage<T> {
  readonly items: T[];
  /** Cursor for the next page; undefined on the last page. */
  readonly next?: string;
}

export interface ReadTx {
  get<T>(kind: string, parent: string, id: string): Promise<T | undefined>;
  list<T>(kind: string, parent: string, options?: ListOptions): Promise<ListPage<T>>;
  count(kind: string, parent: string): Promise<number>;
}

export interface WriteTx extends ReadTx {
  /** Inserts or replaces; a replaced document keeps its place in list order. */
  put(kind: string, parent: string, id: string, doc: unknown): Promise<void>;
  delete(kind: string, parent: string, id: string): Promise<boolean>;
  /** Deletes every document of the given kinds under `parent` (all kinds when omitted). */
  deleteChildren(parent: string, kinds?: readonly string[]): Promise<number>;
}

export interface Located {
  readonly partition: string;
  readonly parent: string;
}

export interface Store {
  read<T>(partition: string, fn: (tx: ReadTx) => Promise<T>): Promise<T>;
  /** Runs `fn` in one transaction: all its writes commit together or none does. */
  write<T>(partition: string, fn: (tx: WriteTx) => Promise<T>): Promise<T>;
  /** Finds a document by kind and id in any partition (ids such as RestApi ids are global). */
  locate(kind: string, id: string): Promise<Located[]>;
  /** Empties every partition (POST /_gatehouse/reset). */
  clear(): Promise<void>;
  close(): Promise<void>;
}

export class StoreError extends Error {
  readonly code = 'GH_ERR_STORE';
}
