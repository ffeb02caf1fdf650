// The Java methods templates may call on strings, numbers, booleans, lists and maps. This is an
// allow-list: a name not handled here is "no such method" (Velocity then prints the reference as
// written), and nothing here ever indexes a JS object by a template-supplied name, so templates
// cannot reach prototypes, constructors or globals.

import { VtlRuntimeError } from './errors.ts';
import {
  JAVA_ARRAYS, JDouble, NO_METHOD, VtlObject, isDouble, isMap, isNumber, javaClassName, javaEquals, javaString,
  javaHashCode, javaList, makeDouble, mapDelete, mapView, mapGet, mapHas, mapKeys, mapSet, mapSize, mapValues, numberValue, stringHash, type JMap,
} from './java.ts';
import { charge as importedCharge, charged as importedCharged } from './budget.ts';
import { javaMatches, javaReplace, javaSplit } from './java-regex.ts';

// tsx (tests, bench/vtl.ts) loads modules as CommonJS, where each use of an imported binding is a
// getter call; the dispatch, which runs for every method call, uses module-local copies.
const NONE: typeof NO_METHOD = NO_METHOD;
const VtlObjectClass = VtlObject;
const JDoubleClass = JDouble;
const charge = importedCharge;
const charged = importedCharged;

/** A Java method threw: Velocity wraps it in a MethodInvocationException with this wording. */
export class JavaException extends Error {
  constructor(readonly method: string, readonly className: string, readonly exception: string) {
    super(`Invocation of method '${method}' in class ${className} threw exception ${exception}`);
  }
}

function isInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v);
}

/** A Map.Entry from entrySet(): `$e.key`, `$e.value`, prints as `key=value`. */
export class MapEntry extends VtlObject {
  constructor(readonly key: unknown, readonly value: unknown) {
    super();
  }
  override vtlGet(name: string): unknown {
    return name === 'key' ? this.key : name === 'value' ? this.value : undefined;
  }
  override vtlCall(name: string, args: unknown[]): unknown {
    if (args.length === 0 && name === 'getKey') return this.key;
    if (args.length === 0 && name === 'getValue') return this.value;
    if (args.length === 0 && name === 'toString') return this.vtlString();
    return NONE;
  }
  vtlString(): string {
    return javaString(this.key) + '=' + javaString(this.value);
  }
}

/** What a void Java method gives a template: Velocity prints it as nothing (a null would print the reference). */
const VOID = '';

// Velocity 1.7 fails (MethodInvocationException) when a method of that name exists but not with
// that many arguments; an unknown name is just null. Arities of the methods we model:
const STRING_ARITIES: Record<string, number[]> = {
  length: [0], substring: [1, 2], indexOf: [1, 2], lastIndexOf: [1, 2], replace: [2], replaceAll: [2], replaceFirst: [2],
  split: [1, 2], trim: [0], toLowerCase: [0, 1], toUpperCase: [0, 1], contains: [1], startsWith: [1, 2], endsWith: [1],
  equals: [1], equalsIgnoreCase: [1], isEmpty: [0], charAt: [1], matches: [1], concat: [1], toString: [0], hashCode: [0],
  compareTo: [1], compareToIgnoreCase: [1],
};
const LIST_ARITIES: Record<string, number[]> = {
  hashCode: [0], size: [0], get: [1], add: [1, 2], contains: [1], indexOf: [1], lastIndexOf: [1], isEmpty: [0], remove: [1], set: [2],
  clear: [0], addAll: [1, 2], subList: [2], equals: [1], toString: [0], containsAll: [1],
};
const MAP_ARITIES: Record<string, number[]> = {
  hashCode: [0], get: [1], put: [2], containsKey: [1], containsValue: [1], keySet: [0], values: [0], entrySet: [0], size: [0], isEmpty: [0],
  remove: [1, 2], putAll: [1], clear: [0], equals: [1], getOrDefault: [2], toString: [0], putIfAbsent: [2],
};

