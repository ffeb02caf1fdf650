// The configuration store. Documents are JSON values addressed by
// (partition, kind, parent, id): partition is `${accountId}/${region}`, kind names the resource
// family ('restapi', 'resource', 'method', ...), parent groups children (usually the owning
// RestApi's id). Lists come back in insertion order, which is the order AWS lists in.
//
// The interface is async so that a PostgreSQL implementation can stand behind it; every
// mutation runs inside one `write` transaction so a failed request never half-writes.
//
// Isolation, on every implementation: a read never sees another transaction's uncommitted
// writes, and sees every write committed before it started, by any process sharing the store.
// - `read()` sees one consistent snapshot for all its statements (PostgreSQL: a REPEATABLE READ
//   READ ONLY transaction; SQLite on a file: a WAL read transaction on a pooled connection).
//   Exception, SQLite ':memory:': each statement sees the latest committed state (read
//   committed per statement), and a read issued from inside a write's own `fn` sees that
//   write's changes (there is one connection; waiting would deadlock).
// - `write()` transactions of one partition are serialised, across processes too, so a
//   read-modify-write inside `fn` never loses an update. `tx` reads inside `fn` see the
//   transaction's own writes.
// - `locate`, `changesSince`, `lastChange` and `getBlob` see committed state.

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
  /** Inserts only when no document has this address: true when inserted, false when one exists.
   *  Uniqueness rests on this (the database's unique key), never on a read before a put. */
  insert(kind: string, parent: string, id: string, doc: unknown): Promise<boolean>;
  delete(kind: string, parent: string, id: string): Promise<boolean>;
  /** Deletes every document of the given kinds under `parent` (all kinds when omitted). */
  deleteChildren(parent: string, kinds?: readonly string[]): Promise<number>;
  /** Records an audit event (src/audit) in this transaction: it commits with the change or not at
   *  all. A second event of the same eventId replaces the first (one record per call). Not in
   *  the change log. */
  audit(event: AuditRow): Promise<void>;
}

/** One CloudTrail event as the store keeps it: the fields LookupEvents filters on, and the record. */
export interface AuditRow {
  readonly partition: string;
  readonly eventId: string;
  /** Epoch ms. */
  readonly eventTime: number;
  readonly eventName: string;
  readonly eventSource: string;
  readonly username: string;
  readonly accessKeyId: string;
  readonly readOnly: boolean;
  /** The resources the call touched, each `Type=Name` (ResourceName lookups match the name). */
  readonly resources: readonly string[];
  /** The CloudTrail record, as JSON text. */
  readonly body: string;
}

export interface AuditQuery {
  readonly partition: string;
  /** Epoch ms, inclusive. */
  readonly start: number;
  readonly end: number;
  readonly attribute?: { readonly key: 'EventName' | 'EventSource' | 'Username' | 'AccessKeyId' | 'ReadOnly' | 'ResourceName' | 'EventId'; readonly value: string };
  /** Events older (in store order) than this cursor, from a previous page. */
  readonly before?: number;
  readonly limit: number;
}

/** One writer's aggregate of one metric series over one minute (src/metrics). */
export interface AggregateRow {
  readonly partition: string;
  readonly namespace: string;
  /** The series: its dimensions, canonical. */
  readonly series: string;
  /** Epoch minutes. */
  readonly minute: number;
  /** The process that aggregated it: rows of several processes add up. */
  readonly writer: string;
  readonly data: string;
}

export interface Located {
  readonly partition: string;
  readonly parent: string;
}

export interface Scanned<T> extends Located {
  readonly id: string;
  readonly doc: T;
}

/** One committed change, in the store's change log. Every put, insert, delete and
 *  deleteChildren of a write transaction adds its rows in that same transaction, so no write
 *  can forget to announce itself; `clear` adds one row of op 'clear'. */
export interface Change {
  /** Increases with every change; a process follows the log by the last seq it has seen. */
  readonly seq: number;
  readonly partition: string;
  readonly kind: string;
  readonly parent: string;
  readonly id: string;
  readonly op: 'put' | 'delete' | 'clear';
}

export interface ChangePage {
  readonly changes: Change[];
  /** The seq to ask from next time (the last change's, or the argument when there was none). */
  readonly last: number;
  /** The log no longer holds every change after the seq asked from (it was pruned): the
   *  caller missed changes it cannot list and must treat everything as changed. */
  readonly truncated: boolean;
}

