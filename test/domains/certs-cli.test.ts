// `gatehouse certs import|list` against a running gateway: the imported certificate is an ACM
// certificate the AWS CLI sees, and --certificate-arn replaces it in place.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { Gatehouse } from '../../src/server.ts';
import { awsCli, CREDENTIALS, startTestGatehouse } from '../helpers/server.ts';
import { issue, newCa } from '../control/domain-certificates.ts';

const run = promisify(execFile);

describe('gatehouse certs', { timeout: 60_000 }, () => {
  let gh: Gatehouse;
  const dir = mkdtempSync(join(tmpdir(), 'gh-certs-'));

  async function gatehouse(args: string[]): Promise<string> {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'certs', ...args], {
      env: { ...process.env, GATEHOUSE_URL: gh.url, AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey, AWS_REGION: 'us-east-1' },
    });
    return stdout;
  }

  before(async () => {
    gh = await startTestGatehouse();
  });
  after(async () => {
    await gh?.close();
  });

  it('imports a certificate, lists it, and replaces it under the same ARN', async () => {
    const ca = await newCa('CLI CA');
    const first = await issue(ca, { cn: 'api.example.test', dns: ['api.example.test'] });
    writeFileSync(join(dir, 'cert.pem'), first.pem);
    writeFileSync(join(dir, 'key.pem'), first.keyPem);
    writeFileSync(join(dir, 'chain.pem'), ca.pem);
    const arn = (await gatehouse(['import', '--cert', join(dir, 'cert.pem'), '--key', join(dir, 'key.pem'), '--chain', join(dir, 'chain.pem')])).trim();
    assert.match(arn, /^arn:aws:acm:us-east-1:\d{12}:certificate\/[0-9a-f-]{36}$/);
    const listed = await gatehouse(['list']);
    assert.match(listed, new RegExp(`^${arn.replace(/[/.*]/g, '\\$&')}\tapi\\.example\\.test\tISSUED\t\\d{4}-.*\tnot in use$`, 'm'));

    const second = await issue(ca, { cn: 'api.example.test', dns: ['api.example.test', 'www.example.test'] });
    writeFileSync(join(dir, 'cert2.pem'), second.pem);
    writeFileSync(join(dir, 'key2.pem'), second.keyPem);
    assert.equal((await gatehouse(['import', '--cert', join(dir, 'cert2.pem'), '--key', join(dir, 'key2.pem'), '--certificate-arn', arn])).trim(), arn);
    const got = await awsCli(gh.url, ['acm', 'get-certificate', '--certificate-arn', arn]) as { Certificate: string; CertificateChain?: string };
    assert.equal(got.Certificate, second.pem);
    assert.equal(got.CertificateChain, undefined, 'a reimport without a chain drops the old chain');
  });

  it('reports a key that does not match with ACM\'s error', async () => {
    const ca = await newCa('CLI CA 2');
    const a = await issue(ca, { cn: 'a.example.test' });
    const b = await issue(ca, { cn: 'b.example.test' });
    writeFileSync(join(dir, 'a.pem'), a.pem);
    writeFileSync(join(dir, 'b.key'), b.keyPem);
    await assert.rejects(gatehouse(['import', '--cert', join(dir, 'a.pem'), '--key', join(dir, 'b.key')]), (err: { stderr?: string }) => {
      assert.match(String(err.stderr), /ValidationException: The private key does not match the public key in the certificate\./);
      return true;
    });
  });
});
