// The change feed: how a process learns of committed changes to the store, its own and other
// processes'. The store's change log (Store.changesSince) is the truth; a feed delivers it.
import type { Change } from '../store/index.ts';

/** What a feed delivers: changes in log order, or word that some were lost (the log was pruned
 *  past this process's position) so everything must be treated as changed. */
export type FeedBatch =
  | { readonly changes: readonly Change[]; readonly resync?: undefined }
  | { readonly resync: true; readonly changes?: undefined };

export interface ChangeFeed {
  /** Listeners are called synchronously, in subscription order, with each batch in log order. */
  subscribe(listener: (batch: FeedBatch) => void): () => void;
  /** The seq of the newest change this process has applied (delivered to its listeners). */
  readonly position: number;
  /** Begins at the log's current end: changes committed before are not delivered. */
  start(): Promise<void>;
  close(): Promise<void>;
}

/** Wakes followers of the change log early; the log itself is the truth. */
export interface Notifier {
  /** Tells other processes that the log has grown to `seq` (best effort, never throws). */
  publish(seq: number): void;
  subscribe(onWake: () => void): () => void;
  close(): Promise<void>;
}
