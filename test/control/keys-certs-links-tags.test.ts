// Client certificates, VPC links, tags and SDK types end to end through the AWS SDK v3 and the AWS CLI.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import {
  APIGatewayClient, CreateApiKeyCommand, CreateUsagePlanCommand, CreateVpcLinkCommand, DeleteClientCertificateCommand, DeleteVpcLinkCommand,
  GenerateClientCertificateCommand, GetApiKeyCommand, GetClientCertificateCommand, GetClientCertificatesCommand, GetSdkTypeCommand,
  GetSdkTypesCommand, GetStageCommand, GetTagsCommand, GetVpcLinkCommand, GetVpcLinksCommand, TagResourceCommand, UntagResourceCommand,
  UpdateClientCertificateCommand, UpdateVpcLinkCommand, GetRestApiCommand,
} from '@aws-sdk/client-api-gateway';
import type { Gatehouse } from '../../src/server.ts';
import { checkClientCertificateExists, getClientCertificateKeyPair } from '../../src/control/keys/index.ts';
import { partitionOf } from '../../src/http/aws-scope.ts';
import { REGION, apiGatewayClient, awsCli, awsCliError, useGatehouse } from '../helpers/server.ts';
import { apiWithStage, rejects } from './keys-helpers.ts';

let gh: Gatehouse;
let client: APIGatewayClient;

useGatehouse((g, c) => {
  gh = g;
  client = c;
});

const NLB = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/my-nlb/50dc6c495c0c9188';
const arn = (path: string) => `arn:aws:apigateway:${REGION}::${path}`;

describe('client certificates', () => {
  it('generates a real self-signed RSA 2048 certificate valid for 365 days and keeps its private key', async () => {
    const c = await client.send(new GenerateClientCertificateCommand({ description: 'backend mTLS', tags: { use: 'mtls' } }));
    assert.equal(c.$metadata.httpStatusCode, 201);
    assert.match(c.clientCertificateId!, /^[a-z0-9]{6}$/);
    assert.equal(c.description, 'backend mTLS');
    assert.deepEqual(c.tags, { use: 'mtls' });
    assert.match(c.pemEncodedCertificate!, /^-----BEGIN CERTIFICATE-----\n[\s\S]+\n-----END CERTIFICATE-----\n$/);
    const x = new X509Certificate(c.pemEncodedCertificate!);
    assert.equal(x.publicKey.asymmetricKeyDetails?.modulusLength, 2048);
    assert.ok(x.verify(x.publicKey), 'self-signed');
    assert.equal(Date.parse(x.validFrom) / 1000, c.createdDate!.getTime() / 1000);
    assert.equal(Date.parse(x.validTo) / 1000, c.expirationDate!.getTime() / 1000);
    assert.equal(c.expirationDate!.getTime() - c.createdDate!.getTime(), 365 * 86_400_000);
    // The private key stays on the server and matches the certificate.
    const pair = await gh.store.read(partitionOf(gh.config.accountId, REGION), (tx) => getClientCertificateKeyPair(tx, c.clientCertificateId!));
    assert.ok(pair);
    assert.ok(x.checkPrivateKey(createPrivateKey(pair.privateKeyPem)));
    assert.equal(JSON.stringify(await client.send(new GetClientCertificateCommand({ clientCertificateId: c.clientCertificateId }))).includes('PRIVATE'), false);

    const got = await client.send(new GetClientCertificateCommand({ clientCertificateId: c.clientCertificateId }));
    assert.equal(got.pemEncodedCertificate, c.pemEncodedCertificate);
    const u = await client.send(new UpdateClientCertificateCommand({ clientCertificateId: c.clientCertificateId, patchOperations: [{ op: 'replace', path: '/description', value: 'renamed' }] }));
    assert.equal(u.description, 'renamed');
    await rejects(client.send(new UpdateClientCertificateCommand({ clientCertificateId: c.clientCertificateId, patchOperations: [{ op: 'replace', path: '/pemEncodedCertificate', value: 'x' }] })),
      'BadRequestException', /Invalid patch path/);
    const list = await client.send(new GetClientCertificatesCommand({}));
    assert.ok(list.items!.some((x) => x.clientCertificateId === c.clientCertificateId));

    await gh.store.read(partitionOf(gh.config.accountId, REGION), (tx) => checkClientCertificateExists(tx, c.clientCertificateId!));
    await assert.rejects(gh.store.read(partitionOf(gh.config.accountId, REGION), (tx) => checkClientCertificateExists(tx, 'nosuch')),
      (e: Error & { type?: string }) => e.type === 'NotFoundException' && e.message === 'Invalid Client Certificate identifier specified');

    const d = await client.send(new DeleteClientCertificateCommand({ clientCertificateId: c.clientCertificateId }));
    assert.equal(d.$metadata.httpStatusCode, 202);
    await rejects(client.send(new GetClientCertificateCommand({ clientCertificateId: c.clientCertificateId })), 'NotFoundException', 'Invalid Client Certificate identifier specified', 404);
    assert.equal(await gh.store.read(partitionOf(gh.config.accountId, REGION), (tx) => getClientCertificateKeyPair(tx, c.clientCertificateId!)), undefined);
  });

  it('pages client certificates', async () => {
    const own = apiGatewayClient(gh.url, 'sa-east-1');
    try {
      const ids = [];
      for (let i = 0; i < 3; i++) ids.push((await own.send(new GenerateClientCertificateCommand({}))).clientCertificateId);
      const p1 = await own.send(new GetClientCertificatesCommand({ limit: 2 }));
      const p2 = await own.send(new GetClientCertificatesCommand({ limit: 2, position: p1.position }));
      assert.deepEqual([...p1.items!, ...p2.items!].map((c) => c.clientCertificateId), ids);
    } finally {
      own.destroy();
    }
  });
});

