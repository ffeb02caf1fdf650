// A position in template source shared by the template parser and the expression parser.

import { VtlSyntaxError, lineColumn } from './errors.ts';

export function isIdentStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}

/** Velocity 1.7 identifiers may contain '-' ("$foo-bar" is one reference). */
export function isIdentPart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 45;
}

export class Cursor {
  pos = 0;
  readonly src: string;
  readonly name: string;
  /** The whole template, when `src` is a piece of it (an interpolated string), for error positions. */
  readonly source: string;
  readonly offset: number;

  constructor(src: string, name: string, source = src, offset = 0) {
    this.src = src;
    this.name = name;
    this.source = source;
    this.offset = offset;
  }

  error(message: string, at = this.pos): VtlSyntaxError {
    const { line, column } = lineColumn(this.source, at + this.offset);
    return new VtlSyntaxError(`${message} at ${this.name}[line ${line}, column ${column}]`, this.name, line, column);
  }

  unexpected(): VtlSyntaxError {
    if (this.pos >= this.src.length) return this.error('Encountered "<EOF>"');
    const m = /^\S{1,20}|^\s/.exec(this.src.slice(this.pos))!;
    return this.error(`Encountered "${m[0]}"`);
  }

  skipWs(): void {
    const src = this.src;
    while (this.pos < src.length) {
      const c = src.charCodeAt(this.pos);
      if (c === 32 || c === 9 || c === 10 || c === 13) this.pos++;
      else break;
    }
  }

  expect(ch: string): void {
    if (this.src.charCodeAt(this.pos) !== ch.charCodeAt(0)) throw this.unexpected();
    this.pos++;
  }
}
