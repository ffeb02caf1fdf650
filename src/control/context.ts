import type { GatehouseConfig } from '../config.ts';
import type { Store, ReadTx, WriteTx } from '../store/index.ts';
import type { OperationName } from '../model/generated/operations.ts';

/** What one management request runs with. */
export interface OpContext {
  readonly store: Store;
  readonly config: GatehouseConfig;
  readonly partition: string;
  readonly accountId: string;
  readonly region: string;
  readonly requestId: string;
  readonly operation: OperationName;
  read<T>(fn: (tx: ReadTx) => Promise<T>): Promise<T>;
  write<T>(fn: (tx: WriteTx) => Promise<T>): Promise<T>;
}

// Handlers take the bound, validated input of their operation; the generated types name it.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Handler = (input: any, ctx: OpContext) => Promise<unknown>;
export type HandlerTable = Partial<Record<OperationName, Handler>>;
