// PostgreSQL implementation of Store (pg). Several processes on several machines share one
// database and are one gateway:
// - write(): BEGIN, then pg_advisory_xact_lock on the partition, so writers of one partition
//   queue across processes as SQLite's single writer does (a read-modify-write in fn never
//   loses an update); in-process they queue before taking a connection, so waiting writers do
//   not empty the pool.
// - The change log's rows are inserted at the end of the transaction under a second, global
//   advisory lock held until COMMIT: seqs are then handed out in commit order, and a follower
//   that has read seq n can never later see a smaller seq commit (with seqs taken mid-
//   transaction, a slow writer's lower seq would commit after a faster one's and be skipped).
// - NOTIFY gatehouse_changes in the transaction: PostgreSQL delivers it on commit only.
// - read(): a REPEATABLE READ READ ONLY transaction, one snapshot for all of fn's reads.
// Reads and writes take connections from two pools, so writers queued on a lock never starve
// the reads a writer's fn may itself make.
import pg from 'pg';
import type { PoolClient, QueryResultRow } from 'pg';
import { checkout, query, unavailable } from './postgres-connection.ts';
import { CHANNEL, listen } from './postgres-listen.ts';
import { checkDigest } from './blob-digest.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { LOCK_CHANGES, LOCK_SPACE, LOCK_SPACE_PARTITION, migrate } from './postgres-schema.ts';
import type { AuditRow, Change, ChangeLogOptions, ChangePage, ListOptions, ListPage, Located, ReadTx, Store, WriteTx } from './types.ts';

export interface PostgresStoreOptions {
  changeLog?: ChangeLogOptions;
  /** How long to wait for a connection before failing with StoreUnavailableError (default 3 s). */
  connectTimeoutMs?: number;
  /** Connections of each pool (reads, writes); defaults 8 and 4. */
  readConnections?: number;
  writeConnections?: number;
}

export interface PostgresStore extends Store {
  notifications(onWake: () => void): Promise<() => Promise<void>>;
}

type Pending = { kind: string; parent: string; id: string; op: Change['op']; partition: string };

const AUDIT_INSERT = `INSERT INTO audit (partition, event_id, at, name, source, username, access_key, read_only, resources, body)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (event_id) DO UPDATE SET resources = EXCLUDED.resources, body = EXCLUDED.body`;

function auditArgs(e: AuditRow): unknown[] {
  return [e.partition, e.eventId, e.eventTime, e.eventName, e.eventSource, e.username, e.accessKeyId, e.readOnly, `|${e.resources.join('|')}|`, e.body];
}