function checkArity(table: Record<string, number[]>, className: string, name: string, args: unknown[]): typeof NO_METHOD {
  const arities = Object.hasOwn(table, name) ? table[name]! : null;
  if (arities !== null && !arities.includes(args.length)) {
    throw new JavaException(name, className, `java.lang.IllegalArgumentException: wrong number of arguments (${args.length})`);
  }
  return NONE;
}

export function callMethod(target: unknown, name: string, args: unknown[]): unknown {
  const r = dispatch(target, name, args);
  if (r !== NONE) return r;
  if (typeof target === 'string') return checkArity(STRING_ARITIES, 'java.lang.String', name, args);
  if (Array.isArray(target)) return checkArity(LIST_ARITIES, 'java.util.ArrayList', name, args);
  if (isMap(target)) return checkArity(MAP_ARITIES, 'java.util.LinkedHashMap', name, args);
  return r;
}

function dispatch(target: unknown, name: string, args: unknown[]): unknown {
  if (typeof target === 'string') return stringMethod(target, name, args);
  if (typeof target === 'object' && target !== null) {
    if (Array.isArray(target)) return listMethod(target, name, args);
    if (target instanceof VtlObjectClass) return target.vtlCall(name, args);
    if (target instanceof JDoubleClass) return numberMethod(target, name, args);
    return mapMethod(target as JMap, name, args);
  }
  if (typeof target === 'number') return numberMethod(target, name, args);
  if (typeof target === 'boolean') return booleanMethod(target, name, args);
  return NONE;
}

function stringIndexError(method: string, detail: string): JavaException {
  return new JavaException(method, 'java.lang.String', `java.lang.StringIndexOutOfBoundsException: ${detail}`);
}

function stringMethod(s: string, name: string, args: unknown[]): unknown {
  const a = args[0];
  const b = args[1];
  switch (args.length) {
    case 0:
      switch (name) {
        case 'length': return s.length;
        case 'isEmpty': return s.length === 0;
        case 'trim': return javaTrim(s);
        case 'toLowerCase': return charged(charged(s).toLowerCase());
        case 'toUpperCase': return charged(charged(s).toUpperCase());
        case 'toString': case 'intern': return s;
        case 'hashCode': return stringHash(charged(s));
        case 'isBlank': return javaTrim(s).length === 0;
        case 'strip': return s.replace(/^\s+|\s+$/g, '');
        case 'toCharArray': return javaList([...charged(s)]);
      }
      return NONE;
    case 1:
      switch (name) {
        case 'charAt':
          if (!isInt(a)) return NONE;
          if (a < 0 || a >= s.length) throw stringIndexError(name, `String index out of range: ${a}`);
          return s[a];
        case 'substring':
          if (!isInt(a)) return NONE;
          if (a < 0 || a > s.length) throw stringIndexError(name, `String index out of range: ${s.length - a}`);
          return s.slice(a);
        // Searches walk the string: charged to the render's work budget (budget.ts).
        case 'indexOf':
          if (typeof a === 'string') return charged(s).indexOf(a);
          if (isInt(a)) return charged(s).indexOf(String.fromCharCode(a));
          return NONE;
        case 'lastIndexOf':
          if (typeof a === 'string') return charged(s).lastIndexOf(a);
          if (isInt(a)) return charged(s).lastIndexOf(String.fromCharCode(a));
          return NONE;
        case 'contains': return typeof a === 'string' ? charged(s).includes(a) : NONE;
        case 'startsWith': return typeof a === 'string' ? s.startsWith(a) : NONE;
        case 'endsWith': return typeof a === 'string' ? s.endsWith(a) : NONE;
        case 'equals': return typeof a === 'string' && a === s;
        case 'equalsIgnoreCase': return typeof a === 'string' && a.length === s.length && charged(a).toUpperCase() === charged(s).toUpperCase();
        case 'contentEquals': return typeof a === 'string' ? a === s : NONE;
        case 'compareTo': return typeof a === 'string' ? compareStrings(charged(s), a) : NONE;
        case 'compareToIgnoreCase': return typeof a === 'string' ? compareStrings(charged(s).toUpperCase().toLowerCase(), charged(a).toUpperCase().toLowerCase()) : NONE;
        case 'concat': return typeof a === 'string' ? s + a : NONE;
        case 'matches': return typeof a === 'string' ? javaMatches(s, a) : NONE;
        case 'split': {
          if (typeof a !== 'string') return NONE;
          const parts = javaSplit(s, a);
          JAVA_ARRAYS.add(parts);
          return parts;
        }
        case 'repeat':
          if (!isInt(a)) return NONE;
          if (a < 0) throw new JavaException(name, 'java.lang.String', `java.lang.IllegalArgumentException: count is negative: ${a}`);
          if (a * s.length > 10_000_000) throw new JavaException(name, 'java.lang.String', 'java.lang.OutOfMemoryError: Repeating would exceed the output limit');
          charge(a * s.length);
          return s.repeat(a);
      }
      return NONE;
    case 2:
      switch (name) {
        case 'substring':
          if (!isInt(a) || !isInt(b)) return NONE;
          if (a < 0 || b > s.length || a > b) {
            const detail = a < 0 ? `String index out of range: ${a}` : b > s.length ? `String index out of range: ${b}` : `String index out of range: ${b - a}`;
            throw stringIndexError(name, detail);
          }
          return s.slice(a, b);
        case 'indexOf':
          if (typeof a !== 'string' || !isInt(b)) return NONE;
          return charged(s).indexOf(a, Math.max(0, b));
        case 'lastIndexOf':
          if (typeof a !== 'string' || !isInt(b)) return NONE;
          return b < 0 ? -1 : charged(s).lastIndexOf(a, b);
        case 'replace':
          if (typeof a !== 'string' || typeof b !== 'string') return NONE;
          charge(a === '' ? s.length * (b.length + 1) : s.length);
          return charged(a === '' ? javaReplaceEmpty(s, b) : s.split(a).join(b));
        case 'replaceAll':
          if (typeof a !== 'string' || typeof b !== 'string') return NONE;
          return javaReplace(s, a, b, true);
        case 'replaceFirst':
          if (typeof a !== 'string' || typeof b !== 'string') return NONE;
          return javaReplace(s, a, b, false);
        case 'startsWith':
          if (typeof a !== 'string' || !isInt(b)) return NONE;
          return b >= 0 && s.startsWith(a, b);
        case 'split': {
          if (typeof a !== 'string' || !isInt(b)) return NONE;
          const parts = javaSplit(s, a, b);
          JAVA_ARRAYS.add(parts);
          return parts;
        }
      }
      return NONE;
  }
  return NONE;
}

