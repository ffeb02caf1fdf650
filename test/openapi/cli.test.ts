// `gatehouse import` and `gatehouse export` as a user runs them, against a running Gatehouse.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import type { Gatehouse } from '../../src/server.ts';
import { startTestGatehouse } from '../helpers/server.ts';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');
const FIXTURES = join(import.meta.dirname, 'fixtures');

/** Runs the gatehouse CLI (from source, through tsx) the way bin/gatehouse.js does. */
async function gatehouse(args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  const script = `import { main } from './src/cli/index.ts';
main(JSON.parse(process.argv[1])).catch((err) => { console.error(err instanceof Error ? err.message : err); process.exit(1); });`;
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, JSON.stringify(args)], { cwd: ROOT });
    return { stdout, stderr, code: 0 };
  } catch (err) {
    const e = err as { stdout: string; stderr: string; code: number };
    return { stdout: e.stdout, stderr: e.stderr, code: e.code };
  }
}

let g: Gatehouse;
before(async () => {
  g = await startTestGatehouse();
});
after(() => g.close());

test('gatehouse import FILE --deploy STAGE, then gatehouse export API STAGE', async () => {
  const imported = await gatehouse(['import', join(FIXTURES, 'petstore.json'), '--deploy', 'test', '--url', g.url]);
  assert.equal(imported.code, 0, imported.stderr);
  const id = /Imported REST API ([a-z0-9]{10}) \(PetStore\)/.exec(imported.stdout)?.[1];
  assert.ok(id, imported.stdout);
  assert.match(imported.stdout, new RegExp(`Deployed [a-z0-9]{6} to stage test: ${g.url}/restapis/${id}/test/_user_request_/`));

  // The deployed API answers: GET / is the PetStore's MOCK integration.
  const page = await fetch(`${g.url}/restapis/${id}/test/_user_request_/`);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /Welcome to the PetStore API/);

  const json = await gatehouse(['export', id!, 'test', '--url', g.url]);
  assert.equal(json.code, 0, json.stderr);
  const doc = JSON.parse(json.stdout);
  assert.equal(doc.swagger, '2.0');
  assert.equal(doc.basePath, '/test');
  assert.equal(doc.paths['/pets/{petId}'].get['x-amazon-apigateway-integration'].uri, 'http://petstore-demo-endpoint.execute-api.com/petstore/pets/{petId}');

  const out = join(mkdtempSync(join(tmpdir(), 'gatehouse-cli-')), 'petstore.yaml');
  const yaml = await gatehouse(['export', id!, 'test', '--type', 'oas30', '--yaml', '--extensions', 'none', '--out', out, '--url', g.url]);
  assert.equal(yaml.code, 0, yaml.stderr);
  const y = parseYaml(readFileSync(out, 'utf8'));
  assert.equal(y.openapi, '3.0.1');
  assert.equal(y.paths['/pets'].get['x-amazon-apigateway-integration'], undefined);

  // Re-import the export into the same API (overwrite).
  const again = await gatehouse(['import', out, '--into', id!, '--overwrite', '--url', g.url]);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, new RegExp(`Updated REST API ${id}`));
});

test('the CLI reports Gatehouse errors and unreachable servers plainly', async () => {
  const bad = await gatehouse(['import', join(FIXTURES, '..', 'cli.test.ts'), '--url', g.url]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /^gatehouse import: BadRequestException: /);
  const warn = await gatehouse(['export', 'nosuchapi0', 'dev', '--url', g.url]);
  assert.equal(warn.code, 1);
  assert.match(warn.stderr, /gatehouse export: NotFoundException: Invalid API identifier specified/);
  const down = await gatehouse(['export', 'x', 'y', '--url', 'http://127.0.0.1:1']);
  assert.equal(down.code, 1);
  assert.match(down.stderr, /cannot reach Gatehouse at http:\/\/127\.0\.0\.1:1/);
  const usage = await gatehouse(['export', 'only-one-arg']);
  assert.match(usage.stderr, /expected API_ID and STAGE/);
});
