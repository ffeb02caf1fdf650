// Expression parser for directive arguments and method arguments, and the reference parser
// shared with template text. Precedence, loosest first: || and &&, == !=, < > <= >=, + -,
// * / %, ! and not. As in Velocity 1.7 a '-' directly before a digit belongs to the number, so
// `$a -1` is an error and `$a - 1` is a subtraction.

import type { BinaryOp, Expr, RefNode, RefPart } from './ast.ts';
import { Cursor, isIdentPart, isIdentStart } from './cursor.ts';
import { parseInterpolation } from './parser.ts';

/** Maximum nesting of expressions/blocks, so a hostile template cannot exhaust the JS stack. */
const MAX_DEPTH = 200;
let depth = 0;

function readIdent(src: string, p: number): number {
  while (p < src.length && isIdentPart(src.charCodeAt(p))) p++;
  return p;
}

/** A reference starting at the `$` at `dollar`; null (cursor unchanged) when the text there is not one. */
export function parseReferenceAt(cur: Cursor, dollar: number, escapes: number): RefNode | null {
  const src = cur.src;
  if (src.charCodeAt(dollar) !== 36) return null;
  let p = dollar + 1;
  let quiet = false;
  if (src.charCodeAt(p) === 33 /* ! */) {
    quiet = true;
    p++;
  }
  const braced = src.charCodeAt(p) === 123;
  if (braced) p++;
  // `$!` at the very end is a lexical error in Velocity 1.7.
  if (quiet && p >= src.length && cur.src === cur.source) throw cur.error('Lexical error: Encountered <EOF> after "$!"', dollar);
  if (!isIdentStart(src.charCodeAt(p))) return null;
  const nameEnd = readIdent(src, p);
  const name = src.slice(p, nameEnd);
  p = nameEnd;
  const parts: RefPart[] = [];
  for (;;) {
    const c = src.charCodeAt(p);
    if (c === 46 /* . */ && isIdentStart(src.charCodeAt(p + 1))) {
      const end = readIdent(src, p + 1);
      const member = src.slice(p + 1, end);
      p = end;
      if (src.charCodeAt(p) === 40 /* ( */) {
        cur.pos = p + 1;
        const args = parseArgumentList(cur, ')', false);
        p = cur.pos;
        parts.push({ kind: 'method', name: member, args });
      } else {
        parts.push({ kind: 'prop', name: member });
      }
    } else if (c === 91 /* [ */) {
      cur.pos = p + 1;
      cur.skipWs();
      const index = parseParameter(cur);
      cur.skipWs();
      cur.expect(']');
      p = cur.pos;
      parts.push({ kind: 'index', index });
    } else {
      break;
    }
  }
  if (braced) {
    if (src.charCodeAt(p) !== 125 /* } */) {
      cur.pos = p;
      throw cur.unexpected();
    }
    p++;
  }
  cur.pos = p;
  return { kind: 'ref', at: dollar + cur.offset, name, parts, quiet, escapes, literal: src.slice(dollar, p) };
}

/** Arguments up to `close`; macro calls also accept spaces as separators. */
export function parseArgumentList(cur: Cursor, close: string, spaceSeparated: boolean): Expr[] {
  const args: Expr[] = [];
  const closeCode = close.charCodeAt(0);
  cur.skipWs();
  if (cur.src.charCodeAt(cur.pos) === closeCode) {
    cur.pos++;
    return args;
  }
  for (;;) {
    args.push(parseParameter(cur));
    cur.skipWs();
    const c = cur.src.charCodeAt(cur.pos);
    if (c === closeCode) {
      cur.pos++;
      return args;
    }
    if (c === 44 /* , */) {
      cur.pos++;
      cur.skipWs();
      continue;
    }
    if (!spaceSeparated) throw cur.unexpected();
  }
}

export function parseExpression(cur: Cursor): Expr {
  if (++depth > MAX_DEPTH) {
    depth = 0;
    throw cur.error('Expression nested too deeply');
  }
  try {
    return parseBinary(cur, 0);
  } finally {
    depth--;
  }
}

