// The helpers that walk whole bodies take native shortcuts (JSON.stringify, decodeURIComponent,
// encodeURIComponent) when the text allows; these properties check that every shortcut gives the
// same text as the per-character code it replaces, on strings built from the characters where the
// Java libraries and the JS built-ins differ.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { escapeJavaScript, escapeJavaScriptByChar, urlDecode, urlDecodeByChar, urlEncode } from '../../src/mapping/util.ts';
import { jsonQuote, jsonQuoteByChar } from '../../src/vtl/java.ts';

const TRICKY = [
  'a', 'Z', '0', ' ', '"', "'", '\\', '/', '\b', '\t', '\n', '\u000b', '\f', '\r', '\u0001', '\u001f', '\u007f', '\u0085', '\u009f',
  'é', '€', '\u2028', '\u20ac', '\ud83d\ude00', '\ud800', '\udc00', '!', '~', '*', '(', ')', '%', '+', '.', '-', '_',
];
const text = fc.array(fc.constantFrom(...TRICKY), { maxLength: 40 }).map((a) => a.join(''));

test('escapeJavaScript: the JSON.stringify shortcut equals the per-character escape', () => {
  fc.assert(fc.property(text, (s) => assert.equal(escapeJavaScript(s), escapeJavaScriptByChar(s), JSON.stringify(s))), { numRuns: 3000, seed: 1 });
});

test('$input.json string quoting: the JSON.stringify shortcut equals json-smart\'s per-character quoting', () => {
  fc.assert(fc.property(text, (s) => assert.equal(jsonQuote(s), jsonQuoteByChar(s), JSON.stringify(s))), { numRuns: 3000, seed: 2 });
});

test('urlDecode: the decodeURIComponent shortcut equals the per-escape decoder, errors included', () => {
  const encoded = fc.array(fc.oneof(fc.constantFrom(...TRICKY.filter((c) => c !== '%')), fc.constantFrom('%41', '%2B', '%C3%A9', '%E2%82%AC', '%F0%9F%98%80', '%C3', '%FF', '%e9', '%', '%4', '%zz')), { maxLength: 30 })
    .map((a) => a.join(''));
  fc.assert(fc.property(encoded, (s) => {
    let fast: string | Error;
    let slow: string | Error;
    try { fast = urlDecode(s); } catch (e) { fast = e as Error; }
    try { slow = urlDecodeByChar(s); } catch (e) { slow = e as Error; }
    if (fast instanceof Error || slow instanceof Error) assert.equal(String(fast), String(slow), s);
    else assert.equal(fast, slow, s);
  }), { numRuns: 3000, seed: 3 });
});

test('urlEncode then urlDecode gives the text back (lone surrogates become "?", as in Java)', () => {
  fc.assert(fc.property(text, (s) => assert.equal(urlDecode(urlEncode(s)), s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '?'))), { numRuns: 3000, seed: 4 });
  assert.equal(urlEncode("a b!'()~*"), 'a+b%21%27%28%29%7E*');
});

test('the byte loops that long texts take (4 KB and more) give the same text as the short-text code', () => {
  const noLoneSurrogates = fc.array(fc.constantFrom(...TRICKY.filter((c) => c !== '\ud800' && c !== '\udc00')), { minLength: 1, maxLength: 40 }).map((a) => a.join(''));
  fc.assert(fc.property(noLoneSurrogates, (s) => {
    const long = s.repeat(Math.ceil(5000 / s.length));
    assert.equal(escapeJavaScript(long), escapeJavaScriptByChar(long));
    assert.equal(urlEncode(long), urlEncode(s).repeat(Math.ceil(5000 / s.length)));
    assert.equal(urlDecode(urlEncode(long)), long);
  }), { numRuns: 300, seed: 5 });
});