/** Java's trim() removes every char <= ' ' at both ends (JS trim() removes Unicode spaces instead). */
function javaTrim(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && s.charCodeAt(start) <= 32) start++;
  while (end > start && s.charCodeAt(end - 1) <= 32) end--;
  return start === 0 && end === s.length ? s : s.slice(start, end);
}

function javaReplaceEmpty(s: string, b: string): string {
  let out = b;
  for (const ch of s) out += ch + b;
  return out;
}

function compareStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a.charCodeAt(i) - b.charCodeAt(i);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

function listIndexError(name: string, index: number, size: number): JavaException {
  return new JavaException(name, 'java.util.ArrayList', `java.lang.IndexOutOfBoundsException: Index ${index} out of bounds for length ${size}`);
}

function fixedSize(list: unknown[], name: string): void {
  if (JAVA_ARRAYS.has(list)) throw new JavaException(name, 'java.util.Arrays$ArrayList', 'java.lang.UnsupportedOperationException');
}

function indexOf(list: unknown[], x: unknown): number {
  for (let i = 0; i < list.length; i++) if (javaEquals(list[i], x)) return i;
  return -1;
}

/** List methods that walk the whole list (charged by its length; the others touch one element). */
const LIST_WALKS = new Set(['contains', 'indexOf', 'lastIndexOf', 'remove', 'addAll', 'containsAll', 'equals', 'hashCode', 'subList', 'clear']);
/** Map methods that walk every entry. */
const MAP_WALKS = new Set(['keySet', 'values', 'entrySet', 'containsValue', 'hashCode', 'equals', 'putAll', 'clear', 'size', 'isEmpty']);

