// Hostile definitions (issue #20, item 6): deep nesting, alias bombs and costly YAML are refused
// with API Gateway's 400 for an unreadable definition, the server keeps answering other clients
// while one is being read, and its memory stays bounded.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CreateRestApiCommand, GetRestApisCommand, ImportDocumentationPartsCommand, ImportRestApiCommand, PutRestApiCommand, type APIGatewayClient,
} from '@aws-sdk/client-api-gateway';
import { stringify as toYaml } from 'yaml';
import type { Gatehouse } from '../../src/server.ts';
import { INLINE_MAX_BYTES } from '../../src/openapi/parse.ts';
import { PARSE_HEAP_MB } from '../../src/openapi/parse-worker-pool.ts';
import { useGatehouse } from '../helpers/server.ts';

let gh: Gatehouse;
let sdk: APIGatewayClient;
useGatehouse((g, c) => {
  gh = g;
  sdk = c;
});

const MB = 1024 * 1024;

/** Samples this process's RSS (the server runs in it) until stopped; returns the peak growth. */
function watchRss(): () => number {
  const start = process.memoryUsage().rss;
  let peak = start;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 5);
  return () => {
    clearInterval(timer);
    return Math.max(peak, process.memoryUsage().rss) - start;
  };
}

interface Race {
  /** What settled, in order: 'import', 'health', 'list'. */
  order: string[];
  importError: Error & { $metadata?: { httpStatusCode?: number } };
  rssGrowth: number;
}

/**
 * Starts the import, and once its request is on its way asks the same server for its health and
 * its list of APIs. Both must be answered; the import must fail.
 */
async function importAlongside(body: string, put = false): Promise<Race> {
  const order: string[] = [];
  const stop = watchRss();
  const bytes = Buffer.from(body);
  const hostile = (put ? sdk.send(new PutRestApiCommand({ restApiId: 'abcdef1234', body: bytes })) : sdk.send(new ImportRestApiCommand({ body: bytes }))).then(
    () => assert.fail('the import succeeded'),
    (err: Race['importError']) => {
      order.push('import');
      return err;
    },
  );
  const health = fetch(`${gh.url}/_gatehouse/health`).then(async (r) => {
    assert.equal(r.status, 200);
    await r.json();
    order.push('health');
  });
  const list = sdk.send(new GetRestApisCommand({})).then((r) => {
    assert.ok(Array.isArray(r.items));
    order.push('list');
  });
  const [importError] = await Promise.all([hostile, health, list]);
  return { order, importError, rssGrowth: stop() };
}

function assertUnreadable(err: Race['importError']): void {
  assert.equal(err.name, 'BadRequestException', err.message);
  assert.equal(err.message, 'Invalid OpenAPI input.');
  assert.equal(err.$metadata?.httpStatusCode, 400);
}

describe('large definitions are read off the event loop', () => {
  test('a large YAML definition imports, and the server answers others while it is read', async () => {
    const notes = Array.from({ length: 20_000 }, (_, i) => ({ id: i, text: `note ${i}` }));
    const doc = {
      swagger: '2.0',
      info: { title: 'Large', version: '1' },
      'x-notes': notes,
      paths: { '/a': { get: { responses: { '200': { description: 'ok' } }, 'x-amazon-apigateway-integration': { type: 'mock', requestTemplates: { 'application/json': '{"statusCode": 200}' } } } } },
    };
    const body = toYaml(doc);
    assert.ok(Buffer.byteLength(body) > INLINE_MAX_BYTES, 'the definition is large enough to go to the worker');
    const order: string[] = [];
    const imported = sdk.send(new ImportRestApiCommand({ body: Buffer.from(body), failOnWarnings: true })).then((api) => {
      order.push('import');
      return api;
    });
    const list = sdk.send(new GetRestApisCommand({})).then(() => order.push('list'));
    const [api] = await Promise.all([imported, list]);
    assert.equal(api.name, 'Large');
    assert.deepEqual(order, ['list', 'import']);
  });
});

describe('hostile definitions are refused before they cost anything', () => {
  test('5 MB of "[" (under the 6 MB limit) is a 400 while other clients are answered', async () => {
    const race = await importAlongside('['.repeat(5 * MB));
    assertUnreadable(race.importError);
    assert.deepEqual([...race.order].sort(), ['health', 'import', 'list']);
    assert.ok(race.rssGrowth < 256 * MB, `RSS grew by ${Math.round(race.rssGrowth / MB)} MB`);
  });

  test('5 MB of "[" with a YAML start, and of nested block sequences ("- - - ..."), are 400s', async () => {
    for (const body of [`swagger: "2.0"\ninfo: {title: Deep}\nx: ${'['.repeat(5 * MB)}`, `swagger: "2.0"\nx:\n${'- '.repeat(2 * MB)}x\n`]) {
      const race = await importAlongside(body);
      assertUnreadable(race.importError);
      assert.ok(race.rssGrowth < 256 * MB, `RSS grew by ${Math.round(race.rssGrowth / MB)} MB`);
    }
  });

  test('1,000-level deep JSON is a 400, for ImportRestApi and PutRestApi', async () => {
    const deep = `{"swagger":"2.0","info":{"title":"Deep"},"paths":{},"x":${'{"a":'.repeat(1000)}1${'}'.repeat(1000)}}`;
    for (const put of [false, true]) {
      const race = await importAlongside(deep, put);
      assertUnreadable(race.importError);
      assert.deepEqual([...race.order].sort(), ['health', 'import', 'list']);
    }
  });

  test('a "billion laughs" YAML alias bomb is a 400', async () => {
    const lines = ['swagger: "2.0"', 'info: {title: Laughs}', 'paths: {}', 'a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i <= 9; i++) lines.push(`a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]`);
    const race = await importAlongside(lines.join('\n') + '\n');
    assertUnreadable(race.importError);
    assert.deepEqual([...race.order].sort(), ['health', 'import', 'list']);
    assert.ok(race.rssGrowth < 256 * MB, `RSS grew by ${Math.round(race.rssGrowth / MB)} MB`);
  });

  test('ImportDocumentationParts reads its body with the same bounds: 5 MB of "[" is its 400', async () => {
    const api = await sdk.send(new CreateRestApiCommand({ name: 'docs' }));
    const stop = watchRss();
    const imported = sdk.send(new ImportDocumentationPartsCommand({ restApiId: api.id, body: Buffer.from(`swagger: "2.0"\nx: ${'['.repeat(5 * MB)}`) }));
    const [err] = await Promise.all([
      imported.then(() => assert.fail('the import succeeded'), (e: Race['importError']) => e),
      sdk.send(new GetRestApisCommand({})),
    ]);
    assert.equal(err.name, 'BadRequestException');
    assert.equal(err.message, 'Unable to build importer with provided input.');
    assert.ok(stop() < 256 * MB);
  });

  test('a definition the pre-scan lets through but that is too costly to read ends in its worker, not the server', async () => {
    // 1.2 million one-character values: flat, so nothing about its shape is suspicious, but more
    // values than a definition may have. Reading it takes seconds, all of them off the event loop.
    const race = await importAlongside(`swagger: "2.0"\ninfo: {title: Many}\npaths: {}\nx-values:\n${'- 1\n'.repeat(1_200_000)}`);
    assertUnreadable(race.importError);
    assert.equal(race.order.at(-1), 'import', `other clients were answered before the import ended: ${race.order.join(', ')}`);
    assert.ok(race.rssGrowth < (PARSE_HEAP_MB + 256) * MB, `RSS grew by ${Math.round(race.rssGrowth / MB)} MB`);
  });
});
