// The kind table (src/kinds.ts) against the service model and against what the control plane
// really writes: every taggable resource has a row that tags it, and what the table says goes
// with a REST API or a domain name is gone, to the last document, after Delete*.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  APIGatewayClient, CreateApiKeyCommand, CreateAuthorizerCommand, CreateBasePathMappingCommand, CreateDeploymentCommand,
  CreateDocumentationPartCommand, CreateDocumentationVersionCommand, CreateDomainNameAccessAssociationCommand, CreateDomainNameCommand,
  CreateRequestValidatorCommand, CreateResourceCommand, CreateRestApiCommand, CreateUsagePlanCommand, CreateVpcLinkCommand,
  DeleteDomainNameAccessAssociationCommand, DeleteDomainNameCommand, DeleteRestApiCommand, GenerateClientCertificateCommand, GetApiKeyCommand,
  GetClientCertificateCommand, GetDomainNameCommand, GetRestApiCommand, GetStageCommand, GetTagsCommand, GetUsagePlanCommand, GetVpcLinkCommand,
  PutGatewayResponseCommand, PutIntegrationCommand, PutMethodCommand, TagResourceCommand, UntagResourceCommand,
} from '@aws-sdk/client-api-gateway';
import { KINDS, K, KIND_ROWS, ownerOf, type KindName, type KindRow } from '../../src/kinds.ts';
import { OPERATIONS } from '../../src/model/generated/operations.ts';
import { SHAPES, type ShapeName } from '../../src/model/generated/shapes.ts';
import type { Gatehouse } from '../../src/server.ts';
import type { Change } from '../../src/store/index.ts';
import { apiGatewayClient, REGION, startTestGatehouse } from '../helpers/server.ts';
import { issue, newCa } from './domain-certificates.ts';

let gh: Gatehouse;
let client: APIGatewayClient;
let partition: string;
before(async () => {
  gh = await startTestGatehouse();
  client = apiGatewayClient(gh.url);
  partition = `${gh.config.accountId}/${gh.config.region}`;
});
after(async () => {
  client.destroy();
  await gh.close();
});

const rows = Object.entries(KINDS) as [KindName, KindRow][];
const ACM = (n: number) => `arn:aws:acm:${REGION}:123456789012:certificate/00000000-0000-0000-0000-00000000000${n}`;
const NLB = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/my-nlb/50dc6c495c0c9188';
const LAMBDA_AUTHORIZER = `arn:aws:apigateway:${REGION}:lambda:path/2015-03-31/functions/arn:aws:lambda:${REGION}:123456789012:function:auth/invocations`;

/** Every change the store has committed so far (the test writes far fewer than the log keeps). */
async function allChanges(): Promise<Change[]> {
  const out: Change[] = [];
  let seq = 0;
  for (;;) {
    const page = await gh.store.changesSince(seq, 1000);
    assert.equal(page.truncated, false);
    out.push(...page.changes);
    if (page.changes.length === 0) return out;
    seq = page.last;
  }
}

/** Documents still in the store among those the change log says were ever written with this parent (or id). */
async function survivors(match: (c: Change) => boolean): Promise<string[]> {
  const seen = new Set<string>();
  const left: string[] = [];
  for (const c of await allChanges()) {
    const key = `${c.kind} ${c.parent} ${c.id}`;
    if (c.partition !== partition || !match(c) || seen.has(key)) continue;
    seen.add(key);
    if ((await gh.store.read(partition, (tx) => tx.get(c.kind, c.parent, c.id))) !== undefined) left.push(key);
  }
  return left;
}

async function apiWithOneOfEach(): Promise<string> {
  const api = await client.send(new CreateRestApiCommand({ name: 'everything' }));
  const restApiId = api.id!;
  const pets = await client.send(new CreateResourceCommand({ restApiId, parentId: api.rootResourceId, pathPart: 'pets' }));
  await client.send(new CreateResourceCommand({ restApiId, parentId: pets.id, pathPart: '{petId}' }));
  await client.send(new PutMethodCommand({ restApiId, resourceId: pets.id, httpMethod: 'GET', authorizationType: 'NONE' }));
  await client.send(new PutIntegrationCommand({ restApiId, resourceId: pets.id, httpMethod: 'GET', type: 'MOCK' }));
  await client.send(new CreateAuthorizerCommand({
    restApiId, name: 'auth', type: 'TOKEN', authorizerUri: LAMBDA_AUTHORIZER, identitySource: 'method.request.header.Authorization',
  }));
  await client.send(new CreateRequestValidatorCommand({ restApiId, name: 'body', validateRequestBody: true }));
  await client.send(new PutGatewayResponseCommand({ restApiId, responseType: 'MISSING_AUTHENTICATION_TOKEN', statusCode: '404' }));
  await client.send(new CreateDocumentationPartCommand({ restApiId, location: { type: 'API' }, properties: '{"info":{"description":"d"}}' }));
  await client.send(new CreateDeploymentCommand({ restApiId, stageName: 'prod' }));
  await client.send(new CreateDocumentationVersionCommand({ restApiId, documentationVersion: '1' }));
  return restApiId;
}

