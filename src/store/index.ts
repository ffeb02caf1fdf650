export type { Store, ReadTx, WriteTx, ListOptions, ListPage, Located } from './types.ts';
export { openSqliteStore, InvalidCursorError } from './sqlite.ts';
