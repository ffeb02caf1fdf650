// shortDouble (java.ts) prints doubles between 10^-3 and 10^7 without V8's shortest-digits
// conversion; it must print exactly what `'' + d` prints, for every double. Checked here against V8
// over millions of doubles of the shapes bodies carry and of arbitrary bit patterns. The generators
// are seeded, so a failure repeats; the last test shows the check catches a formatter that is
// almost right.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { javaDouble, shortDouble } from '../../src/vtl/java.ts';
import { compileTemplate } from '../../src/vtl/index.ts';

/** xorshift128+, seeded: Math.random cannot be. Returns a float in [0, 1). */
function rng(seed: number): () => number {
  let a = seed >>> 0 || 1;
  let b = (seed * 2654435761) >>> 0 || 2;
  return () => {
    let t = a;
    const s = b;
    a = s;
    t ^= t << 11;
    t ^= t >>> 8;
    b = t ^ s ^ (s >>> 19);
    return ((b >>> 0) + ((a >>> 11) * 4294967296)) / 9007199254740992 % 1;
  };
}

const inRange = (d: number) => Number.isFinite(d) && !Number.isInteger(d) && Math.abs(d) >= 1e-3 && Math.abs(d) < 1e7;

/** The first double of `gen` (count draws) that `format` prints differently from V8, or null. */
function firstMismatch(format: (d: number) => string, gen: () => number, count: number): { d: number; got: string; want: string } | null {
  for (let i = 0; i < count; i++) {
    const d = gen();
    if (!inRange(d)) continue;
    const got = format(d);
    const want = '' + d;
    if (got !== want) return { d, got, want };
  }
  return null;
}

/** A decimal with 1..17 significant digits, written as text and read as a double, as JSON bodies give them. */
function decimals(seed: number): () => number {
  const r = rng(seed);
  return () => {
    const n = 1 + Math.floor(r() * 17);
    let digits = String(1 + Math.floor(r() * 9));
    for (let i = 1; i < n; i++) digits += String(Math.floor(r() * 10));
    // Put the point anywhere from 3 places left of the digits to 7 digits in.
    const point = Math.floor(r() * 11) - 3;
    const text = point <= 0 ? '0.' + '0'.repeat(-point) + digits : digits.slice(0, point) + '.' + (digits.slice(point) || '0');
    return (r() < 0.5 ? -1 : 1) * Number(text);
  };
}

/** Any double in the range: random exponent and all 52 mantissa bits random. */
function bitPatterns(seed: number): () => number {
  const r = rng(seed);
  const view = new DataView(new ArrayBuffer(8));
  return () => {
    // Binary exponents of 1e-3 .. 1e7 are -10 .. 23.
    const exponent = -10 + Math.floor(r() * 34);
    view.setUint32(0, (((exponent + 1023) << 20) | Math.floor(r() * 0x100000)) >>> 0);
    view.setUint32(4, Math.floor(r() * 0x100000000) >>> 0);
    const d = view.getFloat64(0);
    return r() < 0.5 ? -d : d;
  };
}

/** Halves, quarters, ... and sums and products of short decimals (0.1 + 0.2 and the like, which print 17 digits). */
function arithmetic(seed: number): () => number {
  const r = rng(seed);
  return () => {
    const x = Math.floor(r() * 100000) / 100;
    const y = Math.floor(r() * 1000) / 1000;
    switch (Math.floor(r() * 4)) {
      case 0: return Math.floor(r() * 1e6) / 2 ** (1 + Math.floor(r() * 30));
      case 1: return x + y;
      case 2: return x * y;
      default: return x / (1 + Math.floor(r() * 1000));
    }
  };
}

/** Doubles next to short decimals and to the ends of the range: one or two units in the last place away. */
function neighbours(seed: number): () => number {
  const r = rng(seed);
  const dec = decimals(seed + 1);
  const view = new DataView(new ArrayBuffer(8));
  const ends = [1e-3, 1e7, 0.01, 0.1, 1, 10, 100, 1e6, 9999999.5];
  return () => {
    const base = r() < 0.2 ? ends[Math.floor(r() * ends.length)]! : dec();
    view.setFloat64(0, base);
    const steps = Math.floor(r() * 5) - 2;
    view.setBigInt64(0, view.getBigInt64(0) + BigInt(steps));
    return view.getFloat64(0);
  };
}

const GENERATORS: [string, (seed: number) => () => number][] = [
  ['decimals of 1-17 digits', decimals],
  ['random bit patterns', bitPatterns],
  ['arithmetic results', arithmetic],
  ['neighbours of decimals and range ends', neighbours],
];

for (const [name, make] of GENERATORS) {
  test(`shortDouble prints what V8 prints: ${name} (1,000,000 doubles)`, () => {
    assert.equal(firstMismatch(shortDouble, make(7), 1_000_000), null);
  });
}

test('shortDouble: the ends of the range and known hard cases', () => {
  const cases = [
    0.001, 0.0011, 0.00100000000000001, 1.5, 10.99, 0.1, 0.2, 0.30000000000000004, 1 / 3, 2 / 3, 9999999.999999998,
    1234567.8901234567, 0.0012345678901234567, 5e-324 + 0.5, 4.35, 0.07, 1.005, 8.95, 123456.7, 999999.9999999999,
    Math.PI, Math.E, -10.99, -0.001, -9999999.5,
  ];
  for (const d of cases) if (inRange(d)) assert.equal(shortDouble(d), '' + d, String(d));
});

test('Java formatting goes through shortDouble and keeps its rules (1.0, exponents outside the range)', () => {
  assert.equal(javaDouble(10.99), '10.99');
  assert.equal(javaDouble(-0.001), '-0.001');
  assert.equal(javaDouble(3), '3.0');
  assert.equal(javaDouble(1e7), '1.0E7');
  assert.equal(javaDouble(0.0001234), '1.234E-4');
  // (#set eats the space before it, as in Velocity.)
  assert.equal(compileTemplate('$a $b #set($c = $a * 2)$c').render({ a: 10.99, b: 0.30000000000000004 }), '10.99 0.3000000000000000421.98');
});

test('the check catches a formatter that is right for short decimals but not for 16 and 17 digits', () => {
  // Formats with toPrecision(15) and trims zeros: right for every decimal of up to 15 digits.
  const almost = (d: number) => {
    const s = d.toPrecision(15);
    return s.indexOf('.') < 0 ? s : s.replace(/0+$/, '').replace(/\.$/, '');
  };
  assert.notEqual(firstMismatch(almost, decimals(7), 1_000_000), null);
  assert.notEqual(firstMismatch(almost, bitPatterns(7), 1_000_000), null);
  // And one whose 15-digit limit is 17: Math.round may then pick the wrong one of two candidates.
  const loose = (d: number) => {
    const a = Math.abs(d);
    for (let k = 1; k <= 18; k++) {
      const m = Math.round(a * 10 ** k);
      if (m >= 1e17) break;
      if (m / 10 ** k === a) {
        const digits = String(m);
        const point = digits.length - k;
        const text = point > 0 ? digits.slice(0, point) + '.' + digits.slice(point) : '0.' + '0'.repeat(-point) + digits;
        return d < 0 ? '-' + text : text;
      }
    }
    return '' + d;
  };
  assert.notEqual(firstMismatch(loose, bitPatterns(7), 1_000_000), null);
});
