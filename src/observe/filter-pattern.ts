// CloudWatch Logs filter patterns (FilterLogEvents' filterPattern, `aws logs tail --filter-pattern`):
// - terms: every term must appear in the message (case-sensitive); "a quoted phrase" is one term;
//   ?term makes the terms so marked alternatives (any one of them suffices); -term must not appear;
// - JSON: { $.field.sub = value } against a message that is a JSON object, with = != < > <= >=,
//   * as a wildcard in string values, IS TRUE / FALSE / NULL, NOT EXISTS, && and || (&& binds
//   tighter) and parentheses;
// - space-delimited: [f1, f2=value, ..., fN] against the message's fields (split on spaces, a
//   "quoted" or [bracketed] field counting as one), with the same comparisons and ... for any
//   number of fields.
// A pattern that is none of these throws FilterPatternError (InvalidParameterException).

export class FilterPatternError extends Error {}

export type Matcher = (message: string) => boolean;

export function compileFilterPattern(pattern: string | undefined): Matcher {
  const p = (pattern ?? '').trim();
  if (p === '') return () => true;
  if (p.startsWith('{')) return jsonMatcher(p);
  if (p.startsWith('[')) return delimitedMatcher(p);
  return termMatcher(p);
}

// ---------------------------------------------------------------- terms

function termMatcher(p: string): Matcher {
  const all: string[] = [];
  const any: string[] = [];
  const none: string[] = [];
  for (const m of p.matchAll(/([?-]?)(?:"((?:[^"\\]|\\.)*)"|(\S+))/g)) {
    const term = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3]!;
    if (m[1] === '?') any.push(term);
    else if (m[1] === '-') none.push(term);
    else all.push(term);
  }
  return (message) => {
    for (const t of all) if (!message.includes(t)) return false;
    for (const t of none) if (message.includes(t)) return false;
    if (any.length > 0 && !any.some((t) => message.includes(t))) return false;
    return true;
  };
}

// ---------------------------------------------------------------- values and comparisons

type Comparison = (value: unknown, exists: boolean) => boolean;

