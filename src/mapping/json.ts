// JSON bodies as template values. API Gateway parses bodies with json-smart (through Jayway
// JsonPath): objects become LinkedHashMap (printed `{a=1}`), arrays JSONArray (printed as JSON),
// integral numbers Integer/Long, other numbers Double (`1.0` stays "1.0").
//
// Fast path: JSON.parse, whose plain objects the VTL runtime treats as maps. It is exact unless
// the text has integral numbers written as decimals (1.0, 2e3), which JSON.parse turns into
// integers, integer-like keys ("12": ...), which JS objects reorder, or integers too long for a
// double. A cheap scan spots those
// (false positives only cost time) and sends the text to the exact parser below, which builds
// JS Maps and JDouble.

import { JDouble, makeDouble } from '../vtl/index.ts';

// Separate small regexes measured faster than one alternation (bench/vtl.ts, ~30% less scan time).
const EXPONENT = /[0-9][eE][-+0-9]/;
const LONG_INTEGER = /[0-9]{16}/;
const INTEGER_KEY = /"-?[0-9]+"\s*:/;

/** Parses JSON text into template values; throws SyntaxError when the text is not JSON. */
export function parseJsonValue(text: string): unknown {
  // False positives (".05", text inside strings) only cost the exact parser.
  const exact = text.indexOf('.0') >= 0 || EXPONENT.test(text) || LONG_INTEGER.test(text) || INTEGER_KEY.test(text);
  if (!exact) return JSON.parse(text);
  return new ExactParser(text).parseDocument();
}

class ExactParser {
  private i = 0;
  constructor(private readonly s: string) {}

  parseDocument(): unknown {
    const v = this.value(0);
    this.ws();
    if (this.i < this.s.length) this.fail();
    return v;
  }

  private fail(): never {
    throw new SyntaxError(`Unexpected token in JSON at position ${this.i}`);
  }

  private ws(): void {
    const s = this.s;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c === 32 || c === 9 || c === 10 || c === 13) this.i++;
      else break;
    }
  }

  private value(depth: number): unknown {
    if (depth > 512) throw new SyntaxError('JSON nested too deeply');
    this.ws();
    const s = this.s;
    const c = s[this.i];
    if (c === '{') {
      this.i++;
      const m = new Map<string, unknown>();
      this.ws();
      if (s[this.i] === '}') {
        this.i++;
        return m;
      }
      for (;;) {
        this.ws();
        if (s[this.i] !== '"') this.fail();
        const k = this.string();
        this.ws();
        if (s[this.i++] !== ':') this.fail();
        m.set(k, this.value(depth + 1));
        this.ws();
        const d = s[this.i++];
        if (d === '}') return m;
        if (d !== ',') this.fail();
      }
    }
    if (c === '[') {
      this.i++;
      const a: unknown[] = [];
      this.ws();
      if (s[this.i] === ']') {
        this.i++;
        return a;
      }
      for (;;) {
        a.push(this.value(depth + 1));
        this.ws();
        const d = s[this.i++];
        if (d === ']') return a;
        if (d !== ',') this.fail();
      }
    }
    if (c === '"') return this.string();
    if (s.startsWith('true', this.i)) {
      this.i += 4;
      return true;
    }
    if (s.startsWith('false', this.i)) {
      this.i += 5;
      return false;
    }
    if (s.startsWith('null', this.i)) {
      this.i += 4;
      return null;
    }
    const m = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?/y;
    m.lastIndex = this.i;
    const r = m.exec(s);
    if (r === null) this.fail();
    this.i += r[0].length;
    const n = Number(r[0]);
    if (r[1] !== undefined || r[2] !== undefined) return makeDouble(n);
    // Integers beyond 2^53 stay exact as BigInt (json-smart gives Long or BigInteger): they print whole.
    return Number.isSafeInteger(n) ? n : BigInt(r[0]);
  }

  private string(): string {
    const s = this.s;
    const start = this.i;
    let end = start + 1;
    let escaped = false;
    for (;;) {
      const c = s.charCodeAt(end);
      if (Number.isNaN(c)) this.fail();
      if (c === 34) break;
      if (c === 92) {
        escaped = true;
        end++;
      } else if (c < 32) {
        this.i = end;
        this.fail();
      }
      end++;
    }
    this.i = end + 1;
    const raw = s.slice(start, end + 1);
    return escaped ? (JSON.parse(raw) as string) : raw.slice(1, -1);
  }
}

/** JSON text of a template value, as $input.json prints it (compact, as json-smart writes it). */
export { jsonText as toJsonText } from '../vtl/java.ts';

export { JDouble };
