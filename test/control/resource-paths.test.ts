// The resource-path index (src/control/apis/resource-paths.ts): a path is taken by one resource
// only, even when two CreateResource calls race for it through the HTTP API (on one gateway with
// SQLite, and on two gateways sharing one PostgreSQL); and every writer of resources (create,
// rename, move, delete, cloneFrom, an overwriting import) leaves the index agreeing with them.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import {
  CreateResourceCommand, CreateRestApiCommand, DeleteResourceCommand, GetResourcesCommand, PutRestApiCommand, UpdateResourceCommand,
  type APIGatewayClient, type Resource,
} from '@aws-sdk/client-api-gateway';
import type { Gatehouse } from '../../src/server.ts';
import { apiGatewayClient, rejects, startTestGatehouse } from '../helpers/server.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/private-services.ts';

const CONFLICT = (pathPart: string) => `Another resource with the same parent already has this name: ${pathPart}`;
const SIBLING = (pathPart: string) => `A sibling (${pathPart}) of this resource already has a variable path part -- only one is allowed`;

type Outcome = { ok: true; resource: Resource; status: number | undefined } | { ok: false; name: string; message: string };

async function outcome(p: Promise<Resource & { $metadata: { httpStatusCode?: number } }>): Promise<Outcome> {
  try {
    const resource = await p;
    return { ok: true, resource, status: resource.$metadata.httpStatusCode };
  } catch (err) {
    return { ok: false, name: (err as Error).name, message: (err as Error).message };
  }
}

async function paths(client: APIGatewayClient, restApiId: string): Promise<string[]> {
  return (await client.send(new GetResourcesCommand({ restApiId, limit: 500 }))).items!.map((r) => r.path!).sort();
}

/** Two CreateResource calls at once, one through each client; exactly one must win. */
async function race(a: APIGatewayClient, b: APIGatewayClient, restApiId: string, parentId: string, parts: [string, string]): Promise<[Outcome, Outcome]> {
  return Promise.all([
    outcome(a.send(new CreateResourceCommand({ restApiId, parentId, pathPart: parts[0] }))),
    outcome(b.send(new CreateResourceCommand({ restApiId, parentId, pathPart: parts[1] }))),
  ]);
}

function oneWinner(results: [Outcome, Outcome]): { won: Resource; lost: { name: string; message: string } } {
  const won = results.filter((r) => r.ok);
  const lost = results.filter((r) => !r.ok);
  assert.equal(won.length, 1, `exactly one create succeeds: ${JSON.stringify(results)}`);
  assert.equal(won[0]!.status, 201);
  return { won: won[0]!.resource, lost: lost[0]! };
}

function raceTests(name: string, clients: () => [APIGatewayClient, APIGatewayClient]): void {
  describe(`concurrent CreateResource (${name})`, () => {
    it('for one path: one 201 and one ConflictException, and one resource at the path', async () => {
      const [a, b] = clients();
      const api = await a.send(new CreateRestApiCommand({ name: 'race' }));
      for (let round = 0; round < 5; round++) {
        const part = `race${round}`;
        const { won, lost } = oneWinner(await race(a, b, api.id!, api.rootResourceId!, [part, part]));
        assert.equal(won.path, `/${part}`);
        assert.deepEqual(lost, { ok: false, name: 'ConflictException', message: CONFLICT(part) });
      }
      assert.deepEqual(await paths(b, api.id!), ['/', '/race0', '/race1', '/race2', '/race3', '/race4']);
    });

    it('for two variable children of one parent: one 201 and one BadRequestException naming the winner', async () => {
      const [a, b] = clients();
      const api = await a.send(new CreateRestApiCommand({ name: 'race-variable' }));
      for (let round = 0; round < 5; round++) {
        const parent = await a.send(new CreateResourceCommand({ restApiId: api.id, parentId: api.rootResourceId, pathPart: `p${round}` }));
        const { won, lost } = oneWinner(await race(a, b, api.id!, parent.id!, ['{a}', '{b}']));
        assert.deepEqual(lost, { ok: false, name: 'BadRequestException', message: SIBLING(won.pathPart!) });
      }
      assert.equal((await paths(a, api.id!)).filter((p) => p.endsWith('}')).length, 5);
    });
  });
}

