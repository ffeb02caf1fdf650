export type { Store, ReadTx, WriteTx, ListOptions, ListPage, Located, Change, ChangePage } from './types.ts';
export { openSqliteStore, InvalidCursorError } from './sqlite.ts';
