// Template-level parser: turns Velocity 1.7 source into the tree of ast.ts. It scans the source
// directly (Velocity's lexer is modal: text, references, directive arguments), and hands
// directive arguments to the expression parser (expression.ts) on the same cursor.
//
// Whitespace follows what Velocity 1.7 emits (checked against the real engine, see
// tools/velocity-oracle): a directive's closing `)`, `#else` and `#end` swallow trailing
// spaces/tabs when a newline follows, and the newline with them; `#set` also swallows the
// spaces/tabs just before it unless they belong to a run of plain text.

import type { Expr, Node, RefNode } from './ast.ts';
import { Cursor, isIdentPart, isIdentStart } from './cursor.ts';
import { parseExpression, parseReferenceAt, parseArgumentList } from './expression.ts';

const DIRECTIVE_NAME = /[a-zA-Z_][a-zA-Z0-9_]*/y;

type Terminator = 'end' | 'else' | 'elseif' | 'eof';

interface Block { nodes: Node[]; ended: Terminator; at: number }

export function parseTemplate(source: string, name: string): Node[] {
  const cur = new Cursor(source, name);
  const block = parseBlock(cur, false);
  if (block.ended !== 'eof') throw cur.error(`Encountered "#${block.ended}"`, block.at);
  return block.nodes;
}

/** Parses the inside of a double-quoted string literal as a template (Velocity interpolates it). */
export function parseInterpolation(cur: Cursor, text: string, offset: number): Node[] {
  const inner = new Cursor(text, cur.name, cur.source, offset);
  const block = parseBlock(inner, false);
  if (block.ended !== 'eof') throw inner.error(`Encountered "#${block.ended}"`, block.at);
  return block.nodes;
}

function parseBlock(cur: Cursor, inBlock: boolean): Block {
  return new BlockParser(cur, inBlock).parse();
}

/** One block of template text up to its #end/#else/#elseif (or the end of the template). */
class BlockParser {
  private readonly nodes: Node[] = [];
  private text = '';
  /** Where the current run of plain text began: #set swallows whitespace only when it is a run of its own. */
  private textRunStart: number;

  constructor(private readonly cur: Cursor, private readonly inBlock: boolean) {
    this.textRunStart = cur.pos;
  }

  parse(): Block {
    const { cur } = this;
    const src = cur.src;
    while (cur.pos < src.length) {
      const c = src.charCodeAt(cur.pos);
      if (c === 36 /* $ */) this.dollar();
      else if (c === 92 /* \ */) this.backslashes();
      else if (c !== 35 /* # */) this.plainText();
      else {
        const ended = this.hash();
        if (ended !== null) return ended;
      }
    }
    this.flush();
    return { nodes: this.nodes, ended: 'eof', at: cur.pos };
  }

  private flush(): void {
    if (this.text !== '') this.nodes.push({ kind: 'text', text: this.text });
    this.text = '';
  }

  /** Text that is a token of its own for Velocity's lexer: whitespace after it starts a new run. */
  private token(text: string, end: number): void {
    this.text += text;
    this.cur.pos = end;
    this.textRunStart = end;
  }

  private node(n: Node): void {
    this.flush();
    this.nodes.push(n);
    this.textRunStart = this.cur.pos;
  }

  private reference(ref: RefNode): void {
    this.node(ref);
    this.text += tokenAfterReference(this.cur, ref);
    this.textRunStart = this.cur.pos;
  }

  private dollar(): void {
    const ref = parseReferenceAt(this.cur, this.cur.pos, 0);
    if (ref === null) this.token('$', this.cur.pos + 1);
    else this.reference(ref);
  }

