// Helpers the generated render functions call: Velocity 1.7's operators, reference resolution,
// #foreach, #define, and the per-render limits. Semantics were checked against Velocity 1.7
// itself (test/vtl/golden); comments name the Velocity class whose behaviour a helper follows.

import { Budget, charged as importedCharged } from './budget.ts';
import { VtlLimitError, VtlRuntimeError } from './errors.ts';
import {
  JAVA_ARRAYS, JDouble, NO_METHOD, javaList, mapView, modCount, viewSource, VtlObject, isDouble, isMap, isNumber, javaEquals, javaString,
  makeDouble, mapGet, mapSet, mapValues, numberValue, shortDouble, type JMap,
} from './java.ts';
import { JavaException, callMethod, getProperty } from './methods.ts';

export interface Limits {
  /** Iterations of one #foreach before it stops, as Velocity's directive.foreach.maxloops (API Gateway: 1000). */
  maxForeachIterations: number;
  /** Iterations of all loops in one render, a guard against nested loops multiplying. */
  maxTotalIterations: number;
  maxOutputLength: number;
  maxRenderMillis: number;
  maxMacroDepth: number;
  maxRangeLength: number;
  /** Units of work per render: characters walked or built by methods and string building (see budget.ts). */
  maxWork: number;
}

/** Per-render state; one object per render() call. */
export class RenderState extends Budget {
  iterations = 0;
  depth = 0;
  readonly limits: Limits;
  readonly where: readonly string[];
  constructor(limits: Limits, where: readonly string[]) {
    super(limits.maxWork, limits.maxRenderMillis);
    this.limits = limits;
    this.where = where;
  }
}

/** Thrown by #stop to end the render. */
export const STOP = { stop: true };

function runtimeError(S: RenderState, at: number, message: string): VtlRuntimeError {
  return new VtlRuntimeError(`${message} at ${S.where[at] ?? ''}`);
}

const hasOwn = Object.prototype.hasOwnProperty;
const objectPrototype = Object.prototype;

// tsx, which runs the tests and bench/vtl.ts, loads modules as CommonJS, where each use of an
// imported binding is a getter call. The helpers called for every reference use these
// module-local copies instead (about 20% of render time on bench/vtl.ts).
const VtlObjectClass = VtlObject;
const NONE: typeof NO_METHOD = NO_METHOD;
const toJavaString = javaString;
const getPropertyOf = getProperty;
const callJavaMethod = callMethod;
const JavaExceptionClass = JavaException;
const markView = mapView;
const charged = importedCharged;
const fixedDouble = shortDouble;

// The hot paths below handle plain objects (parsed JSON, $context) and Maps inline, then defer to
// the general code: rendering a JSON array of objects is mostly property reads and printing.

/** `$a.b`. */
export function prop(target: unknown, name: string): unknown {
  if (typeof target === 'object' && target !== null) {
    if (Object.getPrototypeOf(target) === objectPrototype) {
      return hasOwn.call(target, name) ? (target as Record<string, unknown>)[name] : undefined;
    }
    if (target instanceof Map) return target.get(name);
    if (target instanceof VtlObjectClass) return target.vtlGet(name);
  } else if (target == null) {
    return undefined;
  }
  return getPropertyOf(target, name);
}

/**
 * `$a.b` where `b` is not a name Object.prototype has (the compiler checks): a plain object's own
 * key can then be read directly, since a missing one reads as undefined.
 */
export function propPlain(target: unknown, name: string): unknown {
  if (typeof target === 'object' && target !== null && Object.getPrototypeOf(target) === objectPrototype) {
    return (target as Record<string, unknown>)[name];
  }
  return prop(target, name);
}

/** `$a.get(k)`, the most common method call, without the general dispatch. */
export function callGet(S: RenderState, at: number, target: unknown, key: unknown): unknown {
  if (typeof target === 'object' && target !== null) {
    if (target instanceof Map) return target.get(key);
    if (typeof key === 'string' && Object.getPrototypeOf(target) === objectPrototype) {
      return hasOwn.call(target, key) ? (target as Record<string, unknown>)[key] : undefined;
    }
  }
  return call(S, at, target, 'get', [key]);
}

