// Replays of test_apigateway_api's resource recordings (see harness.ts and docs/aws-recorded.md).
import { CreateResourceCommand, CreateRestApiCommand, DeleteResourceCommand, GetResourceCommand, GetResourcesCommand, UpdateResourceCommand } from '@aws-sdk/client-api-gateway';
import { uid, useRecorded, type Replay } from './harness.ts';

const rec = useRecorded('test_apigateway_api');

async function api(r: Replay, description: string): Promise<{ id: string; root: string }> {
  const a = await r.setup(new CreateRestApiCommand({ name: uid(), description }));
  return { id: a.id, root: a.rootResourceId };
}

rec.test('TestApiGatewayApiResource::test_resource_lifecycle', async (r) => {
  r.sort('items', (x) => x.path);
  const { id } = await api(r, 'testing resource lifecycle');
  const roots = await r.ok('rest-api-root-resource', new GetResourcesCommand({ restApiId: id }));
  const root = roots.items[0].id;
  const pets = await r.ok('create-resource', new CreateResourceCommand({ restApiId: id, parentId: root, pathPart: 'pets' }));
  await r.send('rest-api-resources-after-create', new GetResourcesCommand({ restApiId: id }));
  await r.send('create-subresource', new CreateResourceCommand({ restApiId: id, parentId: pets.id, pathPart: 'subpets' }));
  await r.send('rest-api-resources-after-create-sub', new GetResourcesCommand({ restApiId: id }));
  await r.send('update-path-part', new UpdateResourceCommand({ restApiId: id, resourceId: pets.id, patchOperations: [{ op: 'replace', path: '/pathPart', value: 'dogs' }] }));
  await r.send('get-resp-after-update-path-part', new GetResourceCommand({ restApiId: id, resourceId: pets.id }));
  await r.send('del-resource', new DeleteResourceCommand({ restApiId: id, resourceId: pets.id }));
  await r.send('rest-api-resources-after-delete', new GetResourcesCommand({ restApiId: id }));
});

rec.test('TestApiGatewayApiResource::test_update_resource_behaviour', async (r) => {
  r.sort('items', (x) => x.path);
  const { id, root } = await api(r, 'testing resource behaviour');
  const pets = await r.setup(new CreateResourceCommand({ restApiId: id, parentId: root, pathPart: 'pets' }));
  const update = (label: string, resourceId: string, op: object) => r.send(label, new UpdateResourceCommand({ restApiId: id, resourceId, patchOperations: [op] }));
  await update('nonexistent-resource', 'fake-resource', { op: 'replace', path: '/pathPart', value: 'dogs' });
  await update('invalid-path-part', pets.id, { op: 'replace', path: '/invalid', value: 'dogs' });
  await update('invalid-parent-id', pets.id, { op: 'replace', path: '/parentId', value: 'fake-parent-id' });
  const sub = await r.ok('create-subresource', new CreateResourceCommand({ restApiId: id, parentId: pets.id, pathPart: 'subpets' }));
  const child = await r.ok('create-subresource-child', new CreateResourceCommand({ restApiId: id, parentId: sub.id, pathPart: 'pets' }));
  await update('existing-future-sibling-path', child.id, { op: 'replace', path: '/parentId', value: root });
  await r.setup(new DeleteResourceCommand({ restApiId: id, resourceId: child.id }));
  await update('update-parent-id-to-subresource-id', pets.id, { op: 'replace', path: '/parentId', value: sub.id });
  await update('update-parent-id-to-root-id', sub.id, { op: 'replace', path: '/parentId', value: root });
  await update('update-path-already-exists', sub.id, { op: 'replace', path: '/pathPart', value: 'pets' });
  await r.setup(new DeleteResourceCommand({ restApiId: id, resourceId: pets.id }));
  await r.send('resources-after-deletion', new GetResourcesCommand({ restApiId: id }));
  await update('remove-unsupported', sub.id, { op: 'remove', path: '/pathPart' });
  await update('add-unsupported', sub.id, { op: 'add', path: '/pathPart', value: 'added-pets' });
});

