// --auth and --identities: the default mode by address, the flag's and the variable's values, the
// identities file's format (JSON or YAML) and its mistakes, each named with where it is; and open
// mode on the management API exactly as before --auth existed.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { CreateRestApiCommand, GetRestApisCommand } from '@aws-sdk/client-api-gateway';
import { ConfigError, parseConfig } from '../../src/config.ts';
import { createIam } from '../../src/iam/index.ts';
import { IdentitiesError, parseIdentities } from '../../src/iam/identities.ts';
import { startTestGatehouse } from '../helpers/server.ts';
import { apiGateway, IDENTITIES, KEYS, writeIdentities } from './helpers.ts';

describe('--auth', () => {
  it('defaults to open on a loopback address and to enforce on any other', () => {
    for (const host of ['127.0.0.1', '127.0.0.2', '::1', 'localhost']) assert.equal(parseConfig(['--host', host], {}).auth, 'open', host);
    for (const host of ['0.0.0.0', '::', '192.0.2.10', 'gateway.internal']) assert.equal(parseConfig(['--host', host], {}).auth, 'enforce', host);
  });

  it('takes open or enforce from the flag or GATEHOUSE_AUTH, and nothing else', () => {
    assert.equal(parseConfig(['--host', '0.0.0.0', '--auth', 'open'], {}).auth, 'open');
    assert.equal(parseConfig([], { GATEHOUSE_AUTH: 'enforce' }).auth, 'enforce');
    assert.throws(() => parseConfig(['--auth', 'strict'], {}), (err: unknown) => err instanceof ConfigError && /--auth: open or enforce/.test(err.message));
    assert.throws(() => parseConfig([], { GATEHOUSE_AUTH: '' }), ConfigError);
  });

  it('--identities (or GATEHOUSE_IDENTITIES) is made an absolute path', () => {
    assert.match(parseConfig(['--identities', 'ids.yaml'], {}).identities, /^\/.*\/ids\.yaml$/);
    assert.equal(parseConfig([], { GATEHOUSE_IDENTITIES: '/etc/gatehouse/ids.json' }).identities, '/etc/gatehouse/ids.json');
  });
});

describe('the identities file', () => {
  it('reads YAML and JSON alike', () => {
    const fromJson = parseIdentities(JSON.stringify(IDENTITIES), 'ids.json');
    const yamlFile = writeIdentities();
    const fromYaml = createIam(parseConfig(['--auth', 'enforce', '--identities', yamlFile], {})).identities;
    assert.deepEqual([...fromYaml.byAccessKey.keys()].sort(), [...fromJson.byAccessKey.keys()].sort());
    const alice = fromJson.byAccessKey.get(KEYS.limited.accessKeyId)!;
    assert.equal(alice.principal.arn, 'arn:aws:iam::111111111111:user/limited');
    assert.equal(alice.kind, 'user');
    const session = fromJson.byAccessKey.get(KEYS.session.accessKeyId)!;
    assert.equal(session.principal.roleArn, 'arn:aws:iam::111111111111:role/deployer');
    assert.equal(session.sessionToken, KEYS.session.sessionToken);
    assert.equal(fromJson.byAccessKey.get(KEYS.inactive.accessKeyId)!.active, false);
    assert.equal(fromJson.byAccessKey.get(KEYS.expiredSession.accessKeyId)!.expiration, Date.parse('2020-01-01T00:00:00Z'));
  });

  const mistakes: Array<[string, string, RegExp]> = [
    ['not YAML', 'accounts: [', /^ids: not valid JSON or YAML/],
    ['no accounts', 'users: {}', /^ids: top level: expected an object with "accounts"/],
    ['a short account id', 'accounts: { "1234": { users: {} } }', /^ids: accounts\.1234: an account id is 12 digits/],
    ['an unknown entry', 'accounts: { "111111111111": { groups: {} } }', /accounts\.111111111111: unknown entry "groups"/],
    ['a key without a secret', 'accounts: { "111111111111": { users: { a: { accessKeys: [{ accessKeyId: AKIA1 }] } } } }', /users\.a\.accessKeys\[0\]: secretAccessKey: required/],
    ['a bad policy', 'accounts: { "111111111111": { users: { a: { accessKeys: [{ accessKeyId: AKIA1, secretAccessKey: s }], policies: { p: { Statement: [{ Effect: Permit, Action: "*", Resource: "*" }] } } } } } }',
      /users\.a\.policies\.p: Statement 1: Effect must be Allow or Deny/],
    ['a key used twice', 'accounts: { "111111111111": { users: { a: { accessKeys: [{ accessKeyId: AKIA1, secretAccessKey: s }] }, b: { accessKeys: [{ accessKeyId: AKIA1, secretAccessKey: t }] } } } }',
      /users\.b: access key AKIA1 appears more than once/],
    ['a session without a token', 'accounts: { "111111111111": { roles: { r: { sessions: [{ name: ci, accessKeyId: ASIA1, secretAccessKey: s }] } } } }', /roles\.r\.sessions\[0\]: sessionToken/],
    ['a bad expiration', 'accounts: { "111111111111": { roles: { r: { sessions: [{ name: ci, accessKeyId: ASIA1, secretAccessKey: s, sessionToken: t, expiration: soon }] } } } }', /expiration: an ISO 8601 date/],
  ];
  for (const [what, text, message] of mistakes) {
    it(`names the mistake: ${what}`, () => {
      assert.throws(() => parseIdentities(text, 'ids'), (err: unknown) => err instanceof IdentitiesError && message.test(err.message));
    });
  }

  it('a gateway with a broken identities file does not start, and says why', async () => {
    const file = writeIdentities();
    writeFileSync(file, 'accounts: { "1": {} }');
    await assert.rejects(startTestGatehouse({ auth: 'enforce', identities: file }), (err: unknown) => err instanceof ConfigError && /accounts\.1: an account id is 12 digits/.test(err.message));
    await assert.rejects(startTestGatehouse({ auth: 'enforce', identities: '/nonexistent/ids.yaml' }), (err: unknown) => err instanceof ConfigError && /cannot read the file \(ENOENT\)/.test(err.message));
  });
});

describe('open mode on the management API: as before --auth', () => {
  it('any key, or none, acts in the configured account; the credential scope picks the region', async () => {
    const gh = await startTestGatehouse({ accountId: '123456789012' });
    const a = apiGateway(gh.url, { accessKeyId: 'AKIAONE', secretAccessKey: 'one' });
    const b = apiGateway(gh.url, { accessKeyId: 'AKIATWO', secretAccessKey: 'two' });
    const west = apiGateway(gh.url, { accessKeyId: 'AKIAONE', secretAccessKey: 'x' }, { region: 'eu-west-1' });
    try {
      await a.send(new CreateRestApiCommand({ name: 'shared' }));
      assert.deepEqual((await b.send(new GetRestApisCommand({}))).items!.map((i) => i.name), ['shared']);
      assert.deepEqual((await west.send(new GetRestApisCommand({}))).items, []);
      const unsigned = await fetch(`${gh.url}/restapis`);
      assert.equal(unsigned.status, 200);
      assert.deepEqual(((await unsigned.json()) as { item: Array<{ name: string }> }).item.map((i) => i.name), ['shared']);
    } finally {
      a.destroy();
      b.destroy();
      west.destroy();
      await gh.close();
    }
  });
});