/** `$a.keySet()`. */
export function callKeySet(S: RenderState, at: number, target: unknown): unknown {
  if (typeof target === 'object' && target !== null) {
    if (Object.getPrototypeOf(target) === objectPrototype) return markView(Object.keys(target), target as JMap);
    if (target instanceof Map) return markView([...target.keys()], target);
  }
  return call(S, at, target, 'keySet', []);
}

/** `$a.size()`. */
export function callSize(S: RenderState, at: number, target: unknown): unknown {
  if (Array.isArray(target)) return target.length;
  if (target instanceof Map) return target.size;
  return call(S, at, target, 'size', []);
}

/** `$a.m(args)`; undefined when there is no such method (Velocity then prints the reference). */
export function call(S: RenderState, at: number, target: unknown, name: string, args: unknown[]): unknown {
  if (target == null) return undefined;
  try {
    const r = target instanceof VtlObjectClass ? target.vtlCall(name, args) : callJavaMethod(target, name, args);
    return r === NONE ? undefined : r;
  } catch (e) {
    if (e instanceof JavaExceptionClass) throw runtimeError(S, at, e.message);
    throw e;
  }
}

/** `$a[i]` (Velocity 1.7 ASTIndex): lists by int (negative counts from the end), maps by key. */
export function index(S: RenderState, at: number, target: unknown, i: unknown): unknown {
  if (target == null) return undefined;
  if (Array.isArray(target)) {
    if (typeof i !== 'number' || !Number.isInteger(i)) throw runtimeError(S, at, `Index must be an Integer, found ${javaString(i)}`);
    const n = i < 0 ? i + target.length : i;
    if (n < 0 || n >= target.length) throw runtimeError(S, at, `Index out of bounds: ${i} (size ${target.length})`);
    return target[n];
  }
  if (isMap(target)) return mapGet(target, i);
  if (target instanceof VtlObject) {
    const r = target.vtlCall('get', [i]);
    return r === NO_METHOD ? undefined : r;
  }
  // Velocity 1.7 gives null for an index on anything else (a String included).
  return undefined;
}

/** `#set($a.b = v)`: Velocity calls setB(v) or Map.put("b", v). */
export function setProp(target: unknown, name: string, value: unknown): void {
  if (target == null) return;
  if (target instanceof VtlObject) {
    target.vtlCall('put', [name, value]);
    return;
  }
  if (isMap(target)) mapSet(target, name, value);
}

/** `#set($a[i] = v)`. */
export function setIndex(S: RenderState, at: number, target: unknown, i: unknown, value: unknown): void {
  if (target == null) return;
  if (Array.isArray(target)) {
    if (typeof i !== 'number' || !Number.isInteger(i)) throw runtimeError(S, at, 'Index must be an Integer');
    const n = i < 0 ? i + target.length : i;
    if (n < 0 || n >= target.length) throw runtimeError(S, at, `Index out of bounds: ${i} (size ${target.length})`);
    target[n] = value;
  } else if (isMap(target)) {
    mapSet(target, i, value);
  }
}

/** Text for a non-null value in output; `null` never reaches here. */
export function str(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') {
    if (Number.isInteger(v)) return '' + v;
    // A fractional double between 10^-3 and 10^7 prints the same in Java and JS.
    const a = v < 0 ? -v : v;
    if (a >= 1e-3 && a < 1e7) return fixedDouble(v);
  }
  return toJavaString(v);
}

/** A reference in a condition (Velocity 1.7 ASTReference.evaluate): null is false, Boolean is itself, anything else true. */
export function truthy(v: unknown): boolean {
  return v === true || (v != null && v !== false);
}

