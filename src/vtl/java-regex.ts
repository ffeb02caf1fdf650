// Java regular expressions (String.replaceAll, replaceFirst, split, matches) on JS RegExp.
// Java's syntax is close to JS's; the differences that matter in templates are translated:
// leading inline flags `(?i)`, `\Q...\E` quoting, `\A`, `\z`, `\Z`, Java's `$` (which also
// matches before a final line break), possessive quantifiers and atomic groups (approximated
// as greedy ones), a few POSIX classes. Anything else unsupported is a VtlRuntimeError.
// Patterns with nested quantifiers such as `(a+)+` are refused: templates are untrusted and a
// catastrophically backtracking pattern would block the event loop beyond any time limit.

import { VtlRuntimeError } from './errors.ts';

const POSIX: Record<string, string> = {
  Lower: 'a-z', Upper: 'A-Z', Alpha: 'a-zA-Z', Digit: '0-9', Alnum: 'a-zA-Z0-9', XDigit: '0-9a-fA-F',
  Punct: '!-\\/:-@\\[-`{-~', Space: ' \\t\\n\\x0B\\f\\r', Blank: ' \\t', ASCII: '\\x00-\\x7F', Cntrl: '\\x00-\\x1F\\x7F',
  Graph: '!-~', Print: ' -~', javaLowerCase: 'a-z', javaUpperCase: 'A-Z', L: 'a-zA-Z\\u00C0-\\u024F', IsAlphabetic: 'a-zA-Z',
};

const NESTED_QUANTIFIER = /\((?:[^()\\]|\\.)*[+*}](?:[^()\\]|\\.)*\)[+*{]/;

const cache = new Map<string, RegExp>();
const anchoredCache = new Map<string, RegExp>();
const CACHE_LIMIT = 256;

function syntaxError(pattern: string, why: string): VtlRuntimeError {
  return new VtlRuntimeError(`java.util.regex.PatternSyntaxException: ${why} near pattern "${pattern}"`);
}

/** A global JS RegExp equivalent to the Java pattern (lastIndex must be reset by the caller). */
export function javaRegex(pattern: string): RegExp {
  const hit = cache.get(pattern);
  if (hit !== undefined) return hit;
  if (pattern.length > 1000) throw syntaxError(pattern.slice(0, 40), 'pattern longer than 1000 characters');
  if (NESTED_QUANTIFIER.test(pattern)) throw syntaxError(pattern, 'nested quantifiers are not allowed');
  let flags = 'g';
  let src = pattern;
  const inline = /^\(\?([imsx]+)\)/.exec(src);
  if (inline !== null) {
    if (inline[1]!.includes('x')) throw syntaxError(pattern, 'the (?x) flag is not supported');
    flags += inline[1]!.replace(/[^ims]/g, '');
    src = src.slice(inline[0].length);
  }
  const multiline = flags.includes('m');
  let out = '';
  let inClass = 0;
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (c === '\\') {
      const d = src[i + 1];
      if (d === undefined) throw syntaxError(pattern, 'unexpected end of pattern');
      if (d === 'Q') {
        const end = src.indexOf('\\E', i + 2);
        const quoted = end < 0 ? src.slice(i + 2) : src.slice(i + 2, end);
        out += quoted.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
        i = end < 0 ? src.length : end + 1;
        continue;
      }
      if (d === 'p' || d === 'P') {
        const m = /^\{(?:Is)?(\w+)\}/.exec(src.slice(i + 2));
        const cls = m === null ? undefined : POSIX[m[1]!];
        if (m === null || cls === undefined) throw syntaxError(pattern, 'unsupported character property');
        out += inClass ? cls : d === 'p' ? `[${cls}]` : `[^${cls}]`;
        i += 1 + m[0].length;
        continue;
      }
      if (!inClass && d === 'A') out += '^';
      else if (!inClass && d === 'z') out += '$(?![\\s\\S])';
      else if (!inClass && d === 'Z') out += '(?=\\n?$(?![\\s\\S]))';
      else if (d === 'h') out += inClass ? ' \\t\\xA0' : '[ \\t\\xA0]';
      else if ('GRXK'.includes(d)) throw syntaxError(pattern, `\\${d} is not supported`);
      else out += c + d;
      i++;
      continue;
    }
    if (inClass) {
      if (c === '[') {
        if (src[i + 1] === ':') out += '\\[';
        else throw syntaxError(pattern, 'nested character classes are not supported');
        continue;
      }
      if (c === '&' && src[i + 1] === '&') throw syntaxError(pattern, 'character class intersection is not supported');
      if (c === ']') inClass = 0;
      out += c;
      continue;
    }
    if (c === '[') {
      inClass = 1;
      out += c;
      if (src[i + 1] === '^') out += src[++i];
      if (src[i + 1] === ']') out += '\\' + src[++i];
      continue;
    }
    if (c === '$' && !multiline) {
      out += '(?=\\n?$(?![\\s\\S]))';
      continue;
    }
    if (c === '(' && src[i + 1] === '?' && src[i + 2] === '>') {
      out += '(?:';
      i += 2;
      continue;
    }
    if ((c === '+' || c === '*' || c === '?' || c === '}') && src[i + 1] === '+') {
      out += c;
      i++;
      continue;
    }
    out += c;
  }
  let re: RegExp;
  try {
    re = new RegExp(out, flags);
  } catch (e) {
    throw syntaxError(pattern, (e as Error).message);
  }
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(pattern, re);
  return re;
}