  /** Backslashes, escaping a reference (`\$a`) or a directive (`\#if`) or standing for themselves. */
  private backslashes(): void {
    const { cur } = this;
    const src = cur.src;
    let n = 0;
    while (src.charCodeAt(cur.pos + n) === 92) n++;
    const after = cur.pos + n;
    if (src.charCodeAt(after) === 36) {
      const ref = parseReferenceAt(cur, after, n);
      if (ref !== null) return this.reference(ref);
    } else if (src.charCodeAt(after) === 35 /* # */) {
      const word = directiveWord(src, after);
      // `\#if@` stays text: Velocity's lexer reads "if@" as one word.
      if (word !== null && ESCAPABLE.has(word.name) && src.charCodeAt(word.end) !== 64) {
        // `\#if` prints `#if`; `\\#if(...)` prints one backslash and runs the directive.
        this.text += '\\'.repeat(n >> 1);
        if (n % 2 === 1) this.token(src.slice(after, word.end), word.end);
        else cur.pos = after;
        return;
      }
    }
    this.token(src.slice(cur.pos, after), after);
  }

  private plainText(): void {
    const { cur } = this;
    const src = cur.src;
    let end = cur.pos + 1;
    while (end < src.length) {
      const d = src.charCodeAt(end);
      if (d === 36 || d === 35 || d === 92) break;
      end++;
    }
    this.text += src.slice(cur.pos, end);
    cur.pos = end;
  }

  /** A '#': comment, unparsed block, directive, macro call or text. Returns the block's end when it ends here. */
  private hash(): Block | null {
    const { cur } = this;
    const src = cur.src;
    const next = src.charCodeAt(cur.pos + 1);
    if (next === 35 /* ## */) {
      const nl = src.indexOf('\n', cur.pos);
      this.token('', nl < 0 ? src.length : nl + 1);
      return null;
    }
    if (next === 42 /* #* */) {
      const end = src.indexOf('*#', cur.pos + 2);
      // Velocity 1.7 lets an unterminated block comment run to the end of the template.
      this.token('', end < 0 ? src.length : end + 2);
      return null;
    }
    if (next === 91 /* [ */ && src.charCodeAt(cur.pos + 2) === 91) {
      const end = src.indexOf(']]#', cur.pos + 3);
      if (end < 0) throw cur.error('Lexical error: unterminated "#[["', cur.pos);
      this.token(src.slice(cur.pos + 3, end), end + 3);
      return null;
    }
    if (cur.pos === src.length - 1 && cur.src === cur.source) throw cur.error('Lexical error: Encountered <EOF> after "#"');
    const word = directiveWord(src, cur.pos);
    if (word === null) {
      this.token('#', cur.pos + 1);
      return null;
    }
    const at = cur.pos;
    const ended = this.directive(word, at);
    if (ended === false) {
      // Not a directive after all: `#word` is text, and a token of its own for Velocity's lexer.
      this.token(src.slice(at, word.end), word.end);
      return null;
    }
    return ended;
  }

  /** The directive `word` at `at`: false when it is no directive; the block's end for #end/#else/#elseif. */
  private directive(word: { name: string; end: number; braced: boolean }, at: number): Block | null | false {
    const { cur } = this;
    const src = cur.src;
    const withArgs = followedByParen(src, word.end);
    switch (word.name) {
      case 'end':
      case 'else':
      case 'elseif':
        cur.pos = word.end;
        if (word.name !== 'elseif') eatLineEnd(cur);
        this.flush();
        if (!this.inBlock) throw cur.error(`Encountered "#${word.name}"`, at);
        return { nodes: this.nodes, ended: word.name, at };
      case 'set':
        if (!withArgs) return false;
        // Velocity's #set token begins with the spaces and tabs before it, unless plain text owns them.
        if (at > this.textRunStart && /^[ \t]+$/.test(src.slice(this.textRunStart, at))) {
          this.text = this.text.slice(0, this.text.length - (at - this.textRunStart));
        }
        this.flush();
        cur.pos = word.end;
        this.node(parseSet(cur, at));
        return null;
      case 'if':
      case 'foreach':
      case 'macro':
      case 'define':
        if (!withArgs) return false;
        this.flush();
        cur.pos = word.end;
        this.node(word.name === 'if' ? parseIf(cur) : word.name === 'foreach' ? parseForeach(cur, at) : word.name === 'macro' ? parseMacro(cur) : parseDefine(cur));
        return null;
      case 'break':
      case 'stop':
        this.flush();
        cur.pos = word.end;
        eatLineEnd(cur);
        this.node({ kind: word.name });
        return null;
      default: {
        if (!withArgs || word.braced) return false;
        // `#name(...)`: a macro call. Velocity resolves it when rendering and prints it as text when no such macro exists.
        this.flush();
        cur.pos = word.end;
        skipSpaces(cur);
        cur.pos++; // (
        const args = parseArgumentList(cur, ')', true);
        const literal = src.slice(at, cur.pos);
        const before = cur.pos;
        eatLineEnd(cur);
        this.node({ kind: 'macrocall', at, name: word.name, args, literal, trailing: src.slice(before, cur.pos) });
        return null;
      }
    }
  }
}