const LEVELS: BinaryOp[][] = [['||'], ['&&'], ['==', '!='], ['<', '>', '<=', '>='], ['+', '-'], ['*', '/', '%']];
const WORD_OPS: Record<string, BinaryOp> = { or: '||', and: '&&', eq: '==', ne: '!=', lt: '<', gt: '>', le: '<=', ge: '>=' };

/** The binary operator at the cursor (not consumed), if any. */
function peekOperator(cur: Cursor): { op: BinaryOp; length: number } | null {
  const src = cur.src;
  const p = cur.pos;
  const c = src.charCodeAt(p);
  const d = src.charCodeAt(p + 1);
  switch (c) {
    case 124: return d === 124 ? { op: '||', length: 2 } : null;
    case 38: return d === 38 ? { op: '&&', length: 2 } : null;
    case 61: return d === 61 ? { op: '==', length: 2 } : null;
    case 33: return d === 61 ? { op: '!=', length: 2 } : null;
    case 60: return d === 61 ? { op: '<=', length: 2 } : { op: '<', length: 1 };
    case 62: return d === 61 ? { op: '>=', length: 2 } : { op: '>', length: 1 };
    case 43: return { op: '+', length: 1 };
    case 45: return d >= 48 && d <= 57 ? null : { op: '-', length: 1 };
    case 42: return { op: '*', length: 1 };
    case 47: return { op: '/', length: 1 };
    case 37: return { op: '%', length: 1 };
  }
  if (c >= 97 && c <= 122) {
    const end = readIdent(src, p);
    const op = WORD_OPS[src.slice(p, end)];
    if (op !== undefined) return { op, length: end - p };
  }
  return null;
}

function parseBinary(cur: Cursor, level: number): Expr {
  if (level === LEVELS.length) return parseUnary(cur);
  let left = parseBinary(cur, level + 1);
  for (;;) {
    cur.skipWs();
    const found = peekOperator(cur);
    if (found === null || !LEVELS[level]!.includes(found.op)) return left;
    const at = cur.pos + cur.offset;
    cur.pos += found.length;
    const right = parseBinary(cur, level + 1);
    left = { kind: 'binary', op: found.op, left, right, at };
  }
}

function parseUnary(cur: Cursor): Expr {
  cur.skipWs();
  const src = cur.src;
  if (src.charCodeAt(cur.pos) === 33 /* ! */ && src.charCodeAt(cur.pos + 1) !== 61) {
    cur.pos++;
    return { kind: 'not', operand: parseUnaryNested(cur) };
  }
  if (src.startsWith('not', cur.pos) && !isIdentPart(src.charCodeAt(cur.pos + 3))) {
    cur.pos += 3;
    return { kind: 'not', operand: parseUnaryNested(cur) };
  }
  return parsePrimary(cur);
}

function parseUnaryNested(cur: Cursor): Expr {
  if (++depth > MAX_DEPTH) {
    depth = 0;
    throw cur.error('Expression nested too deeply');
  }
  try {
    return parseUnary(cur);
  } finally {
    depth--;
  }
}

/**
 * Velocity 1.7's "Parameter": what method and macro arguments, list items and map entries may be —
 * a literal, a reference, a list, a map or a range, but no operator and no parentheses.
 */
export function parseParameter(cur: Cursor): Expr {
  cur.skipWs();
  const c = cur.src.charCodeAt(cur.pos);
  if (c === 40 /* ( */ || c === 33 /* ! */) throw cur.unexpected();
  return parsePrimary(cur);
}

const NUMBER = /-?(?:\d+(\.(?!\.)\d*)?([eE][-+]?\d+)?|(\.\d+)([eE][-+]?\d+)?)/y;

