import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { applyPatch, field, listItem, mapEntry, nestedField, toBoolean, toInteger, splitPointer } from '../../src/control/patch.ts';
import { ApiError } from '../../src/control/errors.ts';

type Doc = Record<string, unknown>;
const rules = [
  field<Doc>('name'),
  field<Doc>('description', { ops: ['replace', 'add', 'remove'] }),
  field<Doc>('enabled', { convert: toBoolean }),
  nestedField<Doc>('quota', 'limit', { convert: toInteger }),
  mapEntry<Doc>('variables'),
  listItem<Doc>('binaryMediaTypes'),
];

function badRequest(fn: () => unknown, re: RegExp) {
  assert.throws(fn, (e: unknown) => e instanceof ApiError && e.type === 'BadRequestException' && re.test(e.message));
}

describe('patch operations', () => {
  it('unescapes JSON pointers', () => {
    assert.deepEqual(splitPointer('/a~1b/c~0d'), ['a/b', 'c~d']);
  });

  it('replaces, adds and removes fields without touching the original', () => {
    const doc: Doc = { name: 'a', description: 'd' };
    const out = applyPatch(doc, [
      { op: 'replace', path: '/name', value: 'b' },
      { op: 'remove', path: '/description' },
      { op: 'replace', path: '/enabled', value: 'TRUE' },
      { op: 'replace', path: '/quota/limit', value: '100' },
    ], rules);
    assert.deepEqual(out, { name: 'b', enabled: true, quota: { limit: 100 } });
    assert.deepEqual(doc, { name: 'a', description: 'd' });
  });

  it('edits map entries and list items addressed by escaped keys', () => {
    let out = applyPatch<Doc>({}, [
      { op: 'add', path: '/variables/url', value: 'example.com' },
      { op: 'add', path: '/binaryMediaTypes/image~1png' },
      { op: 'add', path: '/binaryMediaTypes/*~1*' },
    ], rules);
    assert.deepEqual(out, { variables: { url: 'example.com' }, binaryMediaTypes: ['image/png', '*/*'] });
    out = applyPatch(out, [
      { op: 'remove', path: '/variables/url' },
      { op: 'remove', path: '/binaryMediaTypes/image~1png' },
    ], rules);
    assert.deepEqual(out, { binaryMediaTypes: ['*/*'] });
  });

  it('moves and copies between paths', () => {
    const out = applyPatch<Doc>({ variables: { a: '1' } }, [
      { op: 'copy', from: '/variables/a', path: '/variables/b' },
      { op: 'move', from: '/variables/a', path: '/variables/c' },
    ], rules);
    assert.deepEqual(out, { variables: { b: '1', c: '1' } });
  });

  it('rejects paths the resource does not accept, with AWS wording', () => {
    badRequest(() => applyPatch<Doc>({}, [{ op: 'replace', path: '/id', value: 'x' }], rules),
      /^Invalid patch path {2}'\/id' specified for op 'replace'. Must be one of: \[\/name, \/description/);
    badRequest(() => applyPatch<Doc>({}, [{ op: 'remove', path: '/name' }], rules), /specified for op 'remove'/);
    badRequest(() => applyPatch<Doc>({}, [{ op: 'bogus', path: '/name' }], rules), /Invalid patch operation/);
    badRequest(() => applyPatch<Doc>({}, [{ op: 'replace', path: '/enabled', value: 'maybe' }], rules), /Invalid boolean/);
    badRequest(() => applyPatch<Doc>({}, [{ op: 'replace', path: '/quota/limit', value: '1.5' }], rules), /Invalid integer/);
    badRequest(() => applyPatch<Doc>({}, [{ op: 'replace', path: '/name' }], rules), /value is required/);
  });

  it('keeps __proto__ keys as data', () => {
    const out = applyPatch<Doc>({}, [{ op: 'add', path: '/variables/__proto__', value: 'x' }], rules);
    assert.equal(({} as Doc).x, undefined);
    assert.equal(Object.keys(out.variables as object)[0], '__proto__');
  });
});