describe('the kind table', () => {
  it('keeps the kind strings that documents on disk carry', () => {
    assert.deepEqual(Object.values(K).sort(), [
      'account', 'acmcertificate', 'apikey', 'apikeyname', 'apikeyplan', 'apikeyvalue', 'authorizer', 'basepathmapping', 'clientcert', 'clientcertkey',
      'deployment', 'documentationpart', 'documentationversion', 'documentationversionparts', 'domainaccessassociation', 'domaincertificate',
      'domainname', 'gatewayresponse', 'lambda-code-ref', 'lambda-function', 'method', 'model', 'requestvalidator', 'resource', 'respath',
      'respathvar', 'restapi', 'snapshot', 'stage', 'usageadj', 'usageplan', 'usageplankey', 'vpclink',
    ]);
  });

  it('has a tagging row for every resource the service model gives tags, and tags only those', () => {
    const outputs = new Set(OPERATIONS.map((o) => o.output));
    const tagged = (Object.keys(SHAPES) as ShapeName[]).filter((name) => {
      const s = SHAPES[name];
      // GetTags answers with `Tags`, the tags themselves, not a resource that has them.
      return name !== 'Tags' && outputs.has(name) && s.type === 'structure' && 'tags' in s.members;
    });
    assert.ok(tagged.length >= 8, `the model names ${tagged.join(', ')}`);
    for (const shape of tagged) {
      const row = KIND_ROWS.filter((r) => r.shape === shape);
      assert.equal(row.length, 1, `one row for ${shape}`);
      assert.notEqual(row[0]!.tag, null, `${shape} is taggable in the model but its row has no tag ARN`);
      assert.notEqual(row[0]!.notFound, null, `${shape} needs its NotFound message to answer GetTags`);
    }
    for (const r of KIND_ROWS.filter((x) => x.tag !== null)) assert.ok(tagged.includes(r.shape!), `${r.kind} has a tag ARN but no tags in the model`);
  });

  it('deletes with its owner everything stored under that owner, and snapshots only what an API holds', () => {
    for (const [name, r] of rows) {
      if (r.parent === 'restApi' || r.parent === 'domainName') {
        assert.deepEqual(r.deletedWith, { owner: r.parent, by: 'parent' }, `${name} lives under a ${r.parent}`);
      }
      if (r.snapshot !== null) assert.equal(r.parent, 'restApi', `${name} is in snapshots`);
      const owner = ownerOf(r);
      if (r.tag !== null && r.parent !== 'account') assert.ok(owner !== null && KINDS[owner].notFound !== null, `${name}'s owner answers NotFound`);
    }
    assert.equal(new Set(KIND_ROWS.map((r) => r.kind)).size, KIND_ROWS.length);
  });
});

describe('DeleteRestApi', () => {
  it('deletes every kind the table puts under an API, and nothing of another API', async () => {
    const doomed = await apiWithOneOfEach();
    const kept = await apiWithOneOfEach();
    const underApi = rows.filter(([, r]) => r.deletedWith?.owner === 'restApi');
    const count = (apiId: string) => gh.store.read(partition, async (tx) => {
      const n: Record<string, number> = {};
      for (const [name, r] of underApi) n[name] = await tx.count(r.kind, apiId);
      return n;
    });
    const before = await count(doomed);
    for (const [name] of underApi) assert.ok(before[name]! > 0, `the test made no ${name} under the API`);

    await client.send(new DeleteRestApiCommand({ restApiId: doomed }));
    for (const [name, n] of Object.entries(await count(doomed))) assert.equal(n, 0, `${name} left under the deleted API`);
    // Also what no row names: every document ever written under the API, of any kind.
    assert.deepEqual(await survivors((c) => c.parent === doomed || c.id === doomed), []);
    assert.deepEqual(await count(kept), before);
    assert.equal((await client.send(new GetRestApiCommand({ restApiId: kept }))).name, 'everything');
  });
});

