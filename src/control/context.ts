import type { GatehouseConfig } from '../config.ts';
import type { SharedState } from '../shared/index.ts';
import type { Store, ReadTx, WriteTx } from '../store/index.ts';
import type { OperationName, Operations } from '../model/generated/operations.ts';

/** What one management request runs with. */
export interface OpContext {
  readonly store: Store;
  readonly config: GatehouseConfig;
  /** The hot path's shared state (caches, usage counters), for the operations that act on it:
   *  FlushStageCache, FlushStageAuthorizersCache, GetUsage, UpdateUsage. */
  readonly shared: SharedState;
  /** The gateway's clock in ms (Date.now, or a test's): "today" for GetUsage and UpdateUsage. */
  readonly now: () => number;
  readonly partition: string;
  readonly accountId: string;
  readonly region: string;
  readonly requestId: string;
  readonly operation: OperationName;
  read<T>(fn: (tx: ReadTx) => Promise<T>): Promise<T>;
  write<T>(fn: (tx: WriteTx) => Promise<T>): Promise<T>;
}

/** An operation's handler: its bound, validated input in, its output shape out. */
export type Handler<Op extends OperationName> = (input: Operations[Op]['input'], ctx: OpContext) => Promise<Operations[Op]['output']>;

/** Handlers by the service model's operation name; each one's types follow from its name. */
export type HandlerTable = { [Op in OperationName]?: Handler<Op> };
