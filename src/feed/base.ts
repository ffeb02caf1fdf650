// What every feed shares: its position and its listeners, and the rule that keeps delivery
// exactly-once and in order (only changes past the position are delivered, and the position
// moves before listeners run, so a load they start is stamped with the change that caused it).
import { log } from '../observe/log.ts';
import type { Change } from '../store/index.ts';
import type { ChangeFeed, FeedBatch } from './types.ts';

export abstract class BaseFeed implements ChangeFeed {
  readonly #listeners: ((batch: FeedBatch) => void)[] = [];
  #position = 0;

  get position(): number {
    return this.#position;
  }

  subscribe(listener: (batch: FeedBatch) => void): () => void {
    this.#listeners.push(listener);
    return () => {
      const i = this.#listeners.indexOf(listener);
      if (i !== -1) this.#listeners.splice(i, 1);
    };
  }

  abstract start(): Promise<void>;
  abstract close(): Promise<void>;

  /** Moves to `seq` without delivering (where the process joins the log). */
  protected skipTo(seq: number): void {
    if (seq > this.#position) this.#position = seq;
  }

  protected deliver(changes: readonly Change[]): void {
    const fresh = changes.filter((c) => c.seq > this.#position);
    if (fresh.length === 0) return;
    this.#position = fresh[fresh.length - 1]!.seq;
    this.#emit({ changes: fresh });
  }

  /** Changes up to `seq` were lost: listeners must treat everything as changed. */
  protected resync(seq: number): void {
    this.skipTo(seq);
    this.#emit({ resync: true });
  }

  // One listener that throws is logged and does not stop the others: a bug in one consumer
  // must not leave another serving stale stages.
  #emit(batch: FeedBatch): void {
    for (const l of [...this.#listeners]) {
      try {
        l(batch);
      } catch (err) {
        log().error({ err }, 'change feed: a listener failed');
      }
    }
  }
}