describe('DeleteDomainName', () => {
  it('deletes its certificate, base path mappings and access associations, and nothing of another domain name', async () => {
    const ca = await newCa();
    const leaf = await issue(ca, { cn: 'owned.example.com', dns: ['owned.example.com'] });
    const api = await client.send(new CreateRestApiCommand({ name: 'mapped' }));
    await client.send(new PutMethodCommand({ restApiId: api.id, resourceId: api.rootResourceId, httpMethod: 'GET', authorizationType: 'NONE' }));
    await client.send(new PutIntegrationCommand({ restApiId: api.id, resourceId: api.rootResourceId, httpMethod: 'GET', type: 'MOCK' }));
    await client.send(new CreateDeploymentCommand({ restApiId: api.id, stageName: 'prod' }));

    const uploaded = await client.send(new CreateDomainNameCommand({
      domainName: 'owned.example.com', certificateName: 'c', certificateBody: leaf.pem, certificatePrivateKey: leaf.keyPem, certificateChain: ca.pem,
    }));
    const priv = await client.send(new CreateDomainNameCommand({ domainName: 'owned.example.internal', certificateArn: ACM(1), endpointConfiguration: { types: ['PRIVATE'] } }));
    const keptDomain = await client.send(new CreateDomainNameCommand({ domainName: 'kept.example.internal', certificateArn: ACM(2), endpointConfiguration: { types: ['PRIVATE'] } }));
    for (const d of [uploaded, priv, keptDomain]) {
      await client.send(new CreateBasePathMappingCommand({ domainName: d.domainName, domainNameId: d.domainNameId, restApiId: api.id, stage: 'prod', basePath: 'v1' }));
    }
    for (const d of [priv, keptDomain]) {
      await client.send(new CreateDomainNameAccessAssociationCommand({ domainNameArn: d.domainNameArn, accessAssociationSourceType: 'VPCE', accessAssociationSource: 'vpce-0123456789abcdef0' }));
    }
    const keyOf = (d: { domainName?: string; domainNameId?: string }) => (d.domainNameId ? `${d.domainName}+${d.domainNameId}` : d.domainName!);
    const withDomain = rows.filter(([, r]) => r.deletedWith?.owner === 'domainName');
    // What the table links to a domain name, found the way each link reads.
    const linked = (d: { domainName?: string; domainNameId?: string; domainNameArn?: string }) => gh.store.read(partition, async (tx) => {
      const n: Record<string, number> = {};
      for (const [name, r] of withDomain) {
        const c = r.deletedWith!;
        if (c.by === 'parent') n[name] = await tx.count(r.kind, keyOf(d));
        else if (c.by === 'id') n[name] = (await tx.get(r.kind, '', keyOf(d))) === undefined ? 0 : 1;
        else n[name] = (await tx.list<Record<string, unknown>>(r.kind, '')).items.filter((x) => x[c.field] === d.domainNameArn).length;
      }
      return n;
    });
    const before = { ...(await linked(uploaded)), ...Object.fromEntries(Object.entries(await linked(priv)).filter(([, n]) => n > 0)) };
    for (const [name] of withDomain) assert.ok(before[name]! > 0, `the test made no ${name} for a domain name`);
    const keptBefore = await linked(keptDomain);

    for (const d of [uploaded, priv]) await client.send(new DeleteDomainNameCommand({ domainName: d.domainName, domainNameId: d.domainNameId }));
    for (const d of [uploaded, priv]) {
      for (const [name, n] of Object.entries(await linked(d))) assert.equal(n, 0, `${name} left after ${d.domainName} was deleted`);
      assert.deepEqual(await survivors((c) => c.parent === keyOf(d) || c.id === keyOf(d) || c.id.includes(`/domainname/${keyOf(d)}/`)), []);
    }
    assert.deepEqual(await linked(keptDomain), keptBefore);
    assert.equal((await client.send(new GetDomainNameCommand({ domainName: keptDomain.domainName, domainNameId: keptDomain.domainNameId }))).domainName, 'kept.example.internal');
  });
});

