// SQLite implementation of Store (better-sqlite3, WAL). better-sqlite3 is synchronous, so a
// transaction is BEGIN IMMEDIATE … COMMIT around the caller's async function; writers of this
// process are serialised by a promise chain so two requests never interleave inside one
// transaction, and BEGIN IMMEDIATE serialises them with other processes on the same file.
//
// Reads run on other connections than the writer's, so a read during an awaiting write sees
// only committed rows: on a file, each read() holds a WAL read transaction on a pooled
// connection (one snapshot); ':memory:' has one connection only (better-sqlite3 builds
// SQLite without URI filenames, so no second connection can reach the same memory database),
// and there a read statement waits until no other write transaction is open.
import { AsyncLocalStorage } from 'node:async_hooks';
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { checkDigest } from './blob-digest.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import type { AggregateRow, AuditRow, Change, ChangeLogOptions, ChangePage, ListOptions, ListPage, Located, ReadTx, Store, WriteTx } from './types.ts';

export { InvalidCursorError } from './cursor.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS docs (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  partition TEXT NOT NULL,
  kind TEXT NOT NULL,
  parent TEXT NOT NULL,
  id TEXT NOT NULL,
  body TEXT NOT NULL,
  UNIQUE (partition, kind, parent, id)
);
CREATE INDEX IF NOT EXISTS docs_list ON docs (partition, kind, parent, seq);
CREATE INDEX IF NOT EXISTS docs_locate ON docs (kind, id);
CREATE TABLE IF NOT EXISTS changes (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  partition TEXT NOT NULL,
  kind TEXT NOT NULL,
  parent TEXT NOT NULL,
  id TEXT NOT NULL,
  op TEXT NOT NULL,
  at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS blobs (
  sha256 TEXT PRIMARY KEY,
  bytes BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS audit (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  partition TEXT NOT NULL,
  event_id TEXT NOT NULL UNIQUE,
  at INTEGER NOT NULL,
  name TEXT NOT NULL,
  source TEXT NOT NULL,
  username TEXT NOT NULL,
  access_key TEXT NOT NULL,
  read_only INTEGER NOT NULL,
  resources TEXT NOT NULL,
  body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_time ON audit (partition, at);
CREATE TABLE IF NOT EXISTS metric_minutes (
  partition TEXT NOT NULL,
  namespace TEXT NOT NULL,
  series TEXT NOT NULL,
  minute INTEGER NOT NULL,
  writer TEXT NOT NULL,
  data TEXT NOT NULL,
  PRIMARY KEY (partition, namespace, minute, series, writer)
);
`;

type Row = { seq: number; body: string };

export interface SqliteStoreOptions {
  /** Caps the database at this many pages (PRAGMA max_page_count): a quota, and how tests reach a full disk. */
  maxPageCount?: number;
  changeLog?: ChangeLogOptions;
}

/** Read connections held open between reads; more are opened while more reads are in flight. */
const IDLE_READERS = 4;
/** Reads in flight beyond this share one connection, read committed per statement (bounds file descriptors). */
const MAX_READERS = 16;
/** How long BEGIN IMMEDIATE keeps retrying while another process holds the write lock. */
const WRITE_LOCK_WAIT_MS = 10_000;

export function openSqliteStore(dataDir: string, options: SqliteStoreOptions = {}): Store {
  const memory = dataDir === ':memory:';
  let file = ':memory:';
  if (!memory) {
    mkdirSync(dataDir, { recursive: true });
    file = join(dataDir, 'gatehouse.db');
  }
  const keepRows = options.changeLog?.keepRows ?? 10_000;
  const keepMs = options.changeLog?.keepMs ?? 600_000;
  const pruneEvery = Math.max(1, options.changeLog?.pruneEvery ?? 100);

  const db = new Database(file);
  db.pragma('busy_timeout = 5000');
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(SCHEMA);
  // The writer waits for another process's write lock by retrying asynchronously (beginWrite),
  // not in SQLite's busy handler, which would block this process's event loop meanwhile.
  db.pragma('busy_timeout = 0');
  if (options.maxPageCount !== undefined) db.pragma(`max_page_count = ${Math.max(1, Math.floor(options.maxPageCount))}`);

  const w = prepareReads(db);
  const q = {
    put: db.prepare('INSERT INTO docs (partition, kind, parent, id, body) VALUES (?, ?, ?, ?, ?) ON CONFLICT (partition, kind, parent, id) DO UPDATE SET body=excluded.body'),
    insert: db.prepare('INSERT INTO docs (partition, kind, parent, id, body) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING'),
    del: db.prepare('DELETE FROM docs WHERE partition=? AND kind=? AND parent=? AND id=?'),
    delChildren: db.prepare<[string, string], { kind: string; id: string }>('DELETE FROM docs WHERE partition=? AND parent=? RETURNING kind, id'),
    delChildrenKind: db.prepare<[string, string, string], { kind: string; id: string }>(
      'DELETE FROM docs WHERE partition=? AND parent=? AND kind=? RETURNING kind, id'),
    change: db.prepare('INSERT INTO changes (partition, kind, parent, id, op, at) VALUES (?, ?, ?, ?, ?, ?)'),
    prune: db.prepare('DELETE FROM changes WHERE seq <= ? AND at <= ?'),
    clear: db.prepare('DELETE FROM docs'),
    clearBlobs: db.prepare('DELETE FROM blobs'),
    putBlob: db.prepare('INSERT INTO blobs (sha256, bytes) VALUES (?, ?) ON CONFLICT DO NOTHING'),
    deleteBlob: db.prepare('DELETE FROM blobs WHERE sha256=?'),
    audit: db.prepare(`INSERT INTO audit (partition, event_id, at, name, source, username, access_key, read_only, resources, body)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (event_id) DO UPDATE SET resources=excluded.resources, body=excluded.body`),
    pruneAudit: db.prepare('DELETE FROM audit WHERE at < ?'),
    clearAudit: db.prepare('DELETE FROM audit'),
    putAggregate: db.prepare(`INSERT INTO metric_minutes (partition, namespace, series, minute, writer, data) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (partition, namespace, minute, series, writer) DO UPDATE SET data=excluded.data`),
    pruneAggregates: db.prepare('DELETE FROM metric_minutes WHERE minute < ?'),
    clearAggregates: db.prepare('DELETE FROM metric_minutes'),
  };
  const auditArgs = (e: AuditRow) => [e.partition, e.eventId, e.eventTime, e.eventName, e.eventSource, e.username, e.accessKeyId, e.readOnly ? 1 : 0, `|${e.resources.join('|')}|`, e.body];
  const begin = db.prepare('BEGIN IMMEDIATE');
  const commit = db.prepare('COMMIT');
  const rollback = db.prepare('ROLLBACK');

  // --- reads -------------------------------------------------------------------------------

  // ':memory:': the open write transaction (if any), and the async context of its fn. The storage
  // is disabled again when the transaction's fn has finished: while one is enabled, Node runs
  // promise hooks on every promise of the process (2.7x the cost of an await, measured), which
  // would tax every request served after the first write.
  const inWrite = new AsyncLocalStorage<symbol>();
  let writing: { token: symbol; done: Promise<void> } | undefined;
  /** Resolves when no other write transaction is open on the shared ':memory:' connection. */
  async function committedOnly(): Promise<void> {
    while (writing !== undefined && inWrite.getStore() !== writing.token) await writing.done;
  }

  const idle: Reads[] = [];
  let readers = 0;
  let shared: Reads | undefined;
  function openReader(): Reads {
    const conn = new Database(file);
    conn.pragma('busy_timeout = 5000');
    conn.pragma('query_only = 1');
    return prepareReads(conn);
  }

  /** Runs fn with statements that see committed state only; see the file's header. */
  async function withReads<T>(fn: (r: Reads, before: () => Promise<void>) => Promise<T>): Promise<T> {
    if (closed) throw new Error('store is closed');
    if (memory) return fn(w, committedOnly);
    let r = idle.pop();
    if (r === undefined && readers < MAX_READERS) {
      r = openReader();
      readers++;
    }
    if (r === undefined) return fn((shared ??= openReader()), async () => undefined);
    r.begin.run();
    try {
      return await fn(r, async () => undefined);
    } finally {
      r.commit.run();
      if (idle.length < IDLE_READERS && !closed) idle.push(r);
      else {
        r.conn.close();
        readers--;
      }
    }
  }

  function readTx(r: Reads, partition: string, before: () => Promise<void>, isOpen: () => void): ReadTx {
    return {
      async get<T>(kind: string, parent: string, id: string) {
        isOpen();
        await before();
        const row = r.get.get(partition, kind, parent, id);
        return row === undefined ? undefined : (JSON.parse(row.body) as T);
      },
      async list<T>(kind: string, parent: string, options: ListOptions = {}): Promise<ListPage<T>> {
        isOpen();
        const after = options.after === undefined ? 0 : decodeCursor(options.after);
        const limit = options.limit ?? -1;
        // Fetch one more than asked to know whether another page follows.
        const fetch = limit < 0 ? -1 : limit + 1;
        await before();
        const rows = options.prefix === undefined
          ? r.list.all(partition, kind, parent, after, fetch)
          : r.listPrefix.all(partition, kind, parent, after, options.prefix, options.prefix + '\uffff', fetch);
        const more = limit >= 0 && rows.length > limit;
        if (more) rows.length = limit;
        // limit 0 lists nothing and leaves the position where it was.
        if (more && limit === 0) return { items: [], next: options.after ?? encodeCursor(after) };
        const items = rows.map((row) => JSON.parse(row.body) as T);
        return more ? { items, next: encodeCursor(rows[rows.length - 1]!.seq) } : { items };
      },
      async count(kind: string, parent: string) {
        isOpen();
        await before();
        return r.count.get(partition, kind, parent)!.n;
      },
    };
  }

  // --- writes ------------------------------------------------------------------------------

  function record(changes: Change[], partition: string, kind: string, parent: string, id: string, op: Change['op']): void {
    const seq = Number(q.change.run(partition, kind, parent, id, op, Date.now()).lastInsertRowid);
    changes.push({ seq, partition, kind, parent, id, op });
  }

  function writeTx(partition: string, changes: Change[], isOpen: () => void): WriteTx {
    const now = async () => undefined;
    return {
      ...readTx(w, partition, now, isOpen),
      async put(kind, parent, id, doc) {
        isOpen();
        q.put.run(partition, kind, parent, id, JSON.stringify(doc));
        record(changes, partition, kind, parent, id, 'put');
      },
      async insert(kind, parent, id, doc) {
        isOpen();
        if (q.insert.run(partition, kind, parent, id, JSON.stringify(doc)).changes === 0) return false;
        record(changes, partition, kind, parent, id, 'put');
        return true;
      },
      async delete(kind, parent, id) {
        isOpen();
        if (q.del.run(partition, kind, parent, id).changes === 0) return false;
        record(changes, partition, kind, parent, id, 'delete');
        return true;
      },
      async deleteChildren(parent, kinds) {
        isOpen();
        const gone = kinds === undefined
          ? q.delChildren.all(partition, parent)
          : kinds.flatMap((k) => q.delChildrenKind.all(partition, parent, k));
        for (const d of gone) record(changes, partition, d.kind, parent, d.id, 'delete');
        return gone.length;
      },
      async audit(event) {
        isOpen();
        q.audit.run(...auditArgs(event));
      },
    };
  }

  /** BEGIN IMMEDIATE, waiting (without blocking the event loop) while another process writes. */
  async function beginWrite(): Promise<void> {
    const deadline = Date.now() + WRITE_LOCK_WAIT_MS;
    for (let pause = 1; ; pause = Math.min(pause * 2, 50)) {
      try {
        begin.run();
        return;
      } catch (err) {
        if (!String((err as { code?: string }).code).startsWith('SQLITE_BUSY') || Date.now() > deadline) throw err;
      }
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }

  const listeners = new Set<(changes: readonly Change[]) => void>();
  let commits = 0;
  let chain: Promise<unknown> = Promise.resolve();
  let closed = false;

  /** One write transaction of this process, after the ones queued before it. */
  function transaction<T>(fn: (changes: Change[]) => Promise<T>): Promise<T> {
    const run = async () => {
      if (closed) throw new Error('store is closed');
      await beginWrite();
      const changes: Change[] = [];
      const token = Symbol('write');
      let finished!: () => void;
      writing = { token, done: new Promise<void>((resolve) => (finished = resolve)) };
      try {
        const result = memory ? await inWrite.run(token, () => fn(changes)).finally(() => inWrite.disable()) : await fn(changes);
        if (changes.length > 0 && ++commits % pruneEvery === 0) {
          q.prune.run(lastSeq(w) - keepRows, Date.now() - keepMs);
        }
        commit.run();
        writing = undefined;
        finished();
        if (changes.length > 0) announce(changes);
        return result;
      } catch (err) {
        // SQLite has already rolled back after some errors (SQLITE_FULL, SQLITE_IOERR, ...);
        // a second ROLLBACK would fail and hide the real error behind "no transaction is active".
        if (db.inTransaction) rollback.run();
        writing = undefined;
        finished();
        throw err;
      }
    };
    const p = chain.then(run, run);
    chain = p.catch(() => undefined);
    return p;
  }

  function announce(changes: readonly Change[]): void {
    for (const listener of listeners) {
      try {
        listener(changes);
      } catch {
        // The write has committed; a listener's failure is the listener's to report.
      }
    }
  }

  return {
    async read(partition, fn) {
      return withReads((r, before) => fn(readTx(r, partition, before, () => undefined)));
    },
    write(partition, fn) {
      return transaction(async (changes) => {
        let open = true;
        // A tx kept past its transaction would otherwise write in autocommit mode.
        const isOpen = () => {
          if (!open) throw new Error('write transaction is over');
        };
        try {
          return await fn(writeTx(partition, changes, isOpen));
        } finally {
          open = false;
        }
      });
    },
    async locate(kind, id) {
      return withReads(async (r, before) => {
        await before();
        return r.locate.all(kind, id);
      });
    },
    async scan<T>(kind: string) {
      return withReads(async (r, before) => {
        await before();
        return r.scan.all(kind).map((row) => ({ partition: row.partition, parent: row.parent, id: row.id, doc: JSON.parse(row.body) as T }));
      });
    },
    async changesSince(seq, limit = 1000) {
      return withReads(async (r, before) => {
        await before();
        return changePage(r, seq, limit);
      });
    },
    async lastChange() {
      return withReads(async (r, before) => {
        await before();
        return lastSeq(r);
      });
    },
    onCommit(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async putBlob(sha256, bytes) {
      checkDigest(sha256, bytes);
      await transaction(async () => {
        q.putBlob.run(sha256, bytes);
      });
    },
    async getBlob(sha256) {
      return withReads(async (r, before) => {
        await before();
        return r.getBlob.get(sha256)?.bytes;
      });
    },
    async deleteBlob(sha256) {
      await transaction(async () => {
        q.deleteBlob.run(sha256);
      });
    },
    async appendAudit(event) {
      await transaction(async () => {
        q.audit.run(...auditArgs(event));
      });
    },
    async lookupAudit(query) {
      return withReads(async (r, before) => {
        await before();
        const where = ['partition = ?', 'at >= ?', 'at <= ?'];
        const args: (string | number)[] = [query.partition, query.start, query.end];
        if (query.before !== undefined) {
          where.push('seq < ?');
          args.push(query.before);
        }
        const a = query.attribute;
        if (a !== undefined) {
          const column = { EventName: 'name', EventSource: 'source', Username: 'username', AccessKeyId: 'access_key', EventId: 'event_id' }[a.key as string];
          if (column !== undefined) {
            where.push(`${column} = ?`);
            args.push(a.value);
          } else if (a.key === 'ReadOnly') {
            where.push('read_only = ?');
            args.push(a.value === 'true' ? 1 : 0);
          } else {
            where.push('instr(resources, ?) > 0');
            args.push(`=${a.value}|`);
          }
        }
        args.push(query.limit);
        return r.conn.prepare<(string | number)[], { seq: number; body: string; resources: string }>(`SELECT seq, body, resources FROM audit WHERE ${where.join(' AND ')} ORDER BY seq DESC LIMIT ?`)
          .all(...args).map((row) => ({ seq: row.seq, body: row.body, resources: row.resources.split('|').filter((x) => x !== '') }));
      });
    },
    async auditAfter(seq, limit) {
      return withReads(async (r, before) => {
        await before();
        return r.conn.prepare<[number, number], { seq: number; partition: string; body: string }>('SELECT seq, partition, body FROM audit WHERE seq > ? ORDER BY seq LIMIT ?').all(seq, limit);
      });
    },
    async pruneAudit(beforeMs) {
      return transaction(async () => q.pruneAudit.run(beforeMs).changes);
    },
    async putAggregates(rows) {
      if (rows.length === 0) return;
      await transaction(async () => {
        for (const a of rows) q.putAggregate.run(a.partition, a.namespace, a.series, a.minute, a.writer, a.data);
      });
    },
    async readAggregates(partition, namespace, fromMinute, toMinute, series) {
      return withReads(async (r, before) => {
        await before();
        const sql = `SELECT partition, namespace, series, minute, writer, data FROM metric_minutes WHERE partition=? AND namespace=? AND minute>=? AND minute<=?${series === undefined ? '' : ' AND series=?'}`;
        const args: (string | number)[] = [partition, namespace, fromMinute, toMinute];
        if (series !== undefined) args.push(series);
        return r.conn.prepare<(string | number)[], AggregateRow>(sql).all(...args);
      });
    },
    async listAggregateSeries(partition, namespace, fromMinute) {
      return withReads(async (r, before) => {
        await before();
        return r.conn.prepare<[string, string, number], { series: string; cache: number; throttles: number }>(
          `SELECT series, MAX(CASE WHEN data LIKE '%"hit":0,"miss":0,%' THEN 0 ELSE 1 END) AS cache, MAX(CASE WHEN data LIKE '%"throttles":0,%' THEN 0 ELSE 1 END) AS throttles FROM metric_minutes WHERE partition=? AND namespace=? AND minute>=? GROUP BY series ORDER BY series`).all(partition, namespace, fromMinute)
          .map((x) => ({ series: x.series, cache: x.cache === 1, throttles: x.throttles === 1 }));
      });
    },
    async pruneAggregates(beforeMinute) {
      await transaction(async () => {
        q.pruneAggregates.run(beforeMinute);
      });
    },
    async clear() {
      await transaction(async (changes) => {
        q.clear.run();
        q.clearBlobs.run();
        q.clearAudit.run();
        q.clearAggregates.run();
        record(changes, '', '', '', '', 'clear');
      });
    },
    async close() {
      await chain;
      closed = true;
      for (const r of idle) r.conn.close();
      idle.length = 0;
      shared?.conn.close();
      db.close();
    },
  };
}

/** The statements a read runs, prepared on one connection. */
type Reads = ReturnType<typeof prepareReads>;

function prepareReads(conn: Database.Database) {
  return {
    conn,
    get: conn.prepare<[string, string, string, string], Row>('SELECT seq, body FROM docs WHERE partition=? AND kind=? AND parent=? AND id=?'),
    list: conn.prepare<[string, string, string, number, number], Row>(
      'SELECT seq, body FROM docs WHERE partition=? AND kind=? AND parent=? AND seq>? ORDER BY seq LIMIT ?'),
    listPrefix: conn.prepare<[string, string, string, number, string, string, number], Row>(
      'SELECT seq, body FROM docs WHERE partition=? AND kind=? AND parent=? AND seq>? AND id>=? AND id<? ORDER BY seq LIMIT ?'),
    count: conn.prepare<[string, string, string], { n: number }>('SELECT count(*) AS n FROM docs WHERE partition=? AND kind=? AND parent=?'),
    locate: conn.prepare<[string, string], Located>('SELECT partition, parent FROM docs WHERE kind=? AND id=?'),
    scan: conn.prepare<[string], Located & { id: string; body: string }>('SELECT partition, parent, id, body FROM docs WHERE kind=? ORDER BY seq'),
    changes: conn.prepare<[number, number], Change>(
      'SELECT seq, partition, kind, parent, id, op FROM changes WHERE seq>? ORDER BY seq LIMIT ?'),
    oldest: conn.prepare<[], { m: number | null }>('SELECT min(seq) AS m FROM changes'),
    // AUTOINCREMENT's counter: still the newest seq after the rows themselves were pruned.
    last: conn.prepare<[], { seq: number }>("SELECT seq FROM sqlite_sequence WHERE name='changes'"),
    getBlob: conn.prepare<[string], { bytes: Buffer }>('SELECT bytes FROM blobs WHERE sha256=?'),
    begin: conn.prepare('BEGIN'),
    commit: conn.prepare('COMMIT'),
  };
}

function lastSeq(r: Reads): number {
  return r.last.get()?.seq ?? 0;
}

function changePage(r: Reads, seq: number, limit: number): ChangePage {
  // One statement at a time may interleave with another process's commit: read the page first,
  // so a prune after it can only make `truncated` err towards true.
  const changes = r.changes.all(seq, Math.max(1, limit));
  const oldest = r.oldest.get()?.m ?? null;
  const truncated = oldest === null ? seq < lastSeq(r) : seq < oldest - 1;
  return { changes, last: changes.length > 0 ? changes[changes.length - 1]!.seq : seq, truncated };
}
