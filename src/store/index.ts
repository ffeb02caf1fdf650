export type { Store, ReadTx, WriteTx, ListOptions, ListPage, Located, Change, ChangePage } from './types.ts';
export { StoreError, StoreUnavailableError } from './types.ts';
export { InvalidCursorError } from './cursor.ts';
export { openSqliteStore, type SqliteStoreOptions, type ChangeLogOptions } from './sqlite.ts';
