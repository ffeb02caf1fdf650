// The change feed: committed changes to the store, delivered to what this process keeps in
// memory (compiled stages). LocalFeed for one process; FollowingFeed when several share a store.
export type { ChangeFeed, FeedBatch, Notifier } from './types.ts';
export { LocalFeed } from './local.ts';
export { FollowingFeed, type FollowingFeedOptions } from './follow.ts';
