// Typed errors of the Velocity engine. A template that cannot be parsed throws VtlSyntaxError at
// compile time; one that fails while rendering throws VtlRuntimeError; one that exceeds a limit
// (iterations, output size, time, nesting) throws VtlLimitError. Nothing else escapes render().

export class VtlError extends Error {
  override name = 'VtlError';
  /** Name of the template (compileTemplate's options.name), for log lines. */
  readonly template: string;
  readonly line: number;
  readonly column: number;

  constructor(message: string, template = 'template', line = 0, column = 0) {
    super(message);
    this.template = template;
    this.line = line;
    this.column = column;
  }
}

/** The template source is not valid Velocity. The message reads like Velocity's own, which is what API Gateway shows. */
export class VtlSyntaxError extends VtlError {
  override name = 'VtlSyntaxError';
}

/** Evaluation failed: a Java method threw (e.g. substring out of range), a list index is out of bounds, ... */
export class VtlRuntimeError extends VtlError {
  override name = 'VtlRuntimeError';
}

/** A resource limit was exceeded: template size, output size, render time, macro depth, loop iterations. */
export class VtlLimitError extends VtlError {
  override name = 'VtlLimitError';
}

/** Position of `offset` in `source`, 1-based, as Velocity reports it ("line 3, column 7"). */
export function lineColumn(source: string, offset: number): { line: number; column: number } {
  let line = 1;
  let last = -1;
  for (let i = 0; i < offset && i < source.length; i++) {
    if (source.charCodeAt(i) === 10) {
      line++;
      last = i;
    }
  }
  return { line, column: offset - last };
}

/** Line and column lookups for many offsets of one source (binary search over line starts). */
export class LineIndex {
  readonly #starts: number[] = [0];
  constructor(source: string) {
    for (let i = source.indexOf('\n'); i >= 0; i = source.indexOf('\n', i + 1)) this.#starts.push(i + 1);
  }
  at(offset: number): { line: number; column: number } {
    const starts = this.#starts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - starts[lo]! + 1 };
  }
}