describe('VPC links', () => {
  it('creates a link to one NLB (PENDING, then AVAILABLE as reads show it), reads, lists, updates and deletes it', async () => {
    const v = await client.send(new CreateVpcLinkCommand({ name: 'to-nlb', description: 'private backend', targetArns: [NLB], tags: { net: 'a' } }));
    assert.equal(v.$metadata.httpStatusCode, 202);
    assert.match(v.id!, /^[a-z0-9]{6}$/);
    // What AWS answers to CreateVpcLink (test_apigateway_api recording).
    assert.equal(v.status, 'PENDING');
    assert.equal(v.statusMessage, undefined);
    assert.deepEqual(v.targetArns, [NLB]);
    assert.deepEqual(v.tags, { net: 'a' });
    const got = await client.send(new GetVpcLinkCommand({ vpcLinkId: v.id }));
    assert.equal(got.name, 'to-nlb');
    assert.equal(got.status, 'AVAILABLE');
    assert.equal(got.statusMessage, 'Your vpc link is ready for use');
    const list = await client.send(new GetVpcLinksCommand({}));
    assert.ok(list.items!.some((x) => x.id === v.id));
    const u = await client.send(new UpdateVpcLinkCommand({ vpcLinkId: v.id, patchOperations: [
      { op: 'replace', path: '/name', value: 'renamed' }, { op: 'replace', path: '/description', value: 'changed' },
    ] }));
    assert.equal(u.name, 'renamed');
    assert.equal(u.description, 'changed');
    await rejects(client.send(new UpdateVpcLinkCommand({ vpcLinkId: v.id, patchOperations: [{ op: 'replace', path: '/targetArns', value: NLB }] })), 'BadRequestException', /Invalid patch path/);
    const d = await client.send(new DeleteVpcLinkCommand({ vpcLinkId: v.id }));
    assert.equal(d.$metadata.httpStatusCode, 202);
    await rejects(client.send(new GetVpcLinkCommand({ vpcLinkId: v.id })), 'NotFoundException', 'Invalid Vpc Link identifier specified', 404);
  });

  it('requires exactly one NLB ARN', async () => {
    await rejects(client.send(new CreateVpcLinkCommand({ name: 'x', targetArns: [] })), 'BadRequestException', /exactly one target/);
    await rejects(client.send(new CreateVpcLinkCommand({ name: 'x', targetArns: [NLB, NLB] })), 'BadRequestException', /exactly one target/);
    await rejects(client.send(new CreateVpcLinkCommand({ name: 'x', targetArns: ['arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/alb/50dc6c495c0c9188'] })),
      'BadRequestException', /Network Load Balancer/);
    await rejects(client.send(new CreateVpcLinkCommand({ name: 'x' } as never)), 'BadRequestException', /targetArns/);
  });
});

