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
