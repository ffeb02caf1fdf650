// The SigV4 verifier (src/iam/sigv4.ts) against AWS's published test suite
// (test/iam/fixtures/sigv4-test-suite.ts names the sources): every vector's signature verifies,
// its canonical request is the suite's, and any change to the request, the secret or the
// signature makes it fail. Scope and time checks are tested with the suite's request too.
// The first recomputation of each secret, day, region and service derives the signing key (a
// promise); the rest are synchronous: both paths are exercised below.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AuthError } from '../../src/iam/errors.ts';
import { canonicalizer, checkScope, readSignature, recompute, type SignedRequest } from '../../src/iam/sigv4.ts';
import { SUITE_CREDENTIALS, SUITE_SERVICE, SUITE_TIME, VECTORS } from './fixtures/sigv4-test-suite.ts';

/** Parses the suite's request text: request line, header lines (repeats joined with ','), blank line, body. */
function parse(text: string, extraHeaders: Record<string, string> = {}): SignedRequest {
  const [head, ...rest] = text.split('\n\n');
  const lines = head!.split('\n');
  const [method, target] = [lines[0]!.slice(0, lines[0]!.indexOf(' ')), lines[0]!.slice(lines[0]!.indexOf(' ') + 1, lines[0]!.lastIndexOf(' '))];
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers.set(name, headers.has(name) ? `${headers.get(name)},${value}` : value);
  }
  for (const [k, v] of Object.entries(extraHeaders)) headers.set(k, v);
  const q = target.indexOf('?');
  return {
    method: method!,
    path: q === -1 ? target : target.slice(0, q),
    query: q === -1 ? '' : target.slice(q + 1),
    header: (name) => headers.get(name),
    body: Buffer.from(rest.join('\n\n')),
  };
}

const requestOf = (v: (typeof VECTORS)[number]) => parse(v.request, v.authorization === undefined ? {} : { authorization: v.authorization });

describe('SigV4 verification: AWS test-suite vectors', () => {
  for (const v of VECTORS) {
    it(`${v.name} (${v.source}) verifies`, async () => {
      const req = requestOf(v);
      const sig = readSignature(req);
      assert.ok(sig !== null);
      assert.equal(sig.accessKeyId, SUITE_CREDENTIALS.accessKeyId);
      checkScope(sig, SUITE_SERVICE, SUITE_TIME);
      const r = await recompute(req, sig, SUITE_CREDENTIALS.secretAccessKey);
      if (v.canonicalRequest !== undefined) assert.equal(r.canonicalRequest, v.canonicalRequest);
      // The string to sign, computed synchronously, is the SDK's own.
      const scope = `${sig.scopeDate}/${sig.region}/${sig.service}/${sig.terminator}`;
      assert.equal(r.stringToSign, await canonicalizer.smithyStringToSign(sig.longDate, scope, r.canonicalRequest));
      assert.equal(r.matches, true);
      if (v.sessionToken !== undefined) assert.equal(sig.securityToken, v.sessionToken);
    });
  }

  it('a wrong secret, a changed header, path, query or body, or a changed signature fails', async () => {
    const v = VECTORS.find((x) => x.name === 'post-x-www-form-urlencoded-parameters')!;
    const base = requestOf(v);
    const sig = readSignature(base)!;
    assert.equal((await recompute(base, sig, SUITE_CREDENTIALS.secretAccessKey)).matches, true);
    assert.equal((await recompute(base, sig, SUITE_CREDENTIALS.secretAccessKey + 'x')).matches, false);
    const changed: SignedRequest[] = [
      { ...base, body: Buffer.from('Param1=value2') },
      { ...base, path: '/other' },
      { ...base, query: 'a=b' },
      { ...base, method: 'PUT' },
      { ...base, header: (n) => (n === 'content-type' ? 'text/plain' : base.header(n)) },
    ];
    for (const req of changed) assert.equal((await recompute(req, sig, SUITE_CREDENTIALS.secretAccessKey)).matches, false);
    const flipped = { ...sig, signature: sig.signature.replace(/^./, (c) => (c === '0' ? '1' : '0')) };
    assert.equal((await recompute(base, flipped, SUITE_CREDENTIALS.secretAccessKey)).matches, false);
    const notHex = { ...sig, signature: 'zz' + sig.signature.slice(2) };
    assert.equal((await recompute(base, notHex, SUITE_CREDENTIALS.secretAccessKey)).matches, false);
  });
});

