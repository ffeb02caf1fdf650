// Code.S3Bucket "__local__": off unless the operator names a folder (--lambda-local-code-root),
// and then only folders inside it, by name and after following symlinks, at CreateFunction and
// again whenever a worker starts.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROLE, startLambda, type TestLambda } from './helpers.ts';

const NO_BUCKET = 'Error occurred while GetObject. S3 Error Code: NoSuchBucket. S3 Error Message: The specified bucket does not exist';
const NO_KEY = 'Error occurred while GetObject. S3 Error Code: NoSuchKey. S3 Error Message: The specified key does not exist.';
const DENIED = 'Error occurred while GetObject. S3 Error Code: AccessDenied. S3 Error Message: Access Denied';

function localBody(name: string, key: string): Record<string, unknown> {
  return { FunctionName: name, Runtime: 'nodejs20.x', Role: ROLE, Handler: 'index.handler', Code: { S3Bucket: '__local__', S3Key: key } };
}

describe('S3Bucket __local__ without --lambda-local-code-root', () => {
  it('is a bucket that does not exist, whatever the key', async () => {
    const t = await startLambda();
    try {
      for (const key of ['/usr', '/etc', 'fn']) {
        const r = await t.call('POST', '/2015-03-31/functions', localBody('off', key));
        assert.equal(r.status, 400);
        assert.equal(r.headers.get('x-amzn-errortype'), 'InvalidParameterValueException');
        assert.equal(r.json.Message, NO_BUCKET);
      }
    } finally {
      await t.close();
    }
  });
});

describe('S3Bucket __local__ with --lambda-local-code-root', () => {
  let base: string;
  let root: string;
  let outside: string;
  let t: TestLambda;
  before(async () => {
    base = realpathSync(mkdtempSync(join(tmpdir(), 'gh-local-root-')));
    root = join(base, 'root');
    outside = join(base, 'outside');
    for (const d of [root, join(root, 'fn'), join(root, 'nested', 'fn2'), outside]) mkdirSync(d, { recursive: true });
    writeFileSync(join(root, 'fn', 'index.js'), 'exports.handler = async () => "inside";');
    writeFileSync(join(root, 'nested', 'fn2', 'index.js'), 'exports.handler = async () => "nested";');
    writeFileSync(join(outside, 'index.js'), 'exports.handler = async () => "outside";');
    writeFileSync(join(root, 'a-file'), 'not a folder');
    symlinkSync(outside, join(root, 'link-out'));
    symlinkSync(join(root, 'fn'), join(root, 'link-in'));
    t = await startLambda({ lambdaLocalCodeRoot: root });
  });
  after(async () => {
    await t.close();
    rmSync(base, { recursive: true, force: true });
  });

  it('runs a folder named relative to the root, or by an absolute path inside it, or through a symlink that stays inside', async () => {
    for (const [name, key, answer] of [['rel', 'fn', 'inside'], ['abs', join(root, 'nested', 'fn2'), 'nested'], ['viaLink', 'link-in', 'inside']] as const) {
      const r = await t.call('POST', '/2015-03-31/functions', localBody(name, key));
      assert.equal(r.status, 201, r.body);
      const inv = await t.invoke(name, {});
      assert.equal(inv.json, answer);
    }
    const got = await t.call('GET', '/2015-03-31/functions/rel');
    assert.equal(got.json.Code.Location, `file://${join(root, 'fn')}`);
  });

  it('refuses anything outside the root: .., absolute paths, symlinks leading out', async () => {
    for (const key of ['../outside', 'fn/../../outside', outside, '/usr', '/', 'link-out']) {
      const r = await t.call('POST', '/2015-03-31/functions', localBody('escape', key));
      assert.equal(r.status, 400, key);
      assert.equal(r.json.Message, DENIED, key);
    }
  });

  it('a missing folder or a file is a key that does not exist', async () => {
    for (const key of ['missing', 'a-file']) {
      const r = await t.call('POST', '/2015-03-31/functions', localBody('missing', key));
      assert.equal(r.status, 400, key);
      assert.equal(r.json.Message, NO_KEY, key);
    }
  });

  it('a folder replaced by a symlink leading out after CreateFunction is refused when a worker starts', async () => {
    mkdirSync(join(root, 'swap'));
    writeFileSync(join(root, 'swap', 'index.js'), 'exports.handler = async () => "swap";');
    const r = await t.call('POST', '/2015-03-31/functions', localBody('swapped', 'swap'));
    assert.equal(r.status, 201, r.body);
    renameSync(join(root, 'swap'), join(base, 'swap-old'));
    symlinkSync(outside, join(root, 'swap'));
    const inv = await t.invoke('swapped', {});
    assert.equal(inv.status, 409);
    assert.equal(inv.headers.get('x-amzn-errortype'), 'ResourceConflictException');
    assert.match(inv.json.Message, /--lambda-local-code-root/);
  });
});