function listMethod(list: unknown[], name: string, args: unknown[]): unknown {
  const a = args[0];
  const b = args[1];
  if (LIST_WALKS.has(name)) charge(list.length + (Array.isArray(a) ? a.length : 0));
  switch (args.length) {
    case 0:
      switch (name) {
        case 'size': return list.length;
        case 'isEmpty': return list.length === 0;
        case 'toString': return javaString(list);
        case 'hashCode': return javaHashCode(list);
        case 'clear': fixedSize(list, name); list.length = 0; return VOID;
      }
      return NONE;
    case 1:
      switch (name) {
        case 'get':
          if (!isInt(a)) return NONE;
          if (a < 0 || a >= list.length) throw listIndexError(name, a, list.length);
          return list[a];
        case 'add': fixedSize(list, name); list.push(a); return true;
        case 'contains': return indexOf(list, a) >= 0;
        case 'indexOf': return indexOf(list, a);
        case 'lastIndexOf': {
          for (let i = list.length - 1; i >= 0; i--) if (javaEquals(list[i], a)) return i;
          return -1;
        }
        case 'remove': {
          fixedSize(list, name);
          if (isInt(a)) {
            if (a < 0 || a >= list.length) throw listIndexError(name, a, list.length);
            return list.splice(a, 1)[0];
          }
          const i = indexOf(list, a);
          if (i >= 0) list.splice(i, 1);
          return i >= 0;
        }
        case 'addAll':
          if (!Array.isArray(a)) return NONE;
          fixedSize(list, name);
          list.push(...a);
          return a.length > 0;
        case 'containsAll': return Array.isArray(a) ? a.every((x) => indexOf(list, x) >= 0) : NONE;
        case 'equals': return javaEquals(list, a);
      }
      return NONE;
    case 2:
      switch (name) {
        case 'set':
          if (!isInt(a)) return NONE;
          if (a < 0 || a >= list.length) throw listIndexError(name, a, list.length);
          {
            const old = list[a];
            list[a] = b;
            return old;
          }
        case 'add':
          if (!isInt(a)) return NONE;
          fixedSize(list, name);
          if (a < 0 || a > list.length) throw listIndexError(name, a, list.length);
          list.splice(a, 0, b);
          return VOID;
        case 'subList':
          if (!isInt(a) || !isInt(b)) return NONE;
          if (a < 0 || b > list.length || a > b) throw listIndexError(name, a < 0 ? a : b, list.length);
          return javaList(list.slice(a, b));
      }
      return NONE;
  }
  return NONE;
}

function mapMethod(m: JMap, name: string, args: unknown[]): unknown {
  const a = args[0];
  if (MAP_WALKS.has(name)) charge(mapSize(m));
  switch (args.length) {
    case 0:
      switch (name) {
        case 'size': return mapSize(m);
        case 'isEmpty': return mapSize(m) === 0;
        case 'keySet': return mapView(mapKeys(m), m);
        case 'values': return mapView(mapValues(m), m);
        case 'entrySet': return mapView(mapKeys(m).map((k) => new MapEntry(k, mapGet(m, k))), m);
        case 'toString': return javaString(m);
        case 'hashCode': return javaHashCode(m);
        case 'clear':
          for (const k of mapKeys(m)) mapDelete(m, k);
          return VOID;
      }
      return NONE;
    case 1:
      switch (name) {
        case 'get': return mapGet(m, a);
        case 'containsKey': return mapHas(m, a);
        case 'containsValue': return mapValues(m).some((v) => javaEquals(v, a));
        case 'remove': return mapDelete(m, a);
        case 'equals': return javaEquals(m, a);
        case 'putAll':
          if (!isMap(a)) return NONE;
          for (const k of mapKeys(a)) mapSet(m, k, mapGet(a, k));
          return VOID;
      }
      return NONE;
    case 2:
      switch (name) {
        case 'put': return mapSet(m, a, args[1]);
        case 'getOrDefault': return mapHas(m, a) ? mapGet(m, a) : args[1];
        case 'putIfAbsent': {
          const old = mapGet(m, a);
          if (old == null) mapSet(m, a, args[1]);
          return old;
        }
      }
      return NONE;
  }
  return NONE;
}

