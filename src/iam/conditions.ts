// IAM condition operators, compiled once per policy. A Condition block is
// { Operator: { key: value | [values] } }: every operator and every key must hold (AND), a key
// holds when the request's value matches any of the listed values (OR); negated operators
// (StringNotEquals, NotIpAddress, ...) hold when it matches none. Key names are case-insensitive.
import { cidrSet } from './cidr.ts';
import { arnWildcard, wildcard, type Matcher } from './wildcard.ts';

export class PolicyError extends Error {
  readonly code = 'MalformedPolicyDocument';
}

/** The request's side of a condition: condition-key values by lower-cased name, and the clock. */
export interface ConditionSource {
  /** undefined when the request has no such key; an array for a multi-valued key. */
  value(lowerKey: string): string | readonly string[] | undefined;
  /** Milliseconds since the epoch (aws:CurrentTime, aws:EpochTime). */
  readonly now: number;
}

export type Condition = (source: ConditionSource) => boolean;

/** One operator over a key's values: true when `v` matches any of the policy's values. */
type ValueTest = (v: string, source: ConditionSource, key: string) => boolean;

interface OperatorSpec {
  readonly negated: boolean;
  compile(values: readonly string[], operator: string): ValueTest;
}

const stringEquals = (ignoreCase: boolean) => (values: readonly string[]): ValueTest => {
  if (ignoreCase) {
    const set = new Set(values.map((v) => v.toLowerCase()));
    return (v) => set.has(v.toLowerCase());
  }
  const set = new Set(values);
  return (v) => set.has(v);
};

const matchers = (make: (p: string) => Matcher) => (values: readonly string[]): ValueTest => {
  const ms = values.map(make);
  return (v) => ms.some((m) => m.test(v));
};

function numeric(cmp: (a: number, b: number) => boolean) {
  return (values: readonly string[], operator: string): ValueTest => {
    const ns = values.map((s) => {
      const n = Number(s);
      if (s.trim() === '' || !Number.isFinite(n)) throw new PolicyError(`Condition ${operator}: '${s}' is not a number`);
      return n;
    });
    return (v) => {
      const n = Number(v);
      return v.trim() !== '' && Number.isFinite(n) && ns.some((b) => cmp(n, b));
    };
  };
}

/** A date as IAM reads one: ISO 8601, or seconds since the epoch. NaN when neither. */
function parseDate(s: string): number {
  if (/^-?\d+(\.\d+)?$/.test(s)) return Number(s) * 1000;
  return Date.parse(s);
}

function date(cmp: (a: number, b: number) => boolean) {
  return (values: readonly string[], operator: string): ValueTest => {
    const ds = values.map((s) => {
      const d = parseDate(s);
      if (Number.isNaN(d)) throw new PolicyError(`Condition ${operator}: '${s}' is not a date`);
      return d;
    });
    return (v, source, key) => {
      // The clock keys are compared as numbers: no date text is formatted or parsed per request.
      const t = key === 'aws:currenttime' || key === 'aws:epochtime' ? source.now : parseDate(v);
      return !Number.isNaN(t) && ds.some((b) => cmp(t, b));
    };
  };
}

function ipAddress(values: readonly string[], operator: string): ValueTest {
  const blocks = cidrSet(values, (raw) => new PolicyError(`Condition ${operator}: '${raw}' is not an IP address or CIDR block`));
  return (v) => blocks.has(v);
}

function bool(values: readonly string[]): ValueTest {
  const set = new Set(values.map((v) => v.toLowerCase()));
  return (v) => set.has(v.toLowerCase());
}

