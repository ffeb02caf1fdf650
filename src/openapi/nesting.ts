// How deeply a definition's text nests, measured before any parser sees it. Parsers build every
// level they read: 5 MB of `[` kept the YAML parser busy for minutes and then out of memory, so
// depth has to be refused from the bytes, in one linear pass that allocates nothing.
//
// No library offers this: JSON.parse and yaml have no depth option, and yaml's tokenizer is the
// part that is slow on deep input. The scan is deliberately approximate where YAML is ambiguous
// (brackets in plain scalars, comments, block scalars count as nesting). An error can only count
// too much, and a real definition does not open 64 brackets it never closes; whatever the scan
// misses is still bounded by the parser's worker limits (parse.ts).

const SPACE = 0x20;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const DQUOTE = 0x22;
const SQUOTE = 0x27;
const HASH = 0x23;
const BACKSLASH = 0x5c;

/** Characters after which a quote opens a quoted scalar (or starts a JSON string). */
function opensScalar(prev: number): boolean {
  return prev === -1 || prev === 0x3a /* : */ || prev === 0x2c /* , */ || prev === 0x5b /* [ */ || prev === 0x7b /* { */ || prev === 0x2d /* - */ || prev === 0x3f /* ? */;
}

/**
 * The deepest nesting the text shows, counting flow brackets (`[`, `{`) outside quoted strings
 * and, for YAML, the block structure of each line: its indentation plus the `- `, `? ` and `: `
 * indicators that open a nested collection on the same line (`- - - x`). Stops counting once
 * either passes its limit.
 */
export function exceedsNesting(text: string, maxDepth: number, maxIndent: number, yaml: boolean): boolean {
  let depth = 0;
  // The last significant character on this line, for deciding whether a quote opens a scalar.
  let prev = -1;
  let atLineStart = true;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    let c = text.charCodeAt(i);
    if (atLineStart) {
      atLineStart = false;
      if (yaml) {
        // Indentation, then indicators each followed by a space: the columns this line's content
        // starts at bound how many block collections it is nested in.
        const start = i;
        let indicators = false;
        for (;;) {
          while (i < n && text.charCodeAt(i) === SPACE) i++;
          const ind = i < n ? text.charCodeAt(i) : -1;
          const next = i + 1 < n ? text.charCodeAt(i + 1) : -1;
          if ((ind === 0x2d || ind === 0x3f || ind === 0x3a) && (next === SPACE || next === TAB)) {
            i += 2;
            indicators = true;
          } else break;
        }
        // A line of nothing but spaces says nothing about nesting, however many it holds.
        c = i < n ? text.charCodeAt(i) : LF;
        if (i - start > maxIndent && (indicators || (c !== LF && c !== CR))) return true;
        if (i >= n) break;
      }
    }
    if (c === LF || c === CR) {
      atLineStart = true;
      prev = -1;
      continue;
    }
    if (c === SPACE || c === TAB) continue;
    if (c === HASH && yaml && (i === 0 || isBlank(text.charCodeAt(i - 1)))) {
      // A comment runs to the end of the line.
      while (i + 1 < n && text.charCodeAt(i + 1) !== LF && text.charCodeAt(i + 1) !== CR) i++;
      continue;
    }
    if ((c === DQUOTE || c === SQUOTE) && opensScalar(prev)) {
      i = skipQuoted(text, i, c);
      prev = c;
      continue;
    }
    if (c === 0x5b || c === 0x7b) {
      if (++depth > maxDepth) return true;
    } else if (c === 0x5d || c === 0x7d) {
      if (depth > 0) depth--;
    }
    prev = c;
  }
  return false;
}

function isBlank(c: number): boolean {
  return c === SPACE || c === TAB || c === LF || c === CR;
}

/** Index of the quote closing the scalar that opens at `i` (or the end of the text). */
function skipQuoted(text: string, i: number, quote: number): number {
  const n = text.length;
  for (let j = i + 1; j < n; j++) {
    const c = text.charCodeAt(j);
    // Double quotes escape with a backslash; single quotes escape a quote by doubling it, which
    // reads as closing and reopening and needs no case of its own.
    if (quote === DQUOTE && c === BACKSLASH) j++;
    else if (c === quote) return j;
  }
  return n;
}