/**
 * Velocity's lexer, still in its reference state after a reference, takes a '{' or '}' right after
 * it, or a word right after its `)` or `]`, as a token of its own: whitespace after that starts a
 * new token (which a following #set swallows). Consumes and returns that text.
 */
function tokenAfterReference(cur: Cursor, ref: RefNode): string {
  const src = cur.src;
  const start = cur.pos;
  const after = src.charCodeAt(start);
  if (after === 123 || after === 125) {
    cur.pos++;
  } else if (ref.parts.length > 0 && ref.parts[ref.parts.length - 1]!.kind !== 'prop' && !ref.literal.endsWith('}') && isIdentStart(after)) {
    while (isIdentPart(src.charCodeAt(cur.pos))) cur.pos++;
  }
  return src.slice(start, cur.pos);
}

/** Directives a backslash can escape (`\#if` prints `#if`). */
const ESCAPABLE = new Set(['if', 'elseif', 'else', 'end', 'set', 'foreach', 'break', 'stop', 'macro', 'define']);

/** `#name` or `#{name}` at `pos`; null when the `#` starts no word. */
function directiveWord(src: string, pos: number): { name: string; end: number; braced: boolean } | null {
  if (src.charCodeAt(pos + 1) === 123 /* { */) {
    DIRECTIVE_NAME.lastIndex = pos + 2;
    const m = DIRECTIVE_NAME.exec(src);
    if (m === null || src.charCodeAt(pos + 2 + m[0].length) !== 125) return null;
    return { name: m[0], end: pos + 3 + m[0].length, braced: true };
  }
  DIRECTIVE_NAME.lastIndex = pos + 1;
  const m = DIRECTIVE_NAME.exec(src);
  if (m === null) return null;
  return { name: m[0], end: pos + 1 + m[0].length, braced: false };
}

function followedByParen(src: string, pos: number): boolean {
  while (src.charCodeAt(pos) === 32 || src.charCodeAt(pos) === 9) pos++;
  return src.charCodeAt(pos) === 40;
}

function skipSpaces(cur: Cursor): void {
  const src = cur.src;
  while (cur.pos < src.length) {
    const c = src.charCodeAt(cur.pos);
    if (c === 32 || c === 9 || c === 10 || c === 13) cur.pos++;
    else break;
  }
}

/** Swallows `[ \t]*` and one line break after a directive, but only when the line break is there. */
export function eatLineEnd(cur: Cursor): void {
  const src = cur.src;
  let p = cur.pos;
  while (src.charCodeAt(p) === 32 || src.charCodeAt(p) === 9) p++;
  const c = src.charCodeAt(p);
  if (c === 10) cur.pos = p + 1;
  else if (c === 13) cur.pos = src.charCodeAt(p + 1) === 10 ? p + 2 : p + 1;
}

function openParen(cur: Cursor): void {
  skipSpaces(cur);
  cur.expect('(');
}

function closeParen(cur: Cursor): void {
  cur.skipWs();
  cur.expect(')');
  eatLineEnd(cur);
}

function parseSet(cur: Cursor, at: number): Node {
  openParen(cur);
  cur.skipWs();
  if (cur.src.charCodeAt(cur.pos) !== 36) throw cur.unexpected();
  const target = parseReferenceAt(cur, cur.pos, 0);
  if (target === null || target.parts.some((p) => p.kind === 'method') && target.parts[target.parts.length - 1]!.kind === 'method') {
    throw cur.unexpected();
  }
  cur.skipWs();
  cur.expect('=');
  const value = parseExpression(cur);
  closeParen(cur);
  return { kind: 'set', at, target, value };
}

