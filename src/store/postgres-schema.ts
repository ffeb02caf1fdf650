// The PostgreSQL schema, as an ordered list of migrations. `gatehouse_schema` records the
// versions applied; a process applies the missing ones at start, under an advisory lock so two
// processes starting together do not race (the second waits, then finds nothing to do).
// Append new migrations; never edit one that has shipped.
import type { PoolClient } from 'pg';

/** Advisory-lock key space of Gatehouse ('gh'); the second key says which lock. */
export const LOCK_SPACE = 0x6768;
export const LOCK_MIGRATE = 0;
export const LOCK_CHANGES = 1;
/** Partition locks are (LOCK_SPACE_PARTITION, hashtext(partition)): a key space of their own,
 *  so no partition's hash can equal the migration or change-log lock. */
export const LOCK_SPACE_PARTITION = 0x6769;

// Identifiers are COLLATE "C": byte order, the same on every server whatever its locale.
// Bodies are TEXT, not JSONB: JSONB reorders keys, and AWS's output order follows ours.
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE docs (
     seq BIGSERIAL PRIMARY KEY,
     partition TEXT COLLATE "C" NOT NULL,
     kind TEXT COLLATE "C" NOT NULL,
     parent TEXT COLLATE "C" NOT NULL,
     id TEXT COLLATE "C" NOT NULL,
     body TEXT NOT NULL,
     UNIQUE (partition, kind, parent, id)
   );
   CREATE INDEX docs_list ON docs (partition, kind, parent, seq);
   CREATE INDEX docs_locate ON docs (kind, id);
   CREATE TABLE changes (
     seq BIGSERIAL PRIMARY KEY,
     partition TEXT NOT NULL,
     kind TEXT NOT NULL,
     parent TEXT NOT NULL,
     id TEXT NOT NULL,
     op TEXT NOT NULL,
     at TIMESTAMPTZ NOT NULL DEFAULT now()
   );
   -- The newest change's seq, kept in the transaction that writes it: the sequence itself is
   -- not transactional (it shows values of uncommitted writes) and the rows get pruned.
   CREATE TABLE change_head (only_row BOOLEAN PRIMARY KEY DEFAULT true CHECK (only_row), last BIGINT NOT NULL);
   INSERT INTO change_head (last) VALUES (0);
   CREATE TABLE blobs (sha256 TEXT PRIMARY KEY, bytes BYTEA NOT NULL);`,
  // 2: the audit trail (src/audit) and CloudWatch's per-minute aggregates (src/metrics).
  `CREATE TABLE audit (
     seq BIGSERIAL PRIMARY KEY,
     partition TEXT COLLATE "C" NOT NULL,
     event_id TEXT NOT NULL UNIQUE,
     at BIGINT NOT NULL,
     name TEXT NOT NULL,
     source TEXT NOT NULL,
     username TEXT NOT NULL,
     access_key TEXT NOT NULL,
     read_only BOOLEAN NOT NULL,
     resources TEXT NOT NULL,
     body TEXT NOT NULL
   );
   CREATE INDEX audit_time ON audit (partition, at);
   CREATE TABLE metric_minutes (
     partition TEXT COLLATE "C" NOT NULL,
     namespace TEXT COLLATE "C" NOT NULL,
     series TEXT COLLATE "C" NOT NULL,
     minute BIGINT NOT NULL,
     writer TEXT NOT NULL,
     data TEXT NOT NULL,
     PRIMARY KEY (partition, namespace, minute, series, writer)
   );`,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** Brings the database to SCHEMA_VERSION; returns the versions it applied. */
export async function migrate(client: PoolClient): Promise<number[]> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1, $2)', [LOCK_SPACE, LOCK_MIGRATE]);
    await client.query('CREATE TABLE IF NOT EXISTS gatehouse_schema (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())');
    const { rows } = await client.query<{ v: number | null }>('SELECT max(version) AS v FROM gatehouse_schema');
    const current = rows[0]?.v ?? 0;
    if (current > MIGRATIONS.length) {
      throw new Error(`the database's schema is version ${current}, newer than this Gatehouse knows (${MIGRATIONS.length}); upgrade Gatehouse`);
    }
    const applied: number[] = [];
    for (let v = current + 1; v <= MIGRATIONS.length; v++) {
      await client.query(MIGRATIONS[v - 1]!);
      await client.query('INSERT INTO gatehouse_schema (version) VALUES ($1)', [v]);
      applied.push(v);
    }
    await client.query('COMMIT');
    return applied;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}