/** How long the change log keeps changes: a change is pruned once it is both older than
 *  keepMs and not among the newest keepRows. Tests make these small to reach truncation. */
export interface ChangeLogOptions {
  /** The newest this many changes are always kept (default 10,000). */
  readonly keepRows?: number;
  /** Changes younger than this are always kept (default 10 minutes). */
  readonly keepMs?: number;
  /** Prune every this many committing writes of this process (default 100). */
  readonly pruneEvery?: number;
}

export interface Store {
  read<T>(partition: string, fn: (tx: ReadTx) => Promise<T>): Promise<T>;
  /** Runs `fn` in one transaction: all its writes commit together or none does. */
  write<T>(partition: string, fn: (tx: WriteTx) => Promise<T>): Promise<T>;
  /** Finds a document by kind and id in any partition (ids such as RestApi ids are global). */
  locate(kind: string, id: string): Promise<Located[]>;
  /** Every document of `kind` in every partition, in insertion order (committed state). For the
   *  few global tables a process keeps in memory, such as custom domain names served by Host. */
  scan<T>(kind: string): Promise<Scanned<T>[]>;
  /** Committed changes after `seq`, oldest first, at most `limit` (default 1000). */
  changesSince(seq: number, limit?: number): Promise<ChangePage>;
  /** The newest change's seq (0 when none): where a process that starts now begins to follow. */
  lastChange(): Promise<number>;
  /** Called in this process after each of its own commits, with that commit's changes (never
   *  for a rolled-back transaction; a listener that throws does not affect the write). */
  onCommit(listener: (changes: readonly Change[]) => void): () => void;
  /** Present when the store can wake followers of the change log on any process's commit
   *  (PostgreSQL LISTEN/NOTIFY): `onWake` is called after commits, possibly coalesced, and once
   *  after a reconnection (commits may have been missed); the caller then reads `changesSince`.
   *  Resolves once listening; the returned function stops it. Without it, poll `changesSince`. */
  notifications?(onWake: () => void): Promise<() => Promise<void>>;
  /** Content-addressed bytes (Lambda code archives): stored once per sha256 hex digest
   *  (lowercase hex; putBlob rejects bytes that do not hash to it, and a second put of one
   *  digest is a no-op). Blobs are not in the change log. */
  putBlob(sha256: string, bytes: Buffer): Promise<void>;
  getBlob(sha256: string): Promise<Buffer | undefined>;
  deleteBlob(sha256: string): Promise<void>;
  /** An audit event of a call that changed nothing (a read, a refused call), alone. */
  appendAudit(event: AuditRow): Promise<void>;
  /** Newest first; each with its cursor for `before` and its resources as written. */
  lookupAudit(query: AuditQuery): Promise<{ seq: number; body: string; resources: string[] }[]>;
  /** Events of every partition after `seq` in store order (oldest first): log shippers' export. */
  auditAfter(seq: number, limit: number): Promise<{ seq: number; partition: string; body: string }[]>;
  /** Deletes events older than `beforeMs`; returns how many. */
  pruneAudit(beforeMs: number): Promise<number>;
  /** Writes (or replaces) per-minute aggregates, keyed by partition, namespace, series, minute and writer. */
  putAggregates(rows: readonly AggregateRow[]): Promise<void>;
  /** Rows of the minutes from..to, of one series when `series` is given. */
  readAggregates(partition: string, namespace: string, fromMinute: number, toMinute: number, series?: string): Promise<AggregateRow[]>;
  /** The series with rows since `fromMinute`: whether any row counted cache lookups or throttles (ListMetrics). */
  listAggregateSeries(partition: string, namespace: string, fromMinute: number): Promise<{ series: string; cache: boolean; throttles: boolean }[]>;
  pruneAggregates(beforeMinute: number): Promise<void>;
  /** Empties every partition (POST /_gatehouse/reset). */
  clear(): Promise<void>;
  close(): Promise<void>;
}

export class StoreError extends Error {
  readonly code: string = 'GH_ERR_STORE';
}

/** The store's database cannot be reached (PostgreSQL down, connection refused or timed out).
 *  Operations fail fast with it rather than hang; the store recovers by itself when the
 *  database is back. The management API answers it with a 5xx. */
export class StoreUnavailableError extends StoreError {
  override readonly code = 'GH_ERR_STORE_UNAVAILABLE';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