function parsePrimary(cur: Cursor): Expr {
  cur.skipWs();
  const src = cur.src;
  const c = src.charCodeAt(cur.pos);
  if (c === 36 /* $ */) {
    const ref = parseReferenceAt(cur, cur.pos, 0);
    if (ref === null) throw cur.unexpected();
    return { kind: 'ref', ref };
  }
  if (c === 34 /* " */ || c === 39 /* ' */) return parseString(cur, c);
  if ((c >= 48 && c <= 57) || c === 45 || c === 46) {
    NUMBER.lastIndex = cur.pos;
    const m = NUMBER.exec(src);
    if (m === null) throw cur.unexpected();
    cur.pos += m[0].length;
    if (m[1] !== undefined || m[2] !== undefined || m[3] !== undefined) return { kind: 'float', value: Number(m[0]) };
    return { kind: 'int', value: Number(m[0]) };
  }
  if (c === 40 /* ( */) {
    cur.pos++;
    const e = parseExpression(cur);
    cur.skipWs();
    cur.expect(')');
    return e;
  }
  if (c === 91 /* [ */) {
    cur.pos++;
    cur.skipWs();
    if (src.charCodeAt(cur.pos) === 93) {
      cur.pos++;
      return { kind: 'list', items: [] };
    }
    const first = parseParameter(cur);
    cur.skipWs();
    if (src.startsWith('..', cur.pos)) {
      cur.pos += 2;
      const to = parseParameter(cur);
      // Velocity 1.7 ranges take integer literals and references only.
      for (const end of [first, to]) if (end.kind !== 'int' && end.kind !== 'ref') throw cur.error('Encountered ".." with a non-integer bound');
      cur.skipWs();
      cur.expect(']');
      return { kind: 'range', from: first, to };
    }
    const rest = src.charCodeAt(cur.pos) === 44 ? (cur.pos++, parseArgumentList(cur, ']', false)) : (cur.expect(']'), []);
    return { kind: 'list', items: [first, ...rest] };
  }
  if (c === 123 /* { */) {
    cur.pos++;
    const entries: [Expr, Expr][] = [];
    cur.skipWs();
    if (src.charCodeAt(cur.pos) === 125) {
      cur.pos++;
      return { kind: 'map', entries };
    }
    for (;;) {
      const key = parseParameter(cur);
      cur.skipWs();
      cur.expect(':');
      const value = parseParameter(cur);
      entries.push([key, value]);
      cur.skipWs();
      if (src.charCodeAt(cur.pos) === 44) {
        cur.pos++;
        continue;
      }
      cur.expect('}');
      return { kind: 'map', entries };
    }
  }
  if (isIdentStart(c)) {
    const end = readIdent(src, cur.pos);
    const word = src.slice(cur.pos, end);
    if (word === 'true' || word === 'false') {
      cur.pos = end;
      return { kind: 'bool', value: word === 'true' };
    }
  }
  throw cur.unexpected();
}

/** "..." interpolates (Velocity parses it as a template); '...' does not. A doubled quote stands for one. */
function parseString(cur: Cursor, quote: number): Expr {
  const src = cur.src;
  const start = cur.pos + 1;
  let p = start;
  let value = '';
  let chunk = start;
  for (;;) {
    if (p >= src.length) throw cur.error('Lexical error: unterminated string literal', cur.pos);
    const c = src.charCodeAt(p);
    if (c === quote) {
      if (src.charCodeAt(p + 1) === quote) {
        value += src.slice(chunk, p + 1);
        p += 2;
        chunk = p;
        continue;
      }
      value += src.slice(chunk, p);
      break;
    }
    p++;
  }
  const contentOffset = start + cur.offset;
  cur.pos = p + 1;
  if (quote === 39 || (value.indexOf('$') < 0 && value.indexOf('#') < 0)) return { kind: 'string', value };
  const parts = parseInterpolation(cur, value, contentOffset);
  if (parts.length === 1 && parts[0]!.kind === 'text') return { kind: 'string', value: parts[0]!.text };
  if (parts.length === 0) return { kind: 'string', value: '' };
  return { kind: 'interpolated', parts };
}