export async function openPostgresStore(url: string, options: PostgresStoreOptions = {}): Promise<PostgresStore> {
  const connectTimeoutMs = options.connectTimeoutMs ?? 3000;
  const keepRows = options.changeLog?.keepRows ?? 10_000;
  const keepMs = options.changeLog?.keepMs ?? 600_000;
  const pruneEvery = Math.max(1, options.changeLog?.pruneEvery ?? 100);
  const poolOf = (max: number) => {
    const pool = new pg.Pool({ connectionString: url, max, connectionTimeoutMillis: connectTimeoutMs, keepAlive: true });
    // An idle client whose server went away emits here; unhandled, it would end the process.
    // The pool drops that client, and the next checkout connects afresh.
    pool.on('error', () => undefined);
    return pool;
  };
  const reads = poolOf(options.readConnections ?? 8);
  const writes = poolOf(options.writeConnections ?? 4);

  try {
    const c = await checkout(writes);
    try {
      await migrate(c);
    } finally {
      c.release();
    }
  } catch (err) {
    await Promise.all([reads.end(), writes.end()]);
    throw unavailable(err);
  }

  const listeners = new Set<(changes: readonly Change[]) => void>();
  const stops = new Set<() => Promise<void>>();
  const queues = new Map<string, Promise<unknown>>();
  let commits = 0;
  let closed = false;

  /** Runs `run` after the previous run queued under `key` in this process. */
  function queued<T>(key: string, run: () => Promise<T>): Promise<T> {
    const p = (queues.get(key) ?? Promise.resolve()).then(run, run);
    const tail = p.catch(() => undefined);
    queues.set(key, tail);
    void tail.then(() => {
      if (queues.get(key) === tail) queues.delete(key);
    });
    return p;
  }

  function readTx(c: PoolClient, partition: string, isOpen: () => void): ReadTx {
    return {
      async get<T>(kind: string, parent: string, id: string) {
        isOpen();
        const { rows } = await query<{ body: string }>(c, 'SELECT body FROM docs WHERE partition=$1 AND kind=$2 AND parent=$3 AND id=$4', [partition, kind, parent, id]);
        return rows.length === 0 ? undefined : (JSON.parse(rows[0]!.body) as T);
      },
      async list<T>(kind: string, parent: string, options: ListOptions = {}): Promise<ListPage<T>> {
        isOpen();
        const after = options.after === undefined ? 0 : decodeCursor(options.after);
        const limit = options.limit ?? -1;
        // Fetch one more than asked to know whether another page follows; NULL is no limit.
        const fetch = limit < 0 ? null : limit + 1;
        const { rows } = options.prefix === undefined
          ? await query<{ seq: string; body: string }>(c,
            'SELECT seq, body FROM docs WHERE partition=$1 AND kind=$2 AND parent=$3 AND seq>$4 ORDER BY seq LIMIT $5',
            [partition, kind, parent, after, fetch])
          : await query<{ seq: string; body: string }>(c,
            'SELECT seq, body FROM docs WHERE partition=$1 AND kind=$2 AND parent=$3 AND seq>$4 AND starts_with(id, $6) ORDER BY seq LIMIT $5',
            [partition, kind, parent, after, fetch, options.prefix]);
        const more = limit >= 0 && rows.length > limit;
        if (more) rows.length = limit;
        // limit 0 lists nothing and leaves the position where it was.
        if (more && limit === 0) return { items: [], next: options.after ?? encodeCursor(after) };
        const items = rows.map((r) => JSON.parse(r.body) as T);
        return more ? { items, next: encodeCursor(Number(rows[rows.length - 1]!.seq)) } : { items };
      },
      async count(kind: string, parent: string) {
        isOpen();
        const { rows } = await query<{ n: string }>(c, 'SELECT count(*) AS n FROM docs WHERE partition=$1 AND kind=$2 AND parent=$3', [partition, kind, parent]);
        return Number(rows[0]!.n);
      },
    };
  }

  function writeTx(c: PoolClient, partition: string, pending: Pending[], isOpen: () => void): WriteTx {
    const note = (kind: string, parent: string, id: string, op: Change['op']) => pending.push({ partition, kind, parent, id, op });
    return {
      ...readTx(c, partition, isOpen),
      async put(kind, parent, id, doc) {
        isOpen();
        // A replaced document keeps its seq, so its place in list order.
        await query(c, 'INSERT INTO docs (partition, kind, parent, id, body) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (partition, kind, parent, id) DO UPDATE SET body=EXCLUDED.body',
          [partition, kind, parent, id, JSON.stringify(doc)]);
        note(kind, parent, id, 'put');
      },
      async insert(kind, parent, id, doc) {
        isOpen();
        const r = await query(c, 'INSERT INTO docs (partition, kind, parent, id, body) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING',
          [partition, kind, parent, id, JSON.stringify(doc)]);
        if (r.rowCount === 0) return false;
        note(kind, parent, id, 'put');
        return true;
      },
      async delete(kind, parent, id) {
        isOpen();
        const r = await query(c, 'DELETE FROM docs WHERE partition=$1 AND kind=$2 AND parent=$3 AND id=$4', [partition, kind, parent, id]);
        if (r.rowCount === 0) return false;
        note(kind, parent, id, 'delete');
        return true;
      },
      async deleteChildren(parent, kinds) {
        isOpen();
        const { rows } = kinds === undefined
          ? await query<{ kind: string; id: string }>(c, 'DELETE FROM docs WHERE partition=$1 AND parent=$2 RETURNING kind, id', [partition, parent])
          : await query<{ kind: string; id: string }>(c, 'DELETE FROM docs WHERE partition=$1 AND parent=$2 AND kind = ANY($3) RETURNING kind, id', [partition, parent, kinds]);
        for (const d of rows) note(d.kind, parent, d.id, 'delete');
        return rows.length;
      },
      async audit(event) {
        isOpen();
        await query(c, AUDIT_INSERT, auditArgs(event));
      },
    };
  }

  /** Writes the transaction's change rows in commit order (see the header) and announces them. */
  async function logChanges(c: PoolClient, pending: Pending[]): Promise<Change[]> {
    if (pending.length === 0) return [];
    await query(c, 'SELECT pg_advisory_xact_lock($1, $2)', [LOCK_SPACE, LOCK_CHANGES]);
    const { rows } = await query<{ seq: string } & Omit<Change, 'seq'>>(c,
      `WITH added AS (
         INSERT INTO changes (partition, kind, parent, id, op)
         SELECT p, k, pa, i, o FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS t(p, k, pa, i, o, n)
         ORDER BY n
         RETURNING seq, partition, kind, parent, id, op
       ), head AS (UPDATE change_head SET last = (SELECT max(seq) FROM added))
       SELECT * FROM added ORDER BY seq`,
      [pending.map((x) => x.partition), pending.map((x) => x.kind), pending.map((x) => x.parent), pending.map((x) => x.id), pending.map((x) => x.op)]);
    const changes = rows.map((r) => ({ ...r, seq: Number(r.seq) }));
    const last = changes[changes.length - 1]!.seq;
    if (++commits % pruneEvery === 0) {
      await query(c, "DELETE FROM changes WHERE seq <= $1 AND at <= now() - $2 * interval '1 millisecond'", [last - keepRows, keepMs]);
    }
    await query(c, 'SELECT pg_notify($1, $2)', [CHANNEL, String(last)]);
    return changes;
  }

  /** One write transaction on a connection of the write pool; `lock` runs right after BEGIN. */
  async function transaction<T>(lock: (c: PoolClient) => Promise<void>, fn: (c: PoolClient, pending: Pending[]) => Promise<T>): Promise<T> {
    if (closed) throw new Error('store is closed');
    const c = await checkout(writes);
    let broken: Error | undefined;
    try {
      await query(c, 'BEGIN');
      await lock(c);
      const pending: Pending[] = [];
      const result = await fn(c, pending);
      const changes = await logChanges(c, pending);
      await query(c, 'COMMIT');
      announce(changes);
      return result;
    } catch (err) {
      // A failed ROLLBACK means the connection itself is gone: the pool must not reuse it.
      await c.query('ROLLBACK').catch((e: Error) => (broken = e));
      throw err;
    } finally {
      c.release(broken);
    }
  }

  function announce(changes: readonly Change[]): void {
    if (changes.length === 0) return;
    for (const listener of listeners) {
      try {
        listener(changes);
      } catch {
        // The write has committed; a listener's failure is the listener's to report.
      }
    }
  }

  async function readOnly<T>(fn: (c: PoolClient) => Promise<T>): Promise<T> {
    if (closed) throw new Error('store is closed');
    const c = await checkout(reads);
    let broken: Error | undefined;
    try {
      await query(c, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const result = await fn(c);
      await query(c, 'COMMIT');
      return result;
    } catch (err) {
      await c.query('ROLLBACK').catch((e: Error) => (broken = e));
      throw err;
    } finally {
      c.release(broken);
    }
  }

  async function onePool<R extends QueryResultRow>(pool: pg.Pool, text: string, values: unknown[]) {
    if (closed) throw new Error('store is closed');
    try {
      return await pool.query<R>(text, values);
    } catch (err) {
      throw unavailable(err);
    }
  }

  return {
    read(partition, fn) {
      return readOnly((c) => {
        let open = true;
        return fn(readTx(c, partition, () => isOpen(open))).finally(() => (open = false));
      });
    },
    write(partition, fn) {
      return queued(partition, () => transaction(
        (c) => query(c, 'SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCK_SPACE_PARTITION, partition]).then(() => undefined),
        (c, pending) => {
          let open = true;
          return fn(writeTx(c, partition, pending, () => isOpen(open))).finally(() => (open = false));
        },
      ));
    },
    async locate(kind, id) {
      const { rows } = await onePool<Located>(reads, 'SELECT partition, parent FROM docs WHERE kind=$1 AND id=$2 ORDER BY seq', [kind, id]);
      return rows.map((r) => ({ partition: r.partition, parent: r.parent }));
    },
    async scan<T>(kind: string) {
      const { rows } = await onePool<{ partition: string; parent: string; id: string; body: string }>(reads, 'SELECT partition, parent, id, body FROM docs WHERE kind=$1 ORDER BY seq', [kind]);
      return rows.map((r) => ({ partition: r.partition, parent: r.parent, id: r.id, doc: JSON.parse(r.body) as T }));
    },
    async changesSince(seq, limit = 1000): Promise<ChangePage> {
      // The page first, then the oldest kept seq: a prune between the two can only make
      // `truncated` err towards true, never hide a gap.
      const page = await onePool<{ seq: string } & Omit<Change, 'seq'>>(reads,
        'SELECT seq, partition, kind, parent, id, op FROM changes WHERE seq > $1 ORDER BY seq LIMIT $2', [seq, Math.max(1, limit)]);
      const bounds = await onePool<{ oldest: string | null; last: string }>(reads,
        'SELECT (SELECT min(seq) FROM changes) AS oldest, (SELECT last FROM change_head) AS last', []);
      const changes = page.rows.map((r) => ({ ...r, seq: Number(r.seq) }));
      const oldest = bounds.rows[0]!.oldest === null ? null : Number(bounds.rows[0]!.oldest);
      const truncated = oldest === null ? seq < Number(bounds.rows[0]!.last) : seq < oldest - 1;
      return { changes, last: changes.length > 0 ? changes[changes.length - 1]!.seq : seq, truncated };
    },
    async lastChange() {
      const { rows } = await onePool<{ last: string }>(reads, 'SELECT last FROM change_head', []);
      return Number(rows[0]!.last);
    },
    onCommit(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async putBlob(sha256, bytes) {
      checkDigest(sha256, bytes);
      await onePool(writes, 'INSERT INTO blobs (sha256, bytes) VALUES ($1, $2) ON CONFLICT DO NOTHING', [sha256, bytes]);
    },
    async getBlob(sha256) {
      const { rows } = await onePool<{ bytes: Buffer }>(reads, 'SELECT bytes FROM blobs WHERE sha256=$1', [sha256]);
      return rows[0]?.bytes;
    },
    async deleteBlob(sha256) {
      await onePool(writes, 'DELETE FROM blobs WHERE sha256=$1', [sha256]);
    },
    async appendAudit(event) {
      await onePool(writes, AUDIT_INSERT, auditArgs(event));
    },
    async lookupAudit(q) {
      const where = ['partition = $1', 'at >= $2', 'at <= $3'];
      const args: unknown[] = [q.partition, q.start, q.end];
      if (q.before !== undefined) {
        args.push(q.before);
        where.push(`seq < $${args.length}`);
      }
      const a = q.attribute;
      if (a !== undefined) {
        const column = ({ EventName: 'name', EventSource: 'source', Username: 'username', AccessKeyId: 'access_key', EventId: 'event_id' } as Record<string, string>)[a.key];
        if (column !== undefined) {
          args.push(a.value);
          where.push(`${column} = $${args.length}`);
        } else if (a.key === 'ReadOnly') {
          args.push(a.value === 'true');
          where.push(`read_only = $${args.length}`);
        } else {
          args.push(`=${a.value}|`);
          where.push(`strpos(resources, $${args.length}) > 0`);
        }
      }
      args.push(q.limit);
      const { rows } = await onePool<{ seq: string; body: string; resources: string }>(reads, `SELECT seq, body, resources FROM audit WHERE ${where.join(' AND ')} ORDER BY seq DESC LIMIT $${args.length}`, args);
      return rows.map((r) => ({ seq: Number(r.seq), body: r.body, resources: r.resources.split('|').filter((x) => x !== '') }));
    },
    async auditAfter(seq, limit) {
      const { rows } = await onePool<{ seq: string; partition: string; body: string }>(reads, 'SELECT seq, partition, body FROM audit WHERE seq > $1 ORDER BY seq LIMIT $2', [seq, limit]);
      return rows.map((r) => ({ seq: Number(r.seq), partition: r.partition, body: r.body }));
    },
    async pruneAudit(beforeMs) {
      const r = await onePool(writes, 'DELETE FROM audit WHERE at < $1', [beforeMs]);
      return r.rowCount ?? 0;
    },
    async putAggregates(rows) {
      if (rows.length === 0) return;
      await onePool(writes,
        `INSERT INTO metric_minutes (partition, namespace, series, minute, writer, data)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[])
         ON CONFLICT (partition, namespace, minute, series, writer) DO UPDATE SET data = EXCLUDED.data`,
        [rows.map((r) => r.partition), rows.map((r) => r.namespace), rows.map((r) => r.series), rows.map((r) => r.minute), rows.map((r) => r.writer), rows.map((r) => r.data)]);
    },
    async readAggregates(partition, namespace, fromMinute, toMinute, series) {
      const { rows } = await onePool<{ partition: string; namespace: string; series: string; minute: string; writer: string; data: string }>(reads,
        `SELECT partition, namespace, series, minute, writer, data FROM metric_minutes WHERE partition=$1 AND namespace=$2 AND minute>=$3 AND minute<=$4${series === undefined ? '' : ' AND series=$5'}`,
        series === undefined ? [partition, namespace, fromMinute, toMinute] : [partition, namespace, fromMinute, toMinute, series]);
      return rows.map((r) => ({ ...r, minute: Number(r.minute) }));
    },
    async listAggregateSeries(partition, namespace, fromMinute) {
      const { rows } = await onePool<{ series: string; cache: number; throttles: number }>(reads,
        `SELECT series, MAX(CASE WHEN data LIKE '%"hit":0,"miss":0,%' THEN 0 ELSE 1 END) AS cache, MAX(CASE WHEN data LIKE '%"throttles":0,%' THEN 0 ELSE 1 END) AS throttles FROM metric_minutes WHERE partition=$1 AND namespace=$2 AND minute>=$3 GROUP BY series ORDER BY series`, [partition, namespace, fromMinute]);
      return rows.map((x) => ({ series: x.series, cache: Number(x.cache) === 1, throttles: Number(x.throttles) === 1 }));
    },
    async pruneAggregates(beforeMinute) {
      await onePool(writes, 'DELETE FROM metric_minutes WHERE minute < $1', [beforeMinute]);
    },
    async clear() {
      // No partition lock: clear takes row locks first and the change-log lock last, the order
      // every writer takes them in, so it cannot deadlock with one.
      await transaction(async () => undefined, async (c, pending) => {
        await query(c, 'DELETE FROM docs');
        await query(c, 'DELETE FROM blobs');
        await query(c, 'DELETE FROM audit');
        await query(c, 'DELETE FROM metric_minutes');
        pending.push({ partition: '', kind: '', parent: '', id: '', op: 'clear' });
      });
    },
    notifications(onWake) {
      return listen(url, connectTimeoutMs, onWake).then((stop) => {
        stops.add(stop);
        return async () => {
          stops.delete(stop);
          await stop();
        };
      });
    },
    async close() {
      if (closed) return;
      await Promise.all([...queues.values()]);
      closed = true;
      await Promise.all([...stops].map((stop) => stop()));
      await Promise.all([reads.end(), writes.end()]);
    },
  };
}

function isOpen(open: boolean): void {
  // A tx kept past its transaction would otherwise run on a connection lent to someone else.
  if (!open) throw new Error('transaction is over');
}