function parseIf(cur: Cursor): Node {
  const branches: { cond: Expr; body: Node[] }[] = [];
  let otherwise: Node[] | null = null;
  openParen(cur);
  let cond = parseExpression(cur);
  closeParen(cur);
  for (;;) {
    const block = parseBlock(cur, true);
    if (otherwise !== null) {
      otherwise = block.nodes;
      if (block.ended !== 'end') throw cur.error(block.ended === 'eof' ? 'Encountered "<EOF>"' : `Encountered "#${block.ended}"`, block.at);
      break;
    }
    branches.push({ cond, body: block.nodes });
    if (block.ended === 'end') break;
    if (block.ended === 'eof') throw cur.error('Encountered "<EOF>"', block.at);
    if (block.ended === 'elseif') {
      openParen(cur);
      cond = parseExpression(cur);
      closeParen(cur);
    } else {
      otherwise = [];
    }
  }
  return { kind: 'if', branches, otherwise };
}

function parseForeach(cur: Cursor, at: number): Node {
  openParen(cur);
  cur.skipWs();
  const ref = parseReferenceAt(cur, cur.pos, 0);
  if (ref === null || ref.parts.length > 0) throw cur.unexpected();
  cur.skipWs();
  let iterable: Expr;
  if (cur.src.startsWith('in', cur.pos) && !isIdentPart(cur.src.charCodeAt(cur.pos + 2))) {
    cur.pos += 2;
    cur.skipWs();
    // `#foreach($x in)` parses in Velocity 1.7 and iterates nothing.
    iterable = cur.src.charCodeAt(cur.pos) === 41 ? { kind: 'ref', ref: NOTHING } : parseExpression(cur);
  } else {
    // `#foreach($x $list)` parses too, and renders nothing.
    parseExpression(cur);
    iterable = { kind: 'ref', ref: NOTHING };
  }
  closeParen(cur);
  const block = parseBlock(cur, true);
  if (block.ended !== 'end') throw cur.error(block.ended === 'eof' ? 'Encountered "<EOF>"' : `Encountered "#${block.ended}"`, block.at);
  return { kind: 'foreach', at, variable: ref.name, iterable, body: block.nodes };
}

function parseMacro(cur: Cursor): Node {
  openParen(cur);
  cur.skipWs();
  DIRECTIVE_NAME.lastIndex = cur.pos;
  const m = DIRECTIVE_NAME.exec(cur.src);
  if (m === null) throw cur.unexpected();
  cur.pos += m[0].length;
  const params: string[] = [];
  for (;;) {
    cur.skipWs();
    if (cur.src.charCodeAt(cur.pos) === 44 /* , */) {
      cur.pos++;
      continue;
    }
    if (cur.src.charCodeAt(cur.pos) === 41) break;
    const ref = parseReferenceAt(cur, cur.pos, 0);
    if (ref === null || ref.parts.length > 0) throw cur.unexpected();
    params.push(ref.name);
  }
  closeParen(cur);
  const block = parseBlock(cur, true);
  if (block.ended !== 'end') throw cur.error(block.ended === 'eof' ? 'Encountered "<EOF>"' : `Encountered "#${block.ended}"`, block.at);
  return { kind: 'macrodef', name: m[0], params, body: block.nodes };
}

function parseDefine(cur: Cursor): Node {
  openParen(cur);
  cur.skipWs();
  const ref = parseReferenceAt(cur, cur.pos, 0);
  if (ref === null || ref.parts.length > 0) throw cur.unexpected();
  closeParen(cur);
  const block = parseBlock(cur, true);
  if (block.ended !== 'end') throw cur.error(block.ended === 'eof' ? 'Encountered "<EOF>"' : `Encountered "#${block.ended}"`, block.at);
  return { kind: 'define', variable: ref.name, body: block.nodes };
}

/** A reference no template can name, standing for "nothing to iterate". */
const NOTHING: RefNode = { kind: 'ref', at: 0, name: ' nothing', parts: [], quiet: true, escapes: 0, literal: '' };

export type { RefNode };