/** `==` (Velocity 1.7 ASTEQNode): numbers by value, same kinds by equals(), different kinds by toString(). */
export function eq(a: unknown, b: unknown): boolean {
  if (a == null || b == null) return a == null && b == null;
  if (typeof a === 'string' && typeof b === 'string') return a === b;
  if (isNumber(a) && isNumber(b)) return numberValue(a) === numberValue(b);
  const ka = kindOf(a);
  if (ka === kindOf(b)) return javaEquals(a, b);
  return javaString(a) === javaString(b);
}

function kindOf(v: unknown): string {
  if (Array.isArray(v)) return JAVA_ARRAYS.has(v) ? 'array' : 'list';
  if (isMap(v)) return 'map';
  if (v instanceof VtlObject) return v.constructor.name;
  return typeof v;
}

/** `<`, `>`, `<=`, `>=`: only numbers compare; anything else is false (Velocity logs an error). */
export function lt(a: unknown, b: unknown): boolean {
  return isNumber(a) && isNumber(b) && numberValue(a) < numberValue(b);
}
export function le(a: unknown, b: unknown): boolean {
  return isNumber(a) && isNumber(b) && numberValue(a) <= numberValue(b);
}
export function gt(a: unknown, b: unknown): boolean {
  return isNumber(a) && isNumber(b) && numberValue(a) > numberValue(b);
}
export function ge(a: unknown, b: unknown): boolean {
  return isNumber(a) && isNumber(b) && numberValue(a) >= numberValue(b);
}

/** `+` (Velocity 1.7 ASTAddNode): a String on either side concatenates, a null side printing as its reference text. */
export function add(a: unknown, b: unknown, litA: string, litB: string): unknown {
  if (typeof a === 'string' || typeof b === 'string') {
    return charged((a == null ? litA : str(a)) + (b == null ? litB : str(b)));
  }
  if (typeof a === 'number' && typeof b === 'number' && Number.isInteger(a) && Number.isInteger(b)) return a + b;
  if (!isNumber(a) || !isNumber(b)) return undefined;
  return arith(a, b, numberValue(a) + numberValue(b));
}

function arith(a: unknown, b: unknown, r: number): unknown {
  return isDouble(a) || isDouble(b) ? makeDouble(r) : r;
}

export function sub(a: unknown, b: unknown): unknown {
  if (!isNumber(a) || !isNumber(b)) return undefined;
  return arith(a, b, numberValue(a) - numberValue(b));
}

export function mul(a: unknown, b: unknown): unknown {
  if (!isNumber(a) || !isNumber(b)) return undefined;
  return arith(a, b, numberValue(a) * numberValue(b));
}

/** `/`: integer division truncates as in Java; division by zero gives null (Velocity logs it). */
export function div(a: unknown, b: unknown): unknown {
  if (!isNumber(a) || !isNumber(b)) return undefined;
  const x = numberValue(a);
  const y = numberValue(b);
  if (y === 0) return undefined;
  if (isDouble(a) || isDouble(b)) return makeDouble(x / y);
  return Math.trunc(x / y);
}

export function mod(a: unknown, b: unknown): unknown {
  if (!isNumber(a) || !isNumber(b)) return undefined;
  const x = numberValue(a);
  const y = numberValue(b);
  if (y === 0) return undefined;
  return arith(a, b, x % y);
}

/** `[a..b]`: integers, ascending or descending, both ends included. */
export function range(S: RenderState, at: number, a: unknown, b: unknown): unknown[] | undefined {
  if (!isNumber(a) || !isNumber(b)) return undefined;
  const from = Math.trunc(numberValue(a));
  const to = Math.trunc(numberValue(b));
  const n = Math.abs(to - from) + 1;
  if (n > S.limits.maxRangeLength) throw new VtlLimitError(`Range [${from}..${to}] is longer than ${S.limits.maxRangeLength} at ${S.where[at] ?? ''}`);
  const out = new Array<number>(n);
  const step = to >= from ? 1 : -1;
  for (let i = 0; i < n; i++) out[i] = from + i * step;
  return javaList(out);
}

