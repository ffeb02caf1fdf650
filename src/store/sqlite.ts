// SQLite implementation of Store (better-sqlite3, WAL). better-sqlite3 is synchronous, so a
// transaction is BEGIN IMMEDIATE … COMMIT around the caller's async function; writers are
// serialised by a promise chain so two requests never interleave inside one transaction.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ListOptions, ListPage, Located, ReadTx, Store, WriteTx } from './types.ts';

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
`;

type Row = { seq: number; body: string };

export interface SqliteStoreOptions {
  /** Caps the database at this many pages (PRAGMA max_page_count): a quota, and how tests reach a full disk. */
  maxPageCount?: number;
}

export function openSqliteStore(dataDir: string, options: SqliteStoreOptions = {}): Store {
  let file = ':memory:';
  if (dataDir !== ':memory:') {
    mkdirSync(dataDir, { recursive: true });
    file = join(dataDir, 'gatehouse.db');
  }
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.exec(SCHEMA);
  if (options.maxPageCount !== undefined) db.pragma(`max_page_count = ${Math.max(1, Math.floor(options.maxPageCount))}`);

  const q = {
    get: db.prepare<[string, string, string, string], Row>('SELECT seq, body FROM docs WHERE partition=? AND kind=? AND parent=? AND id=?'),
    list: db.prepare<[string, string, string, number, number], Row>(
      'SELECT seq, body FROM docs WHERE partition=? AND kind=? AND parent=? AND seq>? ORDER BY seq LIMIT ?'),
    listPrefix: db.prepare<[string, string, string, number, string, string, number], Row>(
      'SELECT seq, body FROM docs WHERE partition=? AND kind=? AND parent=? AND seq>? AND id>=? AND id<? ORDER BY seq LIMIT ?'),
    count: db.prepare<[string, string, string], { n: number }>('SELECT count(*) AS n FROM docs WHERE partition=? AND kind=? AND parent=?'),
    put: db.prepare('INSERT INTO docs (partition, kind, parent, id, body) VALUES (?, ?, ?, ?, ?) ON CONFLICT (partition, kind, parent, id) DO UPDATE SET body=excluded.body'),
    del: db.prepare('DELETE FROM docs WHERE partition=? AND kind=? AND parent=? AND id=?'),
    delChildren: db.prepare('DELETE FROM docs WHERE partition=? AND parent=?'),
    delChildrenKind: db.prepare('DELETE FROM docs WHERE partition=? AND parent=? AND kind=?'),
    locate: db.prepare<[string, string], Located>('SELECT partition, parent FROM docs WHERE kind=? AND id=?'),
    clear: db.prepare('DELETE FROM docs'),
  };
  const begin = db.prepare('BEGIN IMMEDIATE');
  const commit = db.prepare('COMMIT');
  const rollback = db.prepare('ROLLBACK');

  function readTx(partition: string): ReadTx {
    return {
      async get<T>(kind: string, parent: string, id: string) {
        const row = q.get.get(partition, kind, parent, id);
        return row === undefined ? undefined : (JSON.parse(row.body) as T);
      },
      async list<T>(kind: string, parent: string, options: ListOptions = {}): Promise<ListPage<T>> {
        const after = options.after === undefined ? 0 : decodeCursor(options.after);
        const limit = options.limit ?? -1;
        // Fetch one more than asked to know whether another page follows.
        const fetch = limit < 0 ? -1 : limit + 1;
        const rows = options.prefix === undefined
          ? q.list.all(partition, kind, parent, after, fetch)
          : q.listPrefix.all(partition, kind, parent, after, options.prefix, options.prefix + '\uffff', fetch);
        const more = limit >= 0 && rows.length > limit;
        if (more) rows.length = limit;
        const items = rows.map((r) => JSON.parse(r.body) as T);
        return more ? { items, next: encodeCursor(rows[rows.length - 1]!.seq) } : { items };
      },
      async count(kind: string, parent: string) {
        return q.count.get(partition, kind, parent)!.n;
      },
    };
  }

  function writeTx(partition: string): WriteTx {
    return {
      ...readTx(partition),
      async put(kind, parent, id, doc) {
        q.put.run(partition, kind, parent, id, JSON.stringify(doc));
      },
      async delete(kind, parent, id) {
        return q.del.run(partition, kind, parent, id).changes > 0;
      },
      async deleteChildren(parent, kinds) {
        if (kinds === undefined) return q.delChildren.run(partition, parent).changes;
        let n = 0;
        for (const k of kinds) n += q.delChildrenKind.run(partition, parent, k).changes;
        return n;
      },
    };
  }

  let chain: Promise<unknown> = Promise.resolve();
  let closed = false;

  return {
    async read(partition, fn) {
      return fn(readTx(partition));
    },
    write(partition, fn) {
      const run = async () => {
        if (closed) throw new Error('store is closed');
        begin.run();
        try {
          const result = await fn(writeTx(partition));
          commit.run();
          return result;
        } catch (err) {
          // SQLite has already rolled back after some errors (SQLITE_FULL, SQLITE_IOERR, ...);
          // a second ROLLBACK would fail and hide the real error behind "no transaction is active".
          if (db.inTransaction) rollback.run();
          throw err;
        }
      };
      const p = chain.then(run, run);
      chain = p.catch(() => undefined);
      return p;
    },
    async locate(kind, id) {
      return q.locate.all(kind, id);
    },
    async clear() {
      await this.write('', async () => {
        q.clear.run();
      });
    },
    async close() {
      await chain;
      closed = true;
      db.close();
    },
  };
}

// Cursors are opaque to clients, as AWS's `position` tokens are.
function encodeCursor(seq: number): string {
  return Buffer.from(`s${seq}`).toString('base64url');
}

function decodeCursor(cursor: string): number {
  const text = Buffer.from(cursor, 'base64url').toString();
  const n = text.startsWith('s') ? Number(text.slice(1)) : NaN;
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidCursorError();
  return n;
}

export class InvalidCursorError extends Error {
  readonly code = 'GH_ERR_CURSOR';
  constructor() {
    super('invalid position');
  }
}