interface Token {
  readonly kind: 'sym' | 'str' | 'word';
  readonly text: string;
}

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  // A $.selector may hold [n]; other words stop at any symbol.
  const re = /(\$[^\s&|!=<>(){},"]*)|(&&|\|\||!=|<=|>=|=|<|>|\(|\)|\{|\}|\[|\]|,)|"((?:[^"\\]|\\.)*)"|([^\s&|!=<>(){}[\],"]+)/y;
  let i = 0;
  while (i < src.length) {
    if (/\s/.test(src[i]!)) {
      i++;
      continue;
    }
    re.lastIndex = i;
    const m = re.exec(src);
    if (m === null) throw new FilterPatternError(`Invalid filter pattern: ${src}`);
    if (m[1] !== undefined) out.push({ kind: 'word', text: m[1] });
    else if (m[2] !== undefined) out.push({ kind: 'sym', text: m[2] });
    else if (m[3] !== undefined) out.push({ kind: 'str', text: m[3].replace(/\\(.)/g, '$1') });
    else out.push({ kind: 'word', text: m[4]! });
    i = re.lastIndex;
  }
  return out;
}

function wildcard(text: string): RegExp {
  return new RegExp(`^${text.split('*').map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 's');
}

/** A comparison of a field with the value token `v` by `op`. */
function comparison(op: string, v: Token): Comparison {
  const numeric = v.kind === 'word' && /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(v.text) ? Number(v.text) : null;
  if (op === '=' || op === '!=') {
    const equal = (value: unknown): boolean => {
      if (numeric !== null) return (typeof value === 'number' || typeof value === 'string') && value !== '' && Number(value) === numeric;
      if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') return false;
      return v.text.includes('*') ? wildcard(v.text).test(String(value)) : String(value) === v.text;
    };
    return op === '=' ? (value, exists) => exists && equal(value) : (value, exists) => exists && !equal(value);
  }
  if (numeric === null) throw new FilterPatternError(`Invalid filter pattern: ${op} needs a number`);
  const cmp = op === '<' ? (a: number) => a < numeric : op === '>' ? (a: number) => a > numeric : op === '<=' ? (a: number) => a <= numeric : (a: number) => a >= numeric;
  return (value, exists) => exists && (typeof value === 'number' || (typeof value === 'string' && value.trim() !== '')) && !Number.isNaN(Number(value)) && cmp(Number(value));
}

// ---------------------------------------------------------------- JSON

type JsonTest = (doc: unknown) => boolean;

function jsonMatcher(p: string): Matcher {
  const tokens = tokenize(p);
  let i = 0;
  const peek = (): Token | undefined => tokens[i];
  const take = (): Token => {
    const t = tokens[i++];
    if (t === undefined) throw new FilterPatternError(`Invalid filter pattern: ${p}`);
    return t;
  };
  const expect = (text: string): void => {
    const t = take();
    if (t.kind !== 'sym' || t.text !== text) throw new FilterPatternError(`Invalid filter pattern: ${p}`);
  };
  const or = (): JsonTest => {
    let left = and();
    while (peek()?.kind === 'sym' && peek()!.text === '||') {
      i++;
      const a = left;
      const b = and();
      left = (d) => a(d) || b(d);
    }
    return left;
  };
  const and = (): JsonTest => {
    let left = unit();
    while (peek()?.kind === 'sym' && peek()!.text === '&&') {
      i++;
      const a = left;
      const b = unit();
      left = (d) => a(d) && b(d);
    }
    return left;
  };
  const unit = (): JsonTest => {
    const t = peek();
    if (t?.kind === 'sym' && t.text === '(') {
      i++;
      const inner = or();
      expect(')');
      return inner;
    }
    const selector = take();
    if (selector.kind !== 'word' || !selector.text.startsWith('$')) throw new FilterPatternError(`Invalid filter pattern: ${p}`);
    const path = jsonPath(selector.text, p);
    const next = take();
    if (next.kind === 'word' && next.text.toUpperCase() === 'IS') {
      const what = take().text.toUpperCase();
      const want = what === 'TRUE' ? true : what === 'FALSE' ? false : what === 'NULL' ? null : undefined;
      if (want === undefined) throw new FilterPatternError(`Invalid filter pattern: ${p}`);
      return (d) => {
        const [v, exists] = path(d);
        return exists && v === want;
      };
    }
    if (next.kind === 'word' && next.text.toUpperCase() === 'NOT') {
      if (take().text.toUpperCase() !== 'EXISTS') throw new FilterPatternError(`Invalid filter pattern: ${p}`);
      return (d) => !path(d)[1];
    }
    if (next.kind !== 'sym' || !['=', '!=', '<', '>', '<=', '>='].includes(next.text)) throw new FilterPatternError(`Invalid filter pattern: ${p}`);
    const c = comparison(next.text, take());
    return (d) => {
      const [v, exists] = path(d);
      return c(v, exists);
    };
  };
  expect('{');
  const test = or();
  expect('}');
  if (i !== tokens.length) throw new FilterPatternError(`Invalid filter pattern: ${p}`);
  return (message) => {
    const start = message.indexOf('{');
    if (start === -1) return false;
    let doc: unknown;
    try {
      doc = JSON.parse(message);
    } catch {
      return false;
    }
    return doc !== null && typeof doc === 'object' && test(doc);
  };
}

/** $.a.b[0].c → a function from a document to [value, exists]. */
function jsonPath(selector: string, pattern: string): (doc: unknown) => [unknown, boolean] {
  const steps: (string | number)[] = [];
  const re = /\.([^.[\]]+)|\[(\d+)\]/gy;
  re.lastIndex = 1;
  let m: RegExpExecArray | null;
  while (re.lastIndex < selector.length && (m = re.exec(selector)) !== null) steps.push(m[1] !== undefined ? m[1] : Number(m[2]));
  if (steps.length === 0 || re.lastIndex !== selector.length) throw new FilterPatternError(`Invalid filter pattern: ${pattern}`);
  return (doc) => {
    let v: unknown = doc;
    for (const s of steps) {
      if (v === null || typeof v !== 'object' || !Object.hasOwn(v, s)) return [undefined, false];
      v = (v as Record<string | number, unknown>)[s];
    }
    return [v, true];
  };
}

// ---------------------------------------------------------------- space-delimited

function delimitedMatcher(p: string): Matcher {
  if (!p.endsWith(']')) throw new FilterPatternError(`Invalid filter pattern: ${p}`);
  const fields = p.slice(1, -1).split(',').map((f) => f.trim());
  if (fields.some((f) => f === '')) throw new FilterPatternError(`Invalid filter pattern: ${p}`);
  type Field = { ellipsis: true } | { ellipsis: false; test: Comparison | null };
  const spec: Field[] = fields.map((f) => {
    if (f === '...') return { ellipsis: true };
    const m = /^([A-Za-z0-9_]+)\s*(!=|<=|>=|=|<|>)\s*(.+)$/.exec(f);
    if (m === null) {
      if (!/^[A-Za-z0-9_]+$/.test(f)) throw new FilterPatternError(`Invalid filter pattern: ${p}`);
      return { ellipsis: false, test: null };
    }
    const [value] = tokenize(m[3]!);
    if (value === undefined) throw new FilterPatternError(`Invalid filter pattern: ${p}`);
    return { ellipsis: false, test: comparison(m[2]!, value) };
  });
  const match = (values: string[], vi: number, si: number): boolean => {
    if (si === spec.length) return vi === values.length;
    const f = spec[si]!;
    if (f.ellipsis) {
      for (let k = vi; k <= values.length; k++) if (match(values, k, si + 1)) return true;
      return false;
    }
    if (vi >= values.length) return false;
    if (f.test !== null && !f.test(values[vi], true)) return false;
    return match(values, vi + 1, si + 1);
  };
  return (message) => match(splitFields(message), 0, 0);
}

/** Fields of a space-delimited line: "quoted" and [bracketed] runs are one field, without their marks. */
function splitFields(message: string): string[] {
  const out: string[] = [];
  for (const m of message.matchAll(/"([^"]*)"|\[([^\]]*)\]|(\S+)/g)) out.push(m[1] ?? m[2] ?? m[3]!);
  return out;
}