rec.test('TestApiGatewayApiResource::test_delete_resource', async (r) => {
  const { id, root } = await api(r, 'testing resource behaviour');
  const pets = await r.setup(new CreateResourceCommand({ restApiId: id, parentId: root, pathPart: 'pets' }));
  const sub = await r.setup(new CreateResourceCommand({ restApiId: id, parentId: pets.id, pathPart: 'subpets' }));
  await r.send('delete-resource', new DeleteResourceCommand({ restApiId: id, resourceId: pets.id }));
  await r.send('get-resources', new GetResourcesCommand({ restApiId: id }));
  await r.send('delete-subresource', new DeleteResourceCommand({ restApiId: id, resourceId: sub.id }));
});

rec.test('TestApiGatewayApiResource::test_create_resource_parent_invalid', async (r) => {
  const { id } = await api(r, 'testing resource parent');
  await r.send('wrong-resource-parent-id', new CreateResourceCommand({ restApiId: id, parentId: 'fake-resource-id', pathPart: 'subpets' }));
});

rec.test('TestApiGatewayApiResource::test_create_proxy_resource', async (r) => {
  r.sort('items', (x) => x.path);
  const { id, root } = await api(r, 'testing resource proxy');
  const create = (label: string, parentId: string, pathPart: string) => r.ok(label, new CreateResourceCommand({ restApiId: id, parentId, pathPart }));
  await create('create-base-proxy-resource', root, '{proxy+}');
  const parent = await r.setup(new CreateResourceCommand({ restApiId: id, parentId: root, pathPart: 'parent' }));
  r.record('create-proxy-sibling-resource', parent.id);
  const proxyChild = await create('create-proxy-sibling-proxy-child-resource', parent.id, '{proxy+}');
  const child = await create('create-proxy-sibling-static-child-resource', parent.id, 'child');
  await create('create-static-child-proxy-resource', child.id, '{proxy+}');
  await r.send('all-resources', new GetResourcesCommand({ restApiId: id }));
  await r.setup(new DeleteResourceCommand({ restApiId: id, resourceId: proxyChild.id }));
  const dynamic = await create('create-proxy-sibling-dynamic-child-resource', parent.id, '{child}');
  await create('create-dynamic-child-proxy-resource', dynamic.id, '{proxy+}');
  await r.send('all-resources-2', new GetResourcesCommand({ restApiId: id }));
});

rec.test('TestApiGatewayApiResource::test_create_proxy_resource_validation', async (r) => {
  const { id, root } = await api(r, 'testing resource proxy');
  const create = (label: string, parentId: string, pathPart: string) => r.send<any>(label, new CreateResourceCommand({ restApiId: id, parentId, pathPart }));
  const proxy = await create('create-base-proxy-resource', root, '{proxy+}');
  await create('create-proxy-dynamic-sibling-resource', root, '{dynamic}');
  await create('create-proxy-static-child-resource', proxy.id, 'child');
  await create('create-proxy-dynamic-child-resource', proxy.id, '{child}');
  const parent = await r.setup(new CreateResourceCommand({ restApiId: id, parentId: root, pathPart: 'parent' }));
  await create('create-greedy-child-resource', parent.id, '{child+}');
});

rec.test('TestApiGatewayApiResource::test_update_resource_on_root', async (r) => {
  const { id, root } = await api(r, 'testing resource on root');
  await r.send('update-root-path-part', new UpdateResourceCommand({ restApiId: id, resourceId: root, patchOperations: [{ op: 'replace', path: '/pathPart', value: 'dogs' }] }));
  await r.send('update-root-parent', new UpdateResourceCommand({ restApiId: id, resourceId: root, patchOperations: [{ op: 'replace', path: '/parentId', value: 'fake-parent' }] }));
});
