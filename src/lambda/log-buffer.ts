// One invocation's log output, held with a fixed ceiling. A function may print hundreds of
// megabytes; the gateway keeps the first `cap` bytes, counts and drops the middle, and keeps the
// last TAIL bytes so that LogType Tail (the last 4 KB) still shows how the invocation ended.

/** The log bytes one invocation may leave in the log file (CloudWatch's own event cap is 256 KB). */
export const LOG_CAP_BYTES = 1_048_576;
const TAIL = 4096;

export class LogBuffer {
  readonly #cap: number;
  readonly #head: string[] = [];
  #headBytes = 0;
  #dropped = 0;
  #tail = '';

  constructor(cap = LOG_CAP_BYTES) {
    this.#cap = cap;
  }

  get bytes(): number {
    return this.#headBytes + this.#dropped;
  }

  push(text: string): void {
    if (this.#dropped === 0) {
      const room = this.#cap - this.#headBytes;
      const size = Buffer.byteLength(text);
      if (size <= room) {
        this.#head.push(text);
        this.#headBytes += size;
        return;
      }
      // The part that fits goes to the head; a character cut in half is a fair price here.
      const fits = Buffer.from(text.slice(0, room)).subarray(0, room).toString();
      this.#head.push(fits);
      this.#headBytes += Buffer.byteLength(fits);
      text = text.slice(fits.length);
    }
    this.#dropped += Buffer.byteLength(text);
    this.#tail = text.length >= TAIL ? text.slice(-TAIL) : (this.#tail + text).slice(-TAIL);
  }

  /** Everything kept, in order, with a line saying how much was left out. */
  text(): string {
    if (this.#dropped === 0) return this.#head.join('');
    const omitted = Math.max(0, this.#dropped - Buffer.byteLength(this.#tail));
    return this.#head.join('') + `\n[Gatehouse: log output over ${this.#cap} bytes for this invocation; ${omitted} bytes omitted]\n` + this.#tail;
  }
}