/** What #foreach iterates (Velocity 1.7 Foreach): lists and arrays, a map's values; anything else nothing. */
export function iterable(v: unknown): unknown[] | null {
  if (Array.isArray(v)) return v;
  if (v == null || typeof v !== 'object') return null;
  if (v instanceof VtlObject || v instanceof JDouble) return null;
  return mapView(mapValues(v as JMap), v as JMap);
}

/**
 * A #foreach found its list or map changed since the previous iteration: Java's iterator throws
 * ConcurrentModificationException (lists: a changed size; maps: keys added or removed, see modCount).
 */
export function modified(S: RenderState, at: number): never {
  throw runtimeError(S, at, 'java.util.ConcurrentModificationException');
}

/** `$foreach` inside a loop (Velocity 1.7 ForeachScope). */
export class ForeachScope extends VtlObject {
  index = -1;
  hasNext = false;
  readonly parent: ForeachScope | null;
  constructor(parent: unknown) {
    super();
    this.parent = parent instanceof ForeachScope ? parent : null;
  }
  override vtlGet(name: string): unknown {
    switch (name) {
      case 'index': return this.index;
      case 'count': return this.index + 1;
      case 'hasNext': return this.hasNext;
      case 'first': return this.index === 0;
      case 'last': return !this.hasNext;
      case 'parent': return this.parent ?? undefined;
      case 'topmost': {
        let s: ForeachScope = this;
        while (s.parent !== null) s = s.parent;
        return s;
      }
    }
    return undefined;
  }
  override vtlCall(name: string, args: unknown[]): unknown {
    if (args.length !== 0) return NO_METHOD;
    switch (name) {
      case 'getIndex': return this.index;
      case 'getCount': return this.index + 1;
      case 'hasNext': case 'getHasNext': return this.hasNext;
      case 'isFirst': case 'getFirst': return this.index === 0;
      case 'isLast': case 'getLast': return !this.hasNext;
      case 'getParent': return this.parent ?? undefined;
    }
    return NO_METHOD;
  }
  vtlString(): string {
    return 'org.apache.velocity.runtime.directive.ForeachScope@' + (this.index >>> 0).toString(16);
  }
}

/** A #define block: rendered each time it is printed, with the variables of that moment. */
export class DefinedBlock extends VtlObject {
  constructor(private readonly render: () => string) {
    super();
  }
  override vtlCall(name: string, args: unknown[]): unknown {
    if (args.length === 0 && name === 'toString') return this.render();
    return NO_METHOD;
  }
  vtlString(): string {
    return this.render();
  }
}

/** Called once per loop iteration and macro call: enforces the iteration and time budgets. */
export function tick(S: RenderState, at: number): void {
  if (++S.iterations > S.limits.maxTotalIterations) {
    throw new VtlLimitError(`Template exceeded ${S.limits.maxTotalIterations} loop iterations at ${S.where[at] ?? ''}`);
  }
  if ((S.iterations & 15) === 0 && S.pastDeadline()) {
    throw new VtlLimitError(`Template rendering exceeded ${S.limits.maxRenderMillis} ms at ${S.where[at] ?? ''}`);
  }
}

export function checkOutput(S: RenderState, length: number): void {
  if (length > S.limits.maxOutputLength) throw new VtlLimitError(`Template output exceeded ${S.limits.maxOutputLength} characters`);
  if (S.pastDeadline()) throw new VtlLimitError(`Template rendering exceeded ${S.limits.maxRenderMillis} ms`);
}

export function enterMacro(S: RenderState, at: number): void {
  tick(S, at);
  if (++S.depth > S.limits.maxMacroDepth) throw new VtlLimitError(`Macro calls nested deeper than ${S.limits.maxMacroDepth} at ${S.where[at] ?? ''}`);
}

export { JDouble, makeDouble, javaList, modCount, viewSource, charged };