describe('on one gateway with the embedded store', () => {
  let gh: Gatehouse;
  let client: APIGatewayClient;
  let second: APIGatewayClient;
  before(async () => {
    gh = await startTestGatehouse();
    client = apiGatewayClient(gh.url);
    second = apiGatewayClient(gh.url);
  });
  after(async () => {
    client.destroy();
    second.destroy();
    await gh.close();
  });

  raceTests('SQLite', () => [client, second]);

  describe('every writer keeps the index', () => {
    it('renames and moves: the old paths are free again, the new ones taken, down the subtree', async () => {
      const api = await client.send(new CreateRestApiCommand({ name: 'moves' }));
      const restApiId = api.id!;
      const create = (parentId: string, pathPart: string) => client.send(new CreateResourceCommand({ restApiId, parentId, pathPart }));
      const a = await create(api.rootResourceId!, 'a');
      const b = await create(a.id!, 'b');
      await create(b.id!, '{id}');
      await client.send(new UpdateResourceCommand({ restApiId, resourceId: a.id, patchOperations: [{ op: 'replace', path: '/pathPart', value: 'c' }] }));
      assert.deepEqual(await paths(client, restApiId), ['/', '/c', '/c/b', '/c/b/{id}']);
      await rejects(create(api.rootResourceId!, 'c'), 'ConflictException', CONFLICT('c'));
      await rejects(create(b.id!, '{other}'), 'BadRequestException', SIBLING('{id}'));
      const again = await create(api.rootResourceId!, 'a');
      await create(again.id!, 'b');

      // b moves to the root, where its name is free, taking its variable child along.
      await client.send(new UpdateResourceCommand({ restApiId, resourceId: b.id, patchOperations: [{ op: 'replace', path: '/parentId', value: api.rootResourceId }] }));
      assert.deepEqual(await paths(client, restApiId), ['/', '/a', '/a/b', '/b', '/b/{id}', '/c']);
      await create(a.id!, 'b'); // /c/b is free again
      await rejects(create(b.id!, '{x}'), 'BadRequestException', SIBLING('{id}'));
      // and cannot move where its name is taken
      await rejects(client.send(new UpdateResourceCommand({ restApiId, resourceId: b.id, patchOperations: [{ op: 'replace', path: '/parentId', value: again.id }] })),
        'ConflictException', CONFLICT('b'));
      assert.deepEqual(await paths(client, restApiId), ['/', '/a', '/a/b', '/b', '/b/{id}', '/c', '/c/b']);
    });

    it('deletes: a deleted subtree frees its paths and its variable slot', async () => {
      const api = await client.send(new CreateRestApiCommand({ name: 'deletes' }));
      const restApiId = api.id!;
      const create = (parentId: string, pathPart: string) => client.send(new CreateResourceCommand({ restApiId, parentId, pathPart }));
      const pets = await create(api.rootResourceId!, 'pets');
      const pet = await create(pets.id!, '{petId}');
      await create(pet.id!, 'toys');
      await client.send(new DeleteResourceCommand({ restApiId, resourceId: pet.id }));
      const other = await create(pets.id!, '{name}');
      await create(other.id!, 'toys');
      await client.send(new DeleteResourceCommand({ restApiId, resourceId: pets.id }));
      await create(api.rootResourceId!, 'pets');
      assert.deepEqual(await paths(client, restApiId), ['/', '/pets']);
    });

    it('cloneFrom: the clone has its own index of the copied paths', async () => {
      const src = await client.send(new CreateRestApiCommand({ name: 'source' }));
      const v = await client.send(new CreateResourceCommand({ restApiId: src.id, parentId: src.rootResourceId, pathPart: 'v' }));
      await client.send(new CreateResourceCommand({ restApiId: src.id, parentId: v.id, pathPart: '{x}' }));
      const clone = await client.send(new CreateRestApiCommand({ name: 'clone', cloneFrom: src.id }));
      const cloned = (await client.send(new GetResourcesCommand({ restApiId: clone.id }))).items!;
      const clonedV = cloned.find((r) => r.path === '/v')!;
      await rejects(client.send(new CreateResourceCommand({ restApiId: clone.id, parentId: clone.rootResourceId, pathPart: 'v' })), 'ConflictException', CONFLICT('v'));
      await rejects(client.send(new CreateResourceCommand({ restApiId: clone.id, parentId: clonedV.id, pathPart: '{y}' })), 'BadRequestException', SIBLING('{x}'));
      // The source's index is its own: deleting there leaves the clone's paths taken.
      await client.send(new DeleteResourceCommand({ restApiId: src.id, resourceId: v.id }));
      await rejects(client.send(new CreateResourceCommand({ restApiId: clone.id, parentId: clone.rootResourceId, pathPart: 'v' })), 'ConflictException', CONFLICT('v'));
    });

    it('an overwriting import: the old paths are free, the imported ones taken', async () => {
      const api = await client.send(new CreateRestApiCommand({ name: 'overwritten' }));
      await client.send(new CreateResourceCommand({ restApiId: api.id, parentId: api.rootResourceId, pathPart: 'old' }));
      const definition = { swagger: '2.0', info: { title: 'overwritten', version: '1' }, paths: { '/new/{id}': { get: { responses: { 200: { description: 'ok' } } } } } };
      await client.send(new PutRestApiCommand({ restApiId: api.id, mode: 'overwrite', body: new TextEncoder().encode(JSON.stringify(definition)) }));
      assert.deepEqual(await paths(client, api.id!), ['/', '/new', '/new/{id}']);
      const resources = (await client.send(new GetResourcesCommand({ restApiId: api.id }))).items!;
      await client.send(new CreateResourceCommand({ restApiId: api.id, parentId: api.rootResourceId, pathPart: 'old' }));
      await rejects(client.send(new CreateResourceCommand({ restApiId: api.id, parentId: api.rootResourceId, pathPart: 'new' })), 'ConflictException', CONFLICT('new'));
      const parent = resources.find((r) => r.path === '/new')!;
      await rejects(client.send(new CreateResourceCommand({ restApiId: api.id, parentId: parent.id, pathPart: '{other}' })), 'BadRequestException', SIBLING('{id}'));
    });
  });
});

describe('on two gateways sharing one PostgreSQL', () => {
  let db: TestDatabase;
  let one: Gatehouse;
  let two: Gatehouse;
  let a: APIGatewayClient;
  let b: APIGatewayClient;
  before(async () => {
    db = await createTestDatabase();
    one = await startTestGatehouse({ postgres: db.url });
    two = await startTestGatehouse({ postgres: db.url });
    a = apiGatewayClient(one.url);
    b = apiGatewayClient(two.url);
  });
  after(async () => {
    a?.destroy();
    b?.destroy();
    await one?.close();
    await two?.close();
    await db?.drop();
  });

  raceTests('PostgreSQL', () => [a, b]);

  it('keeps the index in PostgreSQL, where both gateways read it', async () => {
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      const { rows } = await c.query<{ id: string }>("SELECT id FROM docs WHERE kind = 'respath' AND id LIKE '/race%' ORDER BY id");
      assert.deepEqual(rows.map((r) => r.id), ['/race0', '/race1', '/race2', '/race3', '/race4']);
    } finally {
      await c.end();
    }
  });
});