/** Java's Matcher.replaceAll / replaceFirst with Java replacement syntax (`$1`, `${name}`, `\$`). */
export function javaReplace(subject: string, pattern: string, replacement: string, all: boolean): string {
  const re = javaRegex(pattern);
  re.lastIndex = 0;
  let out = '';
  let last = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(subject)) !== null) {
    out += subject.slice(last, m.index) + expandReplacement(replacement, m, pattern);
    last = m.index + m[0].length;
    if (m[0].length === 0) {
      if (re.lastIndex < subject.length) out += subject[re.lastIndex];
      re.lastIndex++;
      last = re.lastIndex;
      if (last > subject.length) break;
    }
    if (!all) break;
  }
  return out + subject.slice(Math.min(last, subject.length));
}

function expandReplacement(rep: string, m: RegExpExecArray, pattern: string): string {
  if (rep.indexOf('$') < 0 && rep.indexOf('\\') < 0) return rep;
  let out = '';
  for (let i = 0; i < rep.length; i++) {
    const c = rep[i];
    if (c === '\\') {
      i++;
      if (i >= rep.length) throw new VtlRuntimeError('java.lang.IllegalArgumentException: character to be escaped is missing');
      out += rep[i];
    } else if (c === '$') {
      if (rep[i + 1] === '{') {
        const end = rep.indexOf('}', i);
        const name = rep.slice(i + 2, end);
        const g = m.groups?.[name];
        if (end < 0 || m.groups === undefined || !(name in m.groups)) throw new VtlRuntimeError(`java.lang.IllegalArgumentException: No group with name {${name}}`);
        out += g ?? '';
        i = end;
        continue;
      }
      let j = i + 1;
      if (!(rep.charCodeAt(j) >= 48 && rep.charCodeAt(j) <= 57)) throw new VtlRuntimeError('java.lang.IllegalArgumentException: Illegal group reference');
      let group = rep.charCodeAt(j) - 48;
      j++;
      // Java takes more digits only while the group number stays valid.
      while (j < rep.length && rep.charCodeAt(j) >= 48 && rep.charCodeAt(j) <= 57) {
        const next = group * 10 + (rep.charCodeAt(j) - 48);
        if (next >= m.length) break;
        group = next;
        j++;
      }
      if (group >= m.length) throw new VtlRuntimeError(`java.lang.IndexOutOfBoundsException: No group ${group} in pattern ${pattern}`);
      out += m[group] ?? '';
      i = j - 1;
    } else {
      out += c;
    }
  }
  return out;
}

/** Java's String.split(regex, limit) (limit 0: trailing empty strings removed). */
export function javaSplit(subject: string, pattern: string, limit = 0): string[] {
  const parts: string[] = [];
  const re = javaRegex(pattern);
  re.lastIndex = 0;
  let last = 0;
  let m: RegExpExecArray | null;
  while ((limit <= 0 || parts.length < limit - 1) && (m = re.exec(subject)) !== null) {
    if (m[0].length === 0) {
      if (m.index >= subject.length) break;
      if (m.index === 0) {
        re.lastIndex++;
        continue;
      }
    }
    parts.push(subject.slice(last, m.index));
    last = m.index + m[0].length;
    if (m[0].length === 0) re.lastIndex++;
  }
  if (subject.length === 0) return [''];
  parts.push(subject.slice(last));
  if (limit === 0) while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/** Java's String.matches: the whole string must match. */
export function javaMatches(subject: string, pattern: string): boolean {
  const re = javaRegex(pattern);
  re.lastIndex = 0;
  const m = re.exec(subject);
  if (m !== null && m.index === 0 && m[0].length === subject.length) return true;
  // The leftmost match may be shorter than a full match: try again anchored.
  let anchored = anchoredCache.get(pattern);
  if (anchored === undefined) {
    anchored = new RegExp(`^(?:${re.source})$(?![\\s\\S])`, re.flags.replace('g', ''));
    if (anchoredCache.size >= CACHE_LIMIT) anchoredCache.clear();
    anchoredCache.set(pattern, anchored);
  }
  return anchored.test(subject);
}