describe('tags', () => {
  it('tags, lists and untags every taggable resource by ARN, and Get* shows the tags', async () => {
    const { apiId, stage } = await apiWithStage(client);
    const key = await client.send(new CreateApiKeyCommand({ name: 'tagged' }));
    const plan = await client.send(new CreateUsagePlanCommand({ name: 'tagged' }));
    const cert = await client.send(new GenerateClientCertificateCommand({}));
    const link = await client.send(new CreateVpcLinkCommand({ name: 'tagged', targetArns: [NLB] }));
    const arns = [
      arn(`/restapis/${apiId}`), arn(`/restapis/${apiId}/stages/${stage}`), arn(`/apikeys/${key.id}`), arn(`/usageplans/${plan.id}`),
      arn(`/clientcertificates/${cert.clientCertificateId}`), arn(`/vpclinks/${link.id}`),
    ];
    for (const a of arns) {
      const t = await client.send(new TagResourceCommand({ resourceArn: a, tags: { env: 'dev', team: 'x' } }));
      assert.equal(t.$metadata.httpStatusCode, 204);
      await client.send(new TagResourceCommand({ resourceArn: a, tags: { team: 'y' } }));
      assert.deepEqual((await client.send(new GetTagsCommand({ resourceArn: a }))).tags, { env: 'dev', team: 'y' });
    }
    assert.deepEqual((await client.send(new GetRestApiCommand({ restApiId: apiId }))).tags, { env: 'dev', team: 'y' });
    assert.deepEqual((await client.send(new GetStageCommand({ restApiId: apiId, stageName: stage }))).tags, { env: 'dev', team: 'y' });
    assert.deepEqual((await client.send(new GetApiKeyCommand({ apiKey: key.id }))).tags, { env: 'dev', team: 'y' });
    for (const a of arns) {
      const u = await client.send(new UntagResourceCommand({ resourceArn: a, tagKeys: ['team', 'absent'] }));
      assert.equal(u.$metadata.httpStatusCode, 204);
      assert.deepEqual((await client.send(new GetTagsCommand({ resourceArn: a }))).tags, { env: 'dev' });
      await client.send(new UntagResourceCommand({ resourceArn: a, tagKeys: ['env'] }));
      assert.deepEqual((await client.send(new GetTagsCommand({ resourceArn: a }))).tags, {});
    }
    assert.equal((await client.send(new GetApiKeyCommand({ apiKey: key.id }))).tags, undefined);
  });

  it('fails as AWS does for unknown resources, malformed ARNs and bad tags', async () => {
    await rejects(client.send(new GetTagsCommand({ resourceArn: arn('/apikeys/nosuchkey0') })), 'NotFoundException', 'Invalid API Key identifier specified', 404);
    await rejects(client.send(new GetTagsCommand({ resourceArn: arn('/restapis/nosuchapi0') })), 'NotFoundException', /^Invalid API identifier specified/);
    await rejects(client.send(new GetTagsCommand({ resourceArn: arn('/usageplans/nosuch') })), 'NotFoundException', 'Invalid Usage Plan ID specified');
    await rejects(client.send(new TagResourceCommand({ resourceArn: arn('/vpclinks/nosuch'), tags: { a: 'b' } })), 'NotFoundException', 'Invalid Vpc Link identifier specified');
    await rejects(client.send(new GetTagsCommand({ resourceArn: arn('/domainnames/api.example.com') })), 'NotFoundException', 'Invalid domain name identifier specified');
    await rejects(client.send(new GetTagsCommand({ resourceArn: 'not-an-arn' })), 'BadRequestException', 'Invalid ARN specified in the request', 400);
    await rejects(client.send(new GetTagsCommand({ resourceArn: arn('/restapis/abc/resources/def') })), 'BadRequestException', /does not name a taggable resource/);
    const key = await client.send(new CreateApiKeyCommand({ name: 'badtags' }));
    await rejects(client.send(new TagResourceCommand({ resourceArn: arn(`/apikeys/${key.id}`), tags: { 'aws:x': 'y' } })), 'BadRequestException', /aws:/);
    await rejects(client.send(new TagResourceCommand({ resourceArn: arn(`/apikeys/${key.id}`), tags: { ['k'.repeat(129)]: 'y' } })), 'BadRequestException', /128/);
    const many = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v']));
    await rejects(client.send(new TagResourceCommand({ resourceArn: arn(`/apikeys/${key.id}`), tags: many })), 'BadRequestException', /at most 50/);
  });

  it('tag-resource and get-tags through the AWS CLI', async () => {
    const key = await client.send(new CreateApiKeyCommand({ name: 'cli-tags' }));
    const a = arn(`/apikeys/${key.id}`);
    assert.equal(await awsCli(gh.url, ['apigateway', 'tag-resource', '--resource-arn', a, '--tags', 'owner=me,env=prod']), null);
    assert.deepEqual(await awsCli(gh.url, ['apigateway', 'get-tags', '--resource-arn', a]), { tags: { owner: 'me', env: 'prod' } });
    assert.equal(await awsCli(gh.url, ['apigateway', 'untag-resource', '--resource-arn', a, '--tag-keys', 'owner']), null);
    assert.deepEqual(await awsCli(gh.url, ['apigateway', 'get-tags', '--resource-arn', a]), { tags: { env: 'prod' } });
    assert.deepEqual(await awsCliError(gh.url, ['apigateway', 'get-tags', '--resource-arn', arn('/apikeys/nosuchkey0')]),
      { code: 'NotFoundException', message: 'Invalid API Key identifier specified' });
  });
});

