// The work budget of one render. Loop iterations alone say little about cost: one
// `$util.urlEncode($input.body)` on a 10 MB body is more work than a thousand iterations that
// print a number. So every method that walks a string or builds one charges its size here (one
// unit per character; a regular expression more per character, see java-regex.ts), and the
// render stops with a VtlLimitError when the units or the time run out.
//
// Charges are made before the work where its size is known, so an operation that cannot fit in
// what is left is refused instead of run. Methods deep in the value model (String methods,
// $util, $input) do not receive the render state; renders are synchronous, so the state of the
// render in progress is kept here, set by render() around the generated function.

import { VtlLimitError } from './errors.ts';

/** Work between two reads of the clock: about a millisecond of the cheapest string work. */
const CLOCK_EVERY = 1 << 20;

export class Budget {
  work = 0;
  /** The work level at which the clock is next read (and, on the first read, started). */
  nextCheck = CLOCK_EVERY;
  /** 0 until the first clock read: a render that does little work never reads the clock. */
  deadline = 0;
  readonly maxWork: number;
  readonly maxMillis: number;

  constructor(maxWork: number, maxMillis: number) {
    this.maxWork = maxWork;
    this.maxMillis = maxMillis;
  }

  /** Whether the time budget is spent; the clock starts at the first call. */
  pastDeadline(): boolean {
    const now = Date.now();
    if (this.deadline === 0) this.deadline = now + this.maxMillis;
    return now > this.deadline;
  }

  /** Called when the work crosses nextCheck: enforce both budgets. */
  checkpoint(): void {
    if (this.work > this.maxWork) {
      throw new VtlLimitError(`Template exceeded its work budget of ${this.maxWork} units (characters processed by methods and string building)`);
    }
    if (this.pastDeadline()) throw new VtlLimitError(`Template rendering exceeded ${this.maxMillis} ms`);
    this.nextCheck = Math.min(this.work + CLOCK_EVERY, this.maxWork + 1);
  }
}

let active: Budget | null = null;

/** Makes `b` the budget that charge() draws on; returns the previous one for leave(). */
export function enter(b: Budget): Budget | null {
  const previous = active;
  active = b;
  return previous;
}

export function leave(previous: Budget | null): void {
  active = previous;
}

/** Charges `units` of work to the render in progress (none outside a render). */
export function charge(units: number): void {
  const b = active;
  if (b !== null && (b.work += units) >= b.nextCheck) b.checkpoint();
}

/** Charges a string that was just built or is about to be walked, and returns it. */
export function charged(s: string): string {
  const b = active;
  if (b !== null && (b.work += s.length) >= b.nextCheck) b.checkpoint();
  return s;
}
