// The single-process feed: this process is the only writer, so the store's own commits are the
// whole log. They are delivered synchronously after each commit, before the write's caller
// continues, so a deployment is served by the very next request.
import type { Store } from '../store/index.ts';
import { BaseFeed } from './base.ts';

export class LocalFeed extends BaseFeed {
  readonly #store: Store;
  #stopCommits: (() => void) | null = null;

  constructor(store: Store) {
    super();
    this.#store = store;
  }

  async start(): Promise<void> {
    // Listen first, then read the end: a commit in between is delivered, not lost.
    this.#stopCommits ??= this.#store.onCommit((changes) => this.deliver(changes));
    this.skipTo(await this.#store.lastChange());
  }

  async close(): Promise<void> {
    this.#stopCommits?.();
    this.#stopCommits = null;
  }
}
