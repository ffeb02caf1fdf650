// --jwks-issuer USER_POOL_ARN=ISSUER_URL and GATEHOUSE_JWKS_ISSUERS: parsed once at start-up,
// repeatable, every pair checked, one issuer per pool.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError, configHelp, parseConfig, parseJwksIssuers } from '../../src/config.ts';

const A = 'arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_AbC123';
const B = 'arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_Xy9';

describe('--jwks-issuer', () => {
  test('repeats, takes --flag=value and comma-separated lists, and reads GATEHOUSE_JWKS_ISSUERS', () => {
    const flags = parseConfig(['--jwks-issuer', `${A}=http://127.0.0.1:9000/pool`, `--jwks-issuer=${B}=https://idp.example/realms/pets`], {});
    assert.deepEqual([...parseJwksIssuers(flags.jwksIssuers)], [[A, 'http://127.0.0.1:9000/pool'], [B, 'https://idp.example/realms/pets']]);
    const list = parseConfig(['--jwks-issuer', `${A}=http://a/x,${B}=http://b/y`], {});
    assert.equal(list.jwksIssuers, `${A}=http://a/x,${B}=http://b/y`);
    const env = parseConfig([], { GATEHOUSE_JWKS_ISSUERS: `${A}=http://a/x\n  ${B}=http://b/y ` });
    assert.equal(env.jwksIssuers, `${A}=http://a/x,${B}=http://b/y`);
    assert.equal(parseConfig([], {}).jwksIssuers, '');
  });

  test('the flag adds to the environment\'s list, and the same pair twice is one', () => {
    const c = parseConfig(['--jwks-issuer', `${B}=http://b/y`, '--jwks-issuer', `${B}=http://b/y`], { GATEHOUSE_JWKS_ISSUERS: `${A}=http://a/x` });
    assert.deepEqual([...parseJwksIssuers(c.jwksIssuers).keys()], [B]);
  });

  test('malformed pairs stop start-up with a message naming the flag', () => {
    const cases: [string[], NodeJS.ProcessEnv, RegExp][] = [
      [['--jwks-issuer', 'http://a/x'], {}, /--jwks-issuer: expected USER_POOL_ARN=ISSUER_URL/],
      [['--jwks-issuer', 'arn:aws:cognito-idp:us-east-1:123456789012:userpool/nounderscore=http://a'], {}, /expected USER_POOL_ARN=ISSUER_URL/],
      [['--jwks-issuer', A], {}, /needs an issuer URL after '='/],
      [['--jwks-issuer', `${A}=`], {}, /needs an issuer URL/],
      [['--jwks-issuer', `${A}=not a url`], {}, /needs an issuer URL/],
      [['--jwks-issuer', `${A}=ftp://a/x`], {}, /http:\/\/ or https:\/\//],
      [['--jwks-issuer', `${A}=https://a/x?tenant=1`], {}, /no query or fragment/],
      [['--jwks-issuer', `${A}=http://a/x`, '--jwks-issuer', `${A}=http://b/y`], {}, /is given two issuers, http:\/\/a\/x and http:\/\/b\/y/],
      [[], { GATEHOUSE_JWKS_ISSUERS: 'nonsense' }, /^GATEHOUSE_JWKS_ISSUERS: expected USER_POOL_ARN=ISSUER_URL/],
      [['--jwks-issuer'], {}, /--jwks-issuer needs a value/],
    ];
    for (const [argv, env, message] of cases) {
      assert.throws(() => parseConfig(argv, env), (err: Error) => err instanceof ConfigError && message.test(err.message), `${argv.join(' ')} ${JSON.stringify(env)}`);
    }
  });

  test('is listed in the help with its environment variable', () => {
    const help = configHelp();
    assert.match(help, /--jwks-issuer\s+USER_POOL_ARN=ISSUER_URL/);
    assert.match(help, /env GATEHOUSE_JWKS_ISSUERS\b/);
  });
});
