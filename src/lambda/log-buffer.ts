// One invocation's log output, held with a fixed ceiling. A function may print hundreds of
// megabytes; the gateway keeps the first `cap` bytes, counts and drops the middle, and keeps the
// last TAIL bytes so that LogType Tail (the last 4 KB) still shows how the invocation ended.

/** The log bytes one invocation may leave in the log file (CloudWatch's own event cap is 256 KB). */
export const LOG_CAP_BYTES = 1_048_576;
const TAIL = 4096;

export class LogBuffer {
  readonly #cap: number;
  readonly #head: string[] = [];
  /**
   * At least the head's size in UTF-8 bytes: three bytes for each UTF-16 unit until the head might
   * be near the cap, its exact size from then on. Measuring each line's bytes flattened the
   * START/END/REPORT lines (built from parts) once more per invocation.
   */
  #headBytes = 0;
  #exact = false;
  #dropped = 0;
  #tail = '';

  constructor(cap = LOG_CAP_BYTES) {
    this.#cap = cap;
  }

  push(text: string): void {
    if (this.#dropped === 0) {
      if (!this.#exact) {
        // A UTF-16 unit is at most three UTF-8 bytes (a surrogate pair: four for two units).
        if (this.#headBytes + text.length * 3 <= this.#cap) {
          this.#head.push(text);
          this.#headBytes += text.length * 3;
          return;
        }
        this.#exact = true;
        this.#headBytes = 0;
        for (const t of this.#head) this.#headBytes += Buffer.byteLength(t);
      }
      const room = this.#cap - this.#headBytes;
      const size = Buffer.byteLength(text);
      if (size <= room) {
        this.#head.push(text);
        this.#headBytes += size;
        return;
      }
      // The part that fits goes to the head, cut before a character that would not fit whole.
      const bytes = Buffer.from(text.slice(0, room));
      let end = Math.min(room, bytes.length);
      while (end > 0 && end < bytes.length && (bytes[end]! & 0xc0) === 0x80) end--;
      const fits = bytes.toString('utf8', 0, end);
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
