// Issue #10.8 and #10.9: a deployed API called at a wrong URL answered a bare 404 "Unknown
// operation"; and the management plane spelled x-amzn-errortype in lower case where the
// execution plane (and AWS) send x-amzn-ErrorType.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { useGatehouse } from '../helpers/server.ts';
import { rawRequest } from './raw.ts';

describe('wrong invocation URLs say which URLs invoke a stage', () => {
  let url: string;
  let host: string;
  useGatehouse((gh) => {
    url = gh.url;
    host = new URL(gh.url).host;
  });

  it('/restapis/ID/test/user_request/pets names the _user_request_ URL it meant', async () => {
    const r = await rawRequest(url, 'GET /restapis/a1b2c3/test/user_request/pets');
    assert.equal(r.status, 404);
    assert.equal(r.header('x-amzn-ErrorType'), 'UnknownOperationException');
    assert.match(r.json().message, new RegExp(`^Unknown operation: .*call http://${host}/restapis/a1b2c3/test/_user_request_/pets\\. `));
  });

  it('/test/pets without the API\'s Host lists both invocation URL forms', async () => {
    const r = await rawRequest(url, 'GET /test/pets');
    assert.equal(r.status, 404);
    const { message } = r.json();
    assert.match(message, /\/restapis\/\{restApiId\}\/\{stageName\}\/_user_request_\/\{path\}/);
    assert.match(message, new RegExp(`http://\\{restApiId\\}\\.execute-api\\.localhost:${new URL(url).port}/\\{stageName\\}/\\{path\\}`));
  });

  it('an unknown path under a management collection keeps AWS\'s plain message', async () => {
    const r = await rawRequest(url, 'GET /restapis/a1b2c3/resources/r1/nothing-here');
    assert.equal(r.status, 404);
    assert.deepEqual(r.json(), { message: 'Unknown operation' });
  });
});

describe('x-amzn-ErrorType is spelled as AWS spells it on every plane', () => {
  let url: string;
  useGatehouse((gh) => {
    url = gh.url;
  });

  function names(headers: [string, string][]): string[] {
    return headers.map(([k]) => k).filter((k) => k.toLowerCase() === 'x-amzn-errortype' || k.toLowerCase() === 'x-amzn-requestid');
  }

  it('management API errors', async () => {
    const r = await rawRequest(url, 'GET /restapis/nope00');
    assert.equal(r.status, 404);
    assert.deepEqual(names(r.headers).sort(), ['x-amzn-ErrorType', 'x-amzn-RequestId']);
  });

  it('deployed API errors', async () => {
    const r = await rawRequest(url, 'GET /restapis/nope00/test/_user_request_/x');
    assert.equal(r.status, 403);
    assert.deepEqual(names(r.headers).sort(), ['x-amzn-ErrorType', 'x-amzn-RequestId']);
  });

  it('Lambda API errors', async () => {
    const r = await rawRequest(url, 'GET /2015-03-31/functions/nope');
    assert.equal(r.status, 404);
    assert.deepEqual(names(r.headers).sort(), ['x-amzn-ErrorType', 'x-amzn-RequestId']);
  });

  it('front-door refusals', async () => {
    const r = await rawRequest(url, 'GET /restapis/%ZZ');
    assert.equal(r.status, 400);
    assert.deepEqual(names(r.headers).sort(), ['x-amzn-ErrorType', 'x-amzn-RequestId']);
  });
});
