// Translates java.util.regex syntax to RE2's (re2js), for java-regex.ts. The two are close; what
// differs is rewritten so that RE2 matches what Java would:
//   `.`   Java stops at \n, \r, U+0085, U+2028, U+2029 (RE2 only at \n): written as a class;
//         (?s) and (?d) are tracked per group, as Java scopes them.
//   `^` `$` `\Z`  written as RE2 anchors. Java's `$` and `\Z` also match before a line break that
//         ends the input; RE2 has no lookahead to say so, so they match only at the very end.
//   `\s \h \v \R \e \cX \uXXXX \0oct`, POSIX `\p{Lower}`...: classes or code points RE2 knows.
//   `\Q...\E`: escaped character by character.
// Refused (a PatternSyntaxException, which the template sees as a Java exception): what RE2
// cannot run in linear time — backreferences (`\1`, `\k<n>`), lookahead (`(?=`, `(?!`), atomic
// groups (`(?>`), possessive quantifiers (`*+`) — and the rare rest: `\G \X \K`, `(?x)`, nested
// classes and `&&` intersections, Unicode blocks (`\p{InGreek}`). Lookbehind is kept: re2js
// runs it in linear time.

import { RE2JS } from 're2js';
import { VtlRuntimeError } from './errors.ts';

export function patternSyntaxError(pattern: string, why: string): VtlRuntimeError {
  return new VtlRuntimeError(`java.util.regex.PatternSyntaxException: ${why} near pattern "${pattern}"`);
}

/** Java's POSIX property names (US-ASCII only, as Java has them) to RE2's ASCII classes. */
const POSIX: Record<string, string> = {
  Lower: 'lower', Upper: 'upper', ASCII: 'ascii', Alpha: 'alpha', Digit: 'digit', Alnum: 'alnum', Punct: 'punct',
  Graph: 'graph', Print: 'print', Blank: 'blank', Cntrl: 'cntrl', XDigit: 'xdigit', Space: 'space',
};
/** java.lang.Character properties, as Unicode classes. */
const JAVA_CHARACTER: Record<string, string> = {
  javaLowerCase: '\\p{Ll}', javaUpperCase: '\\p{Lu}', javaLetter: '\\pL', javaDigit: '\\p{Nd}', javaLetterOrDigit: '\\pL\\p{Nd}',
  javaWhitespace: '\\t\\n\\x0B\\f\\r\\x1C-\\x1F\\p{Zs}\\x{2028}\\x{2029}', Alphabetic: '\\pL\\p{Nl}',
};

const SPACE = '\\t\\n\\x0B\\f\\r ';
const HORIZONTAL = ' \\t\\xA0\\x{1680}\\x{180E}\\x{2000}-\\x{200A}\\x{202F}\\x{205F}\\x{3000}';
const VERTICAL = '\\n\\x0B\\f\\r\\x{85}\\x{2028}\\x{2029}';
const LINE_BREAK = '(?:\\r\\n|[\\n\\x0B\\f\\r\\x{85}\\x{2028}\\x{2029}])';
const DOT = '[^\\n\\r\\x{85}\\x{2028}\\x{2029}]';

