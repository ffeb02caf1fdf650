// A function's module type comes from its own archive, as on Lambda: .mjs and .cjs by their
// extension, .js by the archive's own package.json "type", else CommonJS. Folders above the
// function (the data directory inside a project whose package.json says "type": "module", like
// Gatehouse's own checkout) must not change it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLambda, type TestLambda } from './helpers.ts';

describe('module type from the function\'s own code', () => {
  let t: TestLambda;
  let project: string;
  before(async () => {
    project = mkdtempSync(join(tmpdir(), 'gh-esm-project-'));
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'some-project', type: 'module' }));
    t = await startLambda({ dataDir: join(project, '.gatehouse') });
  });
  after(async () => {
    await t.close();
    rmSync(project, { recursive: true, force: true });
  });

  it('a CommonJS handler (index.js, no package.json) runs, with require() of its own files', async () => {
    await t.create('cjs', {
      'index.js': 'const lib = require("./lib/util.js"); exports.handler = async () => ({ kind: typeof module, value: lib.value });',
      'lib/util.js': 'module.exports = { value: 42 };',
    });
    const r = await t.invoke('cjs', {});
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('x-amz-function-error'), null, r.body);
    assert.deepEqual(r.json, { kind: 'object', value: 42 });
  });

  it('a .cjs handler runs as CommonJS', async () => {
    await t.create('dotcjs', { 'app.cjs': 'exports.handler = async () => "cjs";' }, { Handler: 'app.handler' });
    const r = await t.invoke('dotcjs', {});
    assert.equal(r.headers.get('x-amz-function-error'), null, r.body);
    assert.equal(r.json, 'cjs');
  });

  it('an .mjs handler runs as an ES module', async () => {
    await t.create('mjs', { 'index.mjs': 'import { value } from "./value.mjs"; export const handler = async () => ({ esm: typeof require === "undefined", value });', 'value.mjs': 'export const value = 7;' });
    const r = await t.invoke('mjs', {});
    assert.equal(r.headers.get('x-amz-function-error'), null, r.body);
    assert.deepEqual(r.json, { esm: true, value: 7 });
  });

  it('index.js with the archive\'s own package.json "type": "module" runs as an ES module', async () => {
    await t.create('esm-js', {
      'package.json': JSON.stringify({ type: 'module' }),
      'index.js': 'import { value } from "./value.js"; export const handler = async () => ({ esm: typeof require === "undefined", value });',
      'value.js': 'export const value = 8;',
    });
    const r = await t.invoke('esm-js', {});
    assert.equal(r.headers.get('x-amz-function-error'), null, r.body);
    assert.deepEqual(r.json, { esm: true, value: 8 });
  });

  it('ESM syntax in a .js file without "type": "module" fails as it does on Lambda', async () => {
    await t.create('esm-no-type', { 'index.js': 'export const handler = async () => "never";' });
    const r = await t.invoke('esm-no-type', {});
    assert.equal(r.headers.get('x-amz-function-error'), 'Unhandled');
    assert.match(r.json.errorType, /^Runtime\.UserCodeSyntaxError$/);
  });
});
