import type { GatehouseConfig } from '../config.ts';
import { openPostgresStore } from './postgres.ts';
import { openSqliteStore } from './sqlite.ts';
import type { Store } from './types.ts';

export type { Store, ReadTx, WriteTx, ListOptions, ListPage, Located, Scanned, Change, ChangePage, ChangeLogOptions, AuditRow, AuditQuery, AggregateRow } from './types.ts';
export { StoreError, StoreUnavailableError } from './types.ts';
export { InvalidCursorError } from './cursor.ts';
export { openSqliteStore, type SqliteStoreOptions } from './sqlite.ts';
export { openPostgresStore, type PostgresStore, type PostgresStoreOptions } from './postgres.ts';

/** The configured store: PostgreSQL when `postgres` is set, else the embedded SQLite in dataDir. */
export async function openStore(config: Pick<GatehouseConfig, 'postgres' | 'dataDir'>): Promise<Store> {
  return config.postgres !== '' ? openPostgresStore(config.postgres) : openSqliteStore(config.dataDir);
}