function parseJavaInt(s: unknown, method: string, className: string): number {
  if (typeof s !== 'string' || !/^[-+]?\d+$/.test(s)) {
    throw new JavaException(method, className, `java.lang.NumberFormatException: For input string: "${javaString(s)}"`);
  }
  const n = Number(s);
  const max = className === 'java.lang.Long' ? 9223372036854775807 : 2147483647;
  if (Math.abs(n) > max) throw new JavaException(method, className, `java.lang.NumberFormatException: For input string: "${s}"`);
  return n;
}

function numberMethod(n: number | JDouble, name: string, args: unknown[]): unknown {
  const v = numberValue(n);
  const className = javaClassName(n);
  if (args.length === 0) {
    switch (name) {
      case 'toString': return javaString(n);
      case 'intValue': return v < 0 ? Math.ceil(v) | 0 : Math.floor(v) | 0;
      case 'longValue': return Math.trunc(v);
      case 'doubleValue': case 'floatValue': return makeDouble(v);
      case 'hashCode': return javaHashCode(n);
      case 'isNaN': return Number.isNaN(v);
      case 'isInfinite': return v === Infinity || v === -Infinity;
    }
    return NONE;
  }
  if (args.length === 1) {
    const a = args[0];
    switch (name) {
      case 'equals': return isNumber(a) && isDouble(a) === isDouble(n) && numberValue(a) === v;
      case 'compareTo': return isNumber(a) && isDouble(a) === isDouble(n) ? Math.sign(v - numberValue(a)) : NONE;
      // Static methods are callable on an instance in Velocity: `$zero.parseInt('12')` is a known API Gateway idiom.
      case 'parseInt': case 'valueOf':
        if (typeof a !== 'string') return NONE;
        if (isDouble(n)) return parseJavaDouble(a, name);
        return parseJavaInt(a, name, className);
      case 'parseLong': return parseJavaInt(a, name, 'java.lang.Long');
      case 'parseDouble': return parseJavaDouble(a, name);
      case 'toString': return isInt(a) ? String(a) : NONE;
    }
  }
  return NONE;
}

function parseJavaDouble(s: unknown, method: string): unknown {
  if (typeof s !== 'string') return NONE;
  const t = javaTrim(s);
  if (!/^[-+]?(?:NaN|Infinity|(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)[fFdD]?$/.test(t)) {
    throw new JavaException(method, 'java.lang.Double', `java.lang.NumberFormatException: For input string: "${s}"`);
  }
  return makeDouble(Number(t.replace(/[fFdD]$/, '')));
}

function booleanMethod(b: boolean, name: string, args: unknown[]): unknown {
  if (args.length === 0) {
    if (name === 'toString') return b ? 'true' : 'false';
    if (name === 'booleanValue') return b;
    if (name === 'hashCode') return b ? 1231 : 1237;
  } else if (args.length === 1 && name === 'equals') {
    return args[0] === b;
  }
  return NONE;
}

/** `$obj.name` without parentheses, as Velocity 1.7 resolves it: getName(), then Map.get, then isName(). */
export function getProperty(target: unknown, name: string): unknown {
  if (typeof target === 'object' && target !== null) {
    if (target instanceof Map) return target.get(name);
    if (Array.isArray(target)) return name === 'empty' ? target.length === 0 : undefined;
    if (target instanceof VtlObjectClass) return target.vtlGet(name);
    if (target instanceof JDoubleClass) return name === 'NaN' ? Number.isNaN(target.value) : name === 'infinite' ? !Number.isFinite(target.value) : undefined;
    return mapGet(target as JMap, name);
  }
  if (typeof target === 'string') {
    if (name === 'empty') return target.length === 0;
    if (name === 'blank') return javaTrim(target).length === 0;
    return undefined;
  }
  return undefined;
}

export function isJavaException(e: unknown): e is JavaException {
  return e instanceof JavaException;
}

export { VtlRuntimeError };