const OPERATORS: Record<string, OperatorSpec> = {
  StringEquals: { negated: false, compile: stringEquals(false) },
  StringNotEquals: { negated: true, compile: stringEquals(false) },
  StringEqualsIgnoreCase: { negated: false, compile: stringEquals(true) },
  StringNotEqualsIgnoreCase: { negated: true, compile: stringEquals(true) },
  StringLike: { negated: false, compile: matchers((p) => wildcard(p)) },
  StringNotLike: { negated: true, compile: matchers((p) => wildcard(p)) },
  NumericEquals: { negated: false, compile: numeric((a, b) => a === b) },
  NumericNotEquals: { negated: true, compile: numeric((a, b) => a === b) },
  NumericLessThan: { negated: false, compile: numeric((a, b) => a < b) },
  NumericLessThanEquals: { negated: false, compile: numeric((a, b) => a <= b) },
  NumericGreaterThan: { negated: false, compile: numeric((a, b) => a > b) },
  NumericGreaterThanEquals: { negated: false, compile: numeric((a, b) => a >= b) },
  DateEquals: { negated: false, compile: date((a, b) => a === b) },
  DateNotEquals: { negated: true, compile: date((a, b) => a === b) },
  DateLessThan: { negated: false, compile: date((a, b) => a < b) },
  DateLessThanEquals: { negated: false, compile: date((a, b) => a <= b) },
  DateGreaterThan: { negated: false, compile: date((a, b) => a > b) },
  DateGreaterThanEquals: { negated: false, compile: date((a, b) => a >= b) },
  Bool: { negated: false, compile: bool },
  BinaryEquals: { negated: false, compile: stringEquals(false) },
  IpAddress: { negated: false, compile: ipAddress },
  NotIpAddress: { negated: true, compile: ipAddress },
  // IAM gives ArnEquals and ArnLike the same meaning: wildcards within each part of the ARN.
  ArnEquals: { negated: false, compile: matchers(arnWildcard) },
  ArnLike: { negated: false, compile: matchers(arnWildcard) },
  ArnNotEquals: { negated: true, compile: matchers(arnWildcard) },
  ArnNotLike: { negated: true, compile: matchers(arnWildcard) },
};

function policyValues(raw: unknown, where: string): string[] {
  const list = Array.isArray(raw) ? raw : [raw];
  if (list.length === 0) throw new PolicyError(`${where}: needs at least one value`);
  return list.map((v) => {
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    throw new PolicyError(`${where}: values must be strings, numbers or booleans`);
  });
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Compiles a statement's Condition block; throws PolicyError for an unknown operator or a bad value. */
export function compileCondition(block: unknown): Condition | null {
  if (block === undefined) return null;
  if (!isObject(block)) throw new PolicyError('Condition must be an object of operators');
  const tests: Condition[] = [];
  for (const [fullOperator, keys] of Object.entries(block)) {
    if (!isObject(keys)) throw new PolicyError(`Condition ${fullOperator} must be an object of condition keys`);
    let operator = fullOperator;
    let set: 'any' | 'all' | null = null;
    if (operator.startsWith('ForAnyValue:')) [set, operator] = ['any', operator.slice(12)];
    else if (operator.startsWith('ForAllValues:')) [set, operator] = ['all', operator.slice(13)];
    const ifExists = operator.endsWith('IfExists');
    if (ifExists) operator = operator.slice(0, -8);
    for (const [key, raw] of Object.entries(keys)) {
      const lowerKey = key.toLowerCase();
      const values = policyValues(raw, `Condition ${fullOperator} ${key}`);
      if (operator === 'Null') {
        const wantAbsent = values[0]!.toLowerCase() === 'true';
        tests.push((s) => isAbsent(s.value(lowerKey)) === wantAbsent);
        continue;
      }
      const spec = OPERATORS[operator];
      if (spec === undefined) throw new PolicyError(`Condition operator ${fullOperator} is not supported`);
      tests.push(keyTest(lowerKey, spec.negated, spec.compile(values, fullOperator), set, ifExists));
    }
  }
  if (tests.length === 1) return tests[0]!;
  return (s) => {
    for (const t of tests) if (!t(s)) return false;
    return true;
  };
}

function isAbsent(v: string | readonly string[] | undefined): boolean {
  return v === undefined || (typeof v !== 'string' && v.length === 0);
}

function keyTest(key: string, negated: boolean, matches: ValueTest, set: 'any' | 'all' | null, ifExists: boolean): Condition {
  return (source) => {
    const got = source.value(key);
    if (got === undefined || isAbsent(got)) {
      // IAM: a missing key fails a condition, except ...IfExists, negated operators and ForAllValues.
      return ifExists || negated || set === 'all';
    }
    if (typeof got === 'string') return matches(got, source, key) !== negated;
    if (set === 'all') return got.every((v) => matches(v, source, key) !== negated);
    if (negated && set === null) return got.every((v) => !matches(v, source, key));
    return got.some((v) => matches(v, source, key) !== negated);
  };
}