describe('tags through the table', () => {
  interface Made {
    /** the ARN's path after ':/' */
    path: string;
    parent: string;
    id: string;
    /** the resource's own Get* (or Delete*) of a missing one, for its NotFound words */
    missing: () => Promise<unknown>;
    missingPath: string;
  }
  const makers: Partial<Record<KindName, () => Promise<Made>>> = {
    async restApi() {
      const a = await client.send(new CreateRestApiCommand({ name: 't' }));
      return { path: `restapis/${a.id}`, parent: '', id: a.id!, missing: () => client.send(new GetRestApiCommand({ restApiId: 'nosuchapi0' })), missingPath: 'restapis/nosuchapi0' };
    },
    async stage() {
      const a = await client.send(new CreateRestApiCommand({ name: 't' }));
      await client.send(new PutMethodCommand({ restApiId: a.id, resourceId: a.rootResourceId, httpMethod: 'GET', authorizationType: 'NONE' }));
      await client.send(new PutIntegrationCommand({ restApiId: a.id, resourceId: a.rootResourceId, httpMethod: 'GET', type: 'MOCK' }));
      await client.send(new CreateDeploymentCommand({ restApiId: a.id, stageName: 'dev' }));
      return {
        path: `restapis/${a.id}/stages/dev`, parent: a.id!, id: 'dev',
        missing: () => client.send(new GetStageCommand({ restApiId: a.id, stageName: 'nosuch' })), missingPath: `restapis/${a.id}/stages/nosuch`,
      };
    },
    async apiKey() {
      const k = await client.send(new CreateApiKeyCommand({ name: 't' }));
      return { path: `apikeys/${k.id}`, parent: '', id: k.id!, missing: () => client.send(new GetApiKeyCommand({ apiKey: 'nosuch' })), missingPath: 'apikeys/nosuch' };
    },
    async usagePlan() {
      const p = await client.send(new CreateUsagePlanCommand({ name: 't' }));
      return { path: `usageplans/${p.id}`, parent: '', id: p.id!, missing: () => client.send(new GetUsagePlanCommand({ usagePlanId: 'nosuch' })), missingPath: 'usageplans/nosuch' };
    },
    async clientCertificate() {
      const c = await client.send(new GenerateClientCertificateCommand({}));
      return {
        path: `clientcertificates/${c.clientCertificateId}`, parent: '', id: c.clientCertificateId!,
        missing: () => client.send(new GetClientCertificateCommand({ clientCertificateId: 'nosuch' })), missingPath: 'clientcertificates/nosuch',
      };
    },
    async vpcLink() {
      const v = await client.send(new CreateVpcLinkCommand({ name: 't', targetArns: [NLB] }));
      return { path: `vpclinks/${v.id}`, parent: '', id: v.id!, missing: () => client.send(new GetVpcLinkCommand({ vpcLinkId: 'nosuch' })), missingPath: 'vpclinks/nosuch' };
    },
    async domainName() {
      const d = await client.send(new CreateDomainNameCommand({ domainName: 'tagged.example.net', regionalCertificateArn: ACM(3), endpointConfiguration: { types: ['REGIONAL'] } }));
      return {
        path: `domainnames/${d.domainName}`, parent: '', id: d.domainName!,
        missing: () => client.send(new GetDomainNameCommand({ domainName: 'nosuch.example.net' })), missingPath: 'domainnames/nosuch.example.net',
      };
    },
    async accessAssociation() {
      const d = await client.send(new CreateDomainNameCommand({ domainName: 'tagged.example.internal', certificateArn: ACM(4), endpointConfiguration: { types: ['PRIVATE'] } }));
      const a = await client.send(new CreateDomainNameAccessAssociationCommand({ domainNameArn: d.domainNameArn, accessAssociationSourceType: 'VPCE', accessAssociationSource: 'vpce-00000000000000001' }));
      const arn = a.domainNameAccessAssociationArn!;
      const missingArn = arn.replace('vpce-00000000000000001', 'vpce-00000000000000009');
      return {
        path: arn.slice(arn.indexOf(':/') + 2), parent: '', id: arn,
        missing: () => client.send(new DeleteDomainNameAccessAssociationCommand({ domainNameAccessAssociationArn: missingArn })),
        missingPath: missingArn.slice(missingArn.indexOf(':/') + 2),
      };
    },
  };

  for (const [name, row] of rows.filter(([, r]) => r.tag !== null)) {
    it(`${name}: TagResource, GetTags and UntagResource by its ARN; a missing one answers as its own operation does`, async () => {
      const make = makers[name];
      assert.ok(make !== undefined, `no test makes a ${name}`);
      const made = await make();
      const arn = `arn:aws:apigateway:${REGION}:${made.path.startsWith('domainnameaccessassociations/') ? gh.config.accountId : ''}:/${made.path}`;
      await client.send(new TagResourceCommand({ resourceArn: arn, tags: { team: 'a', env: 'dev' } }));
      assert.deepEqual((await client.send(new GetTagsCommand({ resourceArn: arn }))).tags, { team: 'a', env: 'dev' });
      const stored = await gh.store.read(partition, (tx) => tx.get<{ tags?: Record<string, string> }>(row.kind, made.parent, made.id));
      assert.deepEqual(stored?.tags, { team: 'a', env: 'dev' });
      await client.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ['team', 'env'] }));
      assert.deepEqual((await client.send(new GetTagsCommand({ resourceArn: arn }))).tags, {});

      const own = await made.missing().then(() => assert.fail('the missing resource was found'), (err: Error) => err);
      assert.equal(own.name, 'NotFoundException');
      const missingArn = arn.replace(made.path, made.missingPath);
      await assert.rejects(client.send(new GetTagsCommand({ resourceArn: missingArn })), (err: Error) => {
        assert.equal(err.name, 'NotFoundException');
        assert.equal(err.message, own.message);
        return true;
      });
    });
  }
});