describe('SDK types', () => {
  it("lists the SDK types Gatehouse generates, and describes AWS's others with their configuration properties", async () => {
    const all = await client.send(new GetSdkTypesCommand({}));
    assert.deepEqual(all.items!.map((t) => t.id), ['javascript', 'typescript']);
    assert.match(all.items![1]!.description!, /Gatehouse's own/);
    const android = await client.send(new GetSdkTypeCommand({ id: 'android' }));
    assert.deepEqual(android.configurationProperties!.map((p) => [p.name, p.required]), [
      ['groupId', true], ['invokerPackage', true], ['artifactId', true], ['artifactVersion', true],
    ]);
    const java = await client.send(new GetSdkTypeCommand({ id: 'java' }));
    assert.deepEqual(java.configurationProperties!.map((p) => p.name), [
      'service.name', 'java.package-name', 'java.build-system', 'java.group-id', 'java.artifact-id', 'java.artifact-version', 'java.license-text',
    ]);
    assert.deepEqual((await client.send(new GetSdkTypeCommand({ id: 'swift' }))).configurationProperties!.map((p) => p.name), ['classPrefix']);
    assert.match((await client.send(new GetSdkTypeCommand({ id: 'swift' }))).description!, /not generated by Gatehouse yet/);
    assert.deepEqual((await client.send(new GetSdkTypeCommand({ id: 'javascript' }))).configurationProperties!.map((p) => [p.name, p.required]), [['invokeUrl', false]]);
    // The SDK's SdkTypes shape has no position member, so paging is checked on the wire.
    const paged = await (await fetch(`${gh.url}/sdktypes?limit=1`)).json() as { position: string; item: { id: string }[] };
    assert.deepEqual(paged.item.map((t) => t.id), ['javascript']);
    const rest = await (await fetch(`${gh.url}/sdktypes?limit=1&position=${paged.position}`)).json() as { position?: string; item: { id: string }[] };
    assert.deepEqual(rest.item.map((t) => t.id), ['typescript']);
    assert.equal(rest.position, undefined);
    await rejects(client.send(new GetSdkTypeCommand({ id: 'cobol' })), 'NotFoundException', 'Invalid SDK type specified', 404);
    const cli = await awsCli(gh.url, ['apigateway', 'get-sdk-type', '--id', 'objectivec']) as Record<string, unknown>;
    assert.equal(cli.friendlyName, 'iOS (Objective-C)');
  });
});
