// Zip bombs and other hostile archives given to CreateFunction: refused with Lambda's errors,
// with the server's memory bounded (the archive is inflated as a stream to disk, never held),
// other clients answered while one is being unpacked, and nothing left on disk.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { buildZip, deflatedZeros, textEntry, type RawEntry } from './code-zips.ts';
import { ROLE, startLambda, until, type TestLambda } from './helpers.ts';

const GiB = 1 << 30;
const MiB = 1 << 20;
const UNZIPPED_LIMIT = 'Unzipped size must be smaller than 262144000 bytes';

function createBody(name: string, zip: Buffer): Record<string, unknown> {
  return { FunctionName: name, Runtime: 'nodejs20.x', Role: ROLE, Handler: 'index.handler', Code: { ZipFile: zip.toString('base64') } };
}

/** Peak resident memory of this process so far, in bytes (the server runs in it). */
function peakRss(): number {
  return process.resourceUsage().maxRSS * 1024;
}

describe('zip bombs given as function code', () => {
  let t: TestLambda;
  let gib: { data: Buffer; crc: number };
  before(async () => {
    t = await startLambda();
    gib = await deflatedZeros(GiB);
  });
  after(() => t.close());

  /** Archives are unpacked into the cache, each first into a folder of its own. */
  function cache(): string {
    return join(t.lambda.root, 'code', 'cache');
  }
  function cached(): string[] {
    return existsSync(cache()) ? readdirSync(cache()) : [];
  }
  /** Nothing of a refused archive stays: no folder on disk, no blob in the store. */
  async function leftNothing(bomb: Buffer): Promise<void> {
    assert.deepEqual(cached(), []);
    assert.equal(await t.store.getBlob(createHash('sha256').update(bomb).digest('hex')), undefined);
  }

  it('an archive declaring 1 GiB is refused with Lambda\'s error, without inflating it', async () => {
    const bomb = buildZip([{ name: 'zeros.bin', data: gib.data, crc: gib.crc, declared: GiB }]);
    assert.ok(bomb.byteLength < 2 * MiB);
    const before = peakRss();
    const r = await t.call('POST', '/2015-03-31/functions', createBody('honest-bomb', bomb));
    assert.equal(r.status, 400);
    assert.equal(r.headers.get('x-amzn-errortype'), 'InvalidParameterValueException');
    assert.equal(r.json.Message, UNZIPPED_LIMIT);
    assert.ok(peakRss() - before < 200 * MiB, `peak RSS grew by ${(peakRss() - before) / MiB} MiB`);
    await leftNothing(bomb);
  });

  it('an archive that lies about its size is stopped at the size it declared, memory bounded', async () => {
    const bomb = buildZip([{ name: 'index.js', data: gib.data, crc: gib.crc, declared: MiB }]);
    const before = peakRss();
    const r = await t.call('POST', '/2015-03-31/functions', createBody('lying-bomb', bomb));
    assert.equal(r.status, 400);
    assert.equal(r.headers.get('x-amzn-errortype'), 'InvalidParameterValueException');
    assert.equal(r.json.Message, 'Could not unzip uploaded file. Please check your file, then try to upload again.');
    assert.ok(peakRss() - before < 200 * MiB, `peak RSS grew by ${(peakRss() - before) / MiB} MiB`);
    await leftNothing(bomb);
  });

  it('many honest entries past 250 MB: unpacked to disk until the limit, other clients answered meanwhile, then removed', async () => {
    const mib = await deflatedZeros(MiB);
    const entries: RawEntry[] = [];
    for (let i = 0; i < 260; i++) entries.push({ name: `part/${i}.bin`, data: mib.data, crc: mib.crc, declared: MiB });
    const bomb = buildZip(entries);
    const before = peakRss();
    let bombAnswered = false;
    const bombCall = t.call('POST', '/2015-03-31/functions', createBody('wide-bomb', bomb)).finally(() => { bombAnswered = true; });
    // Unpacking has begun once its folder holds a file; a second client is answered before the bomb is.
    await until(() => cached().some((folder) => {
      const part = join(cache(), folder, 'part');
      return existsSync(part) && readdirSync(part).length > 0;
    }), 'the bomb to be unpacked', 60_000);
    const other = await t.call('GET', '/2015-03-31/functions');
    assert.equal(other.status, 200);
    assert.equal(bombAnswered, false, 'the other client was answered only after the bomb');
    const r = await bombCall;
    assert.equal(r.status, 400);
    assert.equal(r.json.Message, UNZIPPED_LIMIT);
    assert.ok(peakRss() - before < 200 * MiB, `peak RSS grew by ${(peakRss() - before) / MiB} MiB`);
    await leftNothing(bomb);
  });

  it('a path-traversal entry is skipped, files keep their executable bit, and the function runs', async () => {
    const zip = buildZip([
      await textEntry('../../escaped.js', 'module.exports = 1;'),
      await textEntry('/abs.js', 'module.exports = 2;'),
      await textEntry('bin/tool', '#!/bin/sh\necho tool-ran\n', 0o100755),
      await textEntry('index.js', 'const { execFileSync } = require("node:child_process"); exports.handler = async () => execFileSync(__dirname + "/bin/tool").toString().trim();'),
    ]);
    const r = await t.call('POST', '/2015-03-31/functions', createBody('traversal', zip));
    assert.equal(r.status, 201, r.body);
    assert.equal(existsSync(join(t.lambda.root, 'escaped.js')), false);
    assert.equal(existsSync(join(t.lambda.root, 'code', 'escaped.js')), false);
    const unpacked = join(cache(), createHash('sha256').update(zip).digest('hex'));
    assert.equal(statSync(join(unpacked, 'bin', 'tool')).mode & 0o111, 0o111);
    const inv = await t.invoke('traversal', {});
    assert.equal(inv.status, 200);
    assert.equal(inv.json, 'tool-ran');
  });

  it('what is not a zip is refused as Lambda refuses it', async () => {
    const r = await t.call('POST', '/2015-03-31/functions', createBody('garbage', Buffer.from('not a zip at all, just text')));
    assert.equal(r.status, 400);
    assert.equal(r.json.Message, 'Could not unzip uploaded file. Please check your file, then try to upload again.');
  });
});
