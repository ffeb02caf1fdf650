// In-flight back-end calls of one integration, at most `limit` at a time; the rest wait in
// arrival order. Written by hand because a waiter must be able to leave the queue when its
// deadline passes (p-limit and friends can only clear the whole queue), and because this sits on
// the hot path: no promise or closure beyond the caller's own per call.

export interface SlotWaiter {
  /** Called once, when the call may start. */
  readonly start: () => void;
  /** Set by the caller when it gave up waiting; the slot then goes to the next waiter. */
  cancelled: boolean;
}

export class CallSlots {
  private active = 0;
  private readonly waiting: SlotWaiter[] = [];
  private head = 0;

  constructor(readonly limit: number) {}

  /** Starts `waiter` now when a slot is free, else queues it. Every start is paired with one release(). */
  acquire(waiter: SlotWaiter): void {
    if (this.active < this.limit) {
      this.active++;
      waiter.start();
      return;
    }
    this.waiting.push(waiter);
  }

  release(): void {
    this.active--;
    while (this.head < this.waiting.length) {
      const next = this.waiting[this.head]!;
      this.waiting[this.head++] = undefined as unknown as SlotWaiter;
      if (next.cancelled) continue;
      this.active++;
      this.compact();
      next.start();
      return;
    }
    this.compact();
  }

  /** Calls in flight and calls waiting (including cancelled ones not yet skipped). */
  get size(): { active: number; waiting: number } {
    return { active: this.active, waiting: this.waiting.length - this.head };
  }

  // The queue is an array read from `head`; drop the consumed prefix once it dominates.
  private compact(): void {
    if (this.head === this.waiting.length) {
      this.waiting.length = 0;
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.waiting.length) {
      this.waiting.splice(0, this.head);
      this.head = 0;
    }
  }
}