describe('SigV4 verification: reading the signature', () => {
  const vanilla = VECTORS.find((x) => x.name === 'get-vanilla')!;
  const withAuth = (authorization: string, extra: Record<string, string> = {}) => parse(vanilla.request, { authorization, ...extra });
  const code = (fn: () => unknown): string => {
    try {
      fn();
    } catch (err) {
      assert.ok(err instanceof AuthError);
      return `${err.code}: ${err.message}`;
    }
    return 'no error';
  };

  it('an unsigned request carries no signature', () => {
    assert.equal(readSignature(parse(vanilla.request)), null);
  });

  it('a bearer token is an incomplete signature, quoted hashed, never echoed', () => {
    const msg = code(() => readSignature(withAuth('Bearer eyJhbGciOiJIUzI1NiJ9.e30.secret')));
    assert.match(msg, /^IncompleteSignatureException: Invalid key=value pair \(missing equal-sign\) in Authorization header \(hashed with SHA-256 and encoded with Base64\): '[A-Za-z0-9+/]+=*'\.$/);
    assert.doesNotMatch(msg, /secret/);
  });

  it('missing parts are named as AWS names them', () => {
    const msg = code(() => readSignature(parse('GET / HTTP/1.1\nHost:example.amazonaws.com', { authorization: 'AWS4-HMAC-SHA256 Foo=bar' })));
    assert.match(msg, /^IncompleteSignatureException: Authorization header requires 'Credential' parameter\. Authorization header requires 'Signature' parameter\. Authorization header requires 'SignedHeaders' parameter\. Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header\. /);
  });

  it('a malformed Credential, date or signed-header list is an incomplete signature', () => {
    assert.equal(
      code(() => readSignature(withAuth('AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1, SignedHeaders=host;x-amz-date, Signature=00'))),
      "IncompleteSignatureException: Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'AKIDEXAMPLE/20150830/us-east-1'",
    );
    assert.equal(
      code(() => readSignature(withAuth(vanilla.authorization!, { 'x-amz-date': '2015-08-30' }))),
      "IncompleteSignatureException: Date must be in ISO-8601 'basic format'. Got '2015-08-30'. See http://en.wikipedia.org/wiki/ISO_8601",
    );
    assert.equal(
      code(() => readSignature(withAuth('AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=x-amz-date, Signature=00'))),
      "IncompleteSignatureException: 'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
    );
    assert.match(code(() => readSignature(withAuth(vanilla.authorization!.replace('AWS4-HMAC-SHA256', 'AWS4-HMAC-SHA512')))), /^IncompleteSignatureException: Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512'/);
  });

  it('an incomplete presigned query is refused; X-Amz-Expires over a week too', () => {
    assert.match(code(() => readSignature(parse('GET /?X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request HTTP/1.1\nHost:example.amazonaws.com'))), /^IncompleteSignatureException: AWS query-string parameters must include/);
    const presigned = VECTORS.find((x) => x.name === 'get-vanilla-query (presigned)')!;
    assert.match(code(() => readSignature(parse(presigned.request.replace('X-Amz-Expires=3600', 'X-Amz-Expires=604801')))), /must be less than a week/);
  });
});

describe('SigV4 verification: scope and time', () => {
  const vanilla = VECTORS.find((x) => x.name === 'get-vanilla')!;
  const sig = readSignature(parse(vanilla.request, { authorization: vanilla.authorization! }))!;
  const failure = (fn: () => void): string => {
    try {
      fn();
      return 'no error';
    } catch (err) {
      assert.ok(err instanceof AuthError);
      return `${err.code}: ${err.message}`;
    }
  };

  it('the credential must be scoped to the plane\'s service, a region and aws4_request', () => {
    assert.equal(failure(() => checkScope(sig, 'apigateway', SUITE_TIME)), "InvalidSignatureException: Credential should be scoped to correct service: 'apigateway'. ");
    assert.equal(failure(() => checkScope({ ...sig, region: 'mars' }, 'service', SUITE_TIME)), "InvalidSignatureException: Credential should be scoped to a valid region, not 'mars'. ");
    assert.equal(failure(() => checkScope({ ...sig, terminator: 'aws5_request' }, 'service', SUITE_TIME)), "InvalidSignatureException: Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'. ");
    assert.match(failure(() => checkScope({ ...sig, scopeDate: '20150831' }, 'service', SUITE_TIME)), /^InvalidSignatureException: Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20150831' != '20150830', from '20150830T123600Z'\.$/);
  });

  it('a signing time more than 15 minutes from now is expired or not yet current, in AWS\'s words', () => {
    assert.equal(failure(() => checkScope(sig, 'service', SUITE_TIME + 15 * 60_000)), 'no error');
    assert.equal(
      failure(() => checkScope(sig, 'service', SUITE_TIME + 16 * 60_000)),
      'InvalidSignatureException: Signature expired: 20150830T123600Z is now earlier than 20150830T123700Z (20150830T125200Z - 15 min.)',
    );
    assert.equal(
      failure(() => checkScope(sig, 'service', SUITE_TIME - 16 * 60_000)),
      'InvalidSignatureException: Signature not yet current: 20150830T123600Z is still later than 20150830T123500Z (20150830T122000Z + 15 min.)',
    );
  });

  it('a presigned URL lives for its X-Amz-Expires', () => {
    const presigned = VECTORS.find((x) => x.name === 'get-vanilla-query (presigned)')!;
    const p = readSignature(parse(presigned.request))!;
    assert.equal(p.expires, 3600);
    assert.equal(failure(() => checkScope(p, 'service', SUITE_TIME + 3600_000)), 'no error');
    assert.match(failure(() => checkScope(p, 'service', SUITE_TIME + 3601_000)), /^InvalidSignatureException: Signature expired: 20150830T123600Z is now earlier than/);
  });
});