const ASCII_PUNCTUATION = /^[!-/:-@[-`{-~ ]$/;

function codePoint(cp: number): string {
  return `\\x{${cp.toString(16).toUpperCase()}}`;
}

/** A literal character for RE2 (inside or outside a class). */
function literal(ch: string): string {
  return ASCII_PUNCTUATION.test(ch) ? '\\' + ch : ch;
}

/** The text a pattern matches when it is made only of literal characters, or null. */
export function literalText(pattern: string): string | null {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      const d = pattern[i + 1];
      if (d === undefined || !ASCII_PUNCTUATION.test(d)) return null;
      out += d;
      i++;
    } else if ('^$.|?*+()[]{}'.includes(c)) {
      return null;
    } else {
      out += c;
    }
  }
  return out;
}

interface Flags {
  /** DOTALL: `.` matches everything. */
  s: boolean;
  /** UNIX_LINES: `.` stops only at \n. */
  d: boolean;
  /** MULTILINE: `^` and `$` at line breaks. */
  m: boolean;
}

class Translator {
  private i = 0;
  private out = '';
  private flags: Flags = { s: false, d: false, m: false };
  private readonly stack: Flags[] = [];
  re2Flags = 0;

  constructor(private readonly p: string) {}

  private refuse(why: string): never {
    throw patternSyntaxError(this.p, why);
  }

  translate(): string {
    const p = this.p;
    while (this.i < p.length) {
      const c = p[this.i]!;
      switch (c) {
        case '\\': this.out += this.escape(false); break;
        case '[': this.out += this.charClass(); break;
        case '(': this.group(); break;
        case ')':
          this.flags = this.stack.pop() ?? this.flags;
          this.out += ')';
          this.i++;
          break;
        case '.':
          this.out += this.flags.s ? '(?s:.)' : this.flags.d ? '[^\\n]' : DOT;
          this.i++;
          break;
        case '^':
          this.out += this.flags.m ? '(?m:^)' : '\\A';
          this.i++;
          break;
        case '$':
          this.out += this.flags.m ? '(?m:$)' : '\\z';
          this.i++;
          break;
        case '*': case '+': case '?':
          this.out += c;
          this.i++;
          this.quantifierSuffix();
          break;
        case '{': {
          const m = /^\{\d+(?:,\d*)?\}/.exec(p.slice(this.i, this.i + 24));
          if (m === null) this.refuse('Illegal repetition');
          this.out += m[0];
          this.i += m[0].length;
          this.quantifierSuffix();
          break;
        }
        default:
          this.out += c;
          this.i++;
      }
    }
    return this.out;
  }

  /** After a quantifier: `?` makes it lazy (RE2 has that); `+` makes it possessive (refused). */
  private quantifierSuffix(): void {
    const next = this.p[this.i];
    if (next === '+') this.refuse('possessive quantifiers are not supported (linear-time engine)');
    if (next === '?') {
      this.out += '?';
      this.i++;
    }
  }

  private group(): void {
    const p = this.p;
    this.stack.push({ ...this.flags });
    if (p[this.i + 1] !== '?') {
      this.out += '(';
      this.i++;
      return;
    }
    const rest = p.slice(this.i + 2, this.i + 2 + 40);
    if (rest.startsWith(':')) {
      this.out += '(?:';
      this.i += 3;
      return;
    }
    if (rest.startsWith('=') || rest.startsWith('!')) this.refuse('lookahead is not supported (linear-time engine)');
    if (rest.startsWith('>')) this.refuse('atomic groups are not supported (linear-time engine)');
    if (rest.startsWith('<=') || rest.startsWith('<!')) {
      this.re2Flags |= RE2JS.LOOKBEHINDS;
      this.out += '(?' + rest.slice(0, 2);
      this.i += 4;
      return;
    }
    const named = /^<([a-zA-Z][a-zA-Z0-9]*)>/.exec(rest);
    if (named !== null) {
      this.out += `(?P<${named[1]}>`;
      this.i += 2 + named[0].length;
      return;
    }
    const inline = /^([idmsuxU]*)(?:-([idmsuxU]*))?([):])/.exec(rest);
    if (inline === null) this.refuse('Unknown inline modifier');
    const [whole, on = '', off = '', end] = inline;
    let re2On = '';
    let re2Off = '';
    const apply = (letters: string, value: boolean): void => {
      for (const f of letters) {
        if (f === 'x') this.refuse('the (?x) flag is not supported');
        if (f === 'U') this.refuse('the (?U) flag is not supported');
        if (f === 's' || f === 'd' || f === 'm') this.flags[f] = value;
        // Only case folding is left to RE2; the anchors and `.` are written out per the flags above.
        if (f === 'i') value ? (re2On += 'i') : (re2Off += 'i');
      }
    };
    if (end === ')') {
      // `(?i)` changes the flags up to the end of the enclosing group: undo this group's push.
      this.stack.pop();
      apply(on, true);
      apply(off, false);
      if (re2On !== '' || re2Off !== '') this.out += `(?${re2On}${re2Off !== '' ? '-' + re2Off : ''})`;
    } else {
      apply(on, true);
      apply(off, false);
      this.out += re2On !== '' || re2Off !== '' ? `(?${re2On}${re2Off !== '' ? '-' + re2Off : ''}:` : '(?:';
    }
    this.i += 2 + whole.length;
  }

  private charClass(): string {
    const p = this.p;
    let out = '[';
    this.i++;
    if (p[this.i] === '^') {
      out += '^';
      this.i++;
    }
    if (p[this.i] === ']') {
      out += '\\]';
      this.i++;
    }
    while (this.i < p.length) {
      const c = p[this.i]!;
      if (c === ']') {
        this.i++;
        return out + ']';
      }
      if (c === '\\') {
        out += this.escape(true);
        continue;
      }
      if (c === '[') {
        if (p[this.i + 1] !== ':') this.refuse('nested character classes are not supported');
        out += '\\[';
      } else if (c === '&' && p[this.i + 1] === '&') {
        this.refuse('character class intersection is not supported');
      } else {
        out += c;
      }
      this.i++;
    }
    this.refuse('Unclosed character class');
  }

  /** The escape at this.i (a backslash), as RE2 text for inside or outside a class. */
  private escape(inClass: boolean): string {
    const p = this.p;
    const d = p[this.i + 1];
    if (d === undefined) this.refuse('Unexpected internal error');
    this.i += 2;
    switch (d) {
      case 'd': case 'D': case 'w': case 'W': case 't': case 'n': case 'r': case 'f': case 'a':
        return '\\' + d;
      case 'b': case 'B':
        if (inClass) this.refuse('Illegal/unsupported escape sequence');
        return '\\' + d;
      case 's': return inClass ? SPACE : `[${SPACE}]`;
      case 'S': return inClass ? '\\S' : `[^${SPACE}]`;
      case 'h': return inClass ? HORIZONTAL : `[${HORIZONTAL}]`;
      case 'v': return inClass ? VERTICAL : `[${VERTICAL}]`;
      case 'H': case 'V':
        if (inClass) this.refuse(`\\${d} inside a character class is not supported`);
        return `[^${d === 'H' ? HORIZONTAL : VERTICAL}]`;
      case 'R':
        if (inClass) this.refuse('Illegal/unsupported escape sequence');
        return LINE_BREAK;
      case 'A': case 'z': case 'Z':
        if (inClass) this.refuse('Illegal/unsupported escape sequence');
        return d === 'A' ? '\\A' : '\\z';
      case 'e': return codePoint(0x1b);
      case 'c': {
        const x = p.charCodeAt(this.i);
        if (Number.isNaN(x)) this.refuse('Illegal control escape sequence');
        this.i++;
        return codePoint(x ^ 64);
      }
      case 'x': {
        const m = /^(?:[0-9a-fA-F]{2}|\{[0-9a-fA-F]{1,6}\})/.exec(p.slice(this.i, this.i + 8));
        if (m === null) this.refuse('Illegal hexadecimal escape sequence');
        this.i += m[0].length;
        return codePoint(parseInt(m[0].replace(/[{}]/g, ''), 16));
      }
      case 'u': {
        const m = /^[0-9a-fA-F]{4}/.exec(p.slice(this.i, this.i + 4));
        if (m === null) this.refuse('Illegal Unicode escape sequence');
        this.i += 4;
        let cp = parseInt(m[0], 16);
        const low = /^\\u([dD][c-fC-F][0-9a-fA-F]{2})/.exec(p.slice(this.i, this.i + 6));
        if (cp >= 0xd800 && cp <= 0xdbff && low !== null) {
          cp = 0x10000 + ((cp - 0xd800) << 10) + (parseInt(low[1]!, 16) - 0xdc00);
          this.i += 6;
        }
        return codePoint(cp);
      }
      case '0': {
        const m = /^(?:[0-3][0-7]{2}|[0-7]{1,2})/.exec(p.slice(this.i, this.i + 3));
        if (m === null) this.refuse('Illegal octal escape sequence');
        this.i += m[0].length;
        return codePoint(parseInt(m[0], 8));
      }
      case 'Q': {
        const end = p.indexOf('\\E', this.i);
        const quoted = end < 0 ? p.slice(this.i) : p.slice(this.i, end);
        this.i = end < 0 ? p.length : end + 2;
        return [...quoted].map(literal).join('');
      }
      case 'p': case 'P':
        return this.property(d === 'P', inClass);
      case 'k':
        this.refuse('backreferences are not supported (linear-time engine)');
    }
    if (d >= '1' && d <= '9') this.refuse('backreferences are not supported (linear-time engine)');
    if (/[a-zA-Z]/.test(d)) this.refuse(`Illegal/unsupported escape sequence \\${d}`);
    return literal(d);
  }

  /** `\p{Name}`, `\pL` and their negations. */
  private property(negated: boolean, inClass: boolean): string {
    const p = this.p;
    let name: string;
    if (p[this.i] === '{') {
      const end = p.indexOf('}', this.i);
      if (end < 0) this.refuse('Unclosed character family');
      name = p.slice(this.i + 1, end);
      this.i = end + 1;
    } else {
      name = p[this.i] ?? '';
      this.i++;
    }
    const bare = name.startsWith('Is') ? name.slice(2) : name;
    const posix = POSIX[bare];
    if (posix !== undefined) {
      const cls = `[:${negated ? '^' : ''}${posix}:]`;
      return inClass ? cls : `[${cls}]`;
    }
    const java = JAVA_CHARACTER[bare];
    if (java !== undefined) {
      if (negated && inClass) this.refuse(`\\P{${name}} inside a character class is not supported`);
      return inClass ? java : `[${negated ? '^' : ''}${java}]`;
    }
    // Unicode categories (L, Lu, Nd...) and scripts (Latin, Greek...) are RE2's own; blocks (InGreek) are not.
    if (!/^[A-Za-z_]+$/.test(bare) || bare.startsWith('In')) this.refuse(`Unknown character property name {${name}}`);
    return `\\${negated ? 'P' : 'p'}{${bare}}`;
  }
}

/** RE2 source and flags for a Java pattern; throws VtlRuntimeError (PatternSyntaxException) when refused. */
export function toRe2(pattern: string): { source: string; flags: number } {
  const t = new Translator(pattern);
  const source = t.translate();
  return { source, flags: t.re2Flags };
}
