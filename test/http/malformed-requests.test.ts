// Issue #20.1: one anonymous request with a malformed percent-escape threw an uncaught URIError
// in the front door and stopped the process. Every shape below must be answered in the error
// shape of its plane, and the server must go on answering.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { requestListener } from '../../src/http/front.ts';
import { useGatehouse } from '../helpers/server.ts';
import { open, parseResponse, rawRequest, readAll } from './raw.ts';

describe('malformed URLs on every plane', () => {
  let url: string;
  let host: string;
  useGatehouse((gh) => {
    url = gh.url;
    host = new URL(gh.url).host;
  });

  const cases: { what: string; line: string; apiHost?: boolean; status: number; type: string; lambda?: boolean }[] = [
    { what: 'a cut-short escape in the stage of a _user_request_ path', line: 'GET /restapis/abc/%E0%A4%A/_user_request_/x', status: 400, type: 'BadRequestException' },
    { what: 'a bad escape as the stage with an execute-api Host', line: 'GET /%ZZ/x', apiHost: true, status: 400, type: 'BadRequestException' },
    { what: 'a lone % in the path below the stage', line: 'GET /test/pets/%', apiHost: true, status: 400, type: 'BadRequestException' },
    { what: 'a bad escape in the query string', line: 'GET /restapis/abc/test/_user_request_/x?a=%G1', status: 400, type: 'BadRequestException' },
    { what: 'a bad escape on the management API', line: 'GET /restapis/%ZZ', status: 400, type: 'BadRequestException' },
    { what: 'a bad escape on the Lambda API', line: 'GET /2015-03-31/functions/%ZZ', status: 400, type: 'BadRequestException', lambda: true },
    { what: 'a well-formed escape that is not UTF-8 on the Lambda API', line: 'GET /2015-03-31/functions/%FF', status: 400, type: 'BadRequestException', lambda: true },
    { what: 'a well-formed escape that is not UTF-8 on the management API', line: 'GET /restapis/%C0%AF/stages', status: 400, type: 'BadRequestException' },
    { what: 'a well-formed escape that is not UTF-8, as a stage', line: 'GET /restapis/abc/%FF/_user_request_/x', status: 403, type: 'ForbiddenException' },
    { what: 'a well-formed escape that is not UTF-8, as a stage by Host', line: 'GET /%E0%A4/x', apiHost: true, status: 403, type: 'ForbiddenException' },
  ];

  for (const c of cases) {
    it(`${c.what}: ${c.status} ${c.type}, and the server still answers`, async () => {
      const r = await rawRequest(url, c.line, c.apiHost ? { host: `abc123.execute-api.localhost:${new URL(url).port}` } : { host });
      assert.equal(r.status, c.status, r.body);
      assert.equal(r.header('x-amzn-ErrorType'), c.type);
      assert.equal(r.header('content-type'), 'application/json');
      if (c.lambda) assert.equal(r.json().Type, 'User');
      else assert.equal(typeof r.json().message, 'string');
      const health = await fetch(`${url}/_gatehouse/health`);
      assert.equal(health.status, 200);
    });
  }

  it('random escapes on every plane: always an AWS-shaped 4xx or 2xx, never a 5xx', { timeout: 120_000 }, async () => {
    const piece = fc.constantFrom('%', '%Z', '%ZZ', '%0', '%41', '%E0%A4', '%E0%A4%A', '%FF', '%C0%AF', '%25', '%2F', '/', 'a', '_user_request_', 'test', '?', '=', '&', '%u0041');
    const prefix = fc.constantFrom('/restapis/abc/', '/restapis/', '/2015-03-31/functions/', '/_gatehouse/', '/', '/apikeys/');
    await fc.assert(fc.asyncProperty(prefix, fc.array(piece, { maxLength: 8 }), fc.boolean(), async (p, pieces, apiHost) => {
      const line = `GET ${p}${pieces.join('')}`;
      const r = await rawRequest(url, line, { host: apiHost ? `abc123.execute-api.localhost:${new URL(url).port}` : host });
      assert.ok(r.status < 500, `${line} → ${r.status} ${r.body}`);
      if (r.status >= 400) assert.ok(r.header('x-amzn-ErrorType') !== undefined, `${line}: no x-amzn-ErrorType`);
    }), { numRuns: 150 });
    assert.equal((await fetch(`${url}/_gatehouse/health`)).status, 200);
  });

  it('malformed HTTP gets a JSON 400 in API Gateway\'s shape, and the server goes on', async () => {
    const socket = await open(url);
    const text = readAll(socket);
    socket.write('NOT HTTP AT ALL\r\n\r\n');
    const r = parseResponse(await text);
    assert.equal(r.status, 400);
    assert.equal(r.header('x-amzn-ErrorType'), 'BadRequestException');
    assert.deepEqual(r.json(), { message: 'Bad Request' });
    assert.equal((await fetch(`${url}/_gatehouse/health`)).status, 200);
  });

  it('oversized headers get a JSON 431', async () => {
    const r = await rawRequest(url, 'GET /restapis', { host, 'x-big': 'a'.repeat(20_000) });
    assert.equal(r.status, 431);
    assert.equal(r.header('x-amzn-ErrorType'), 'RequestHeaderFieldsTooLargeException');
  });
});

describe('a plane that throws', () => {
  let server: Server;
  let url: string;
  before(async () => {
    const boom = (): never => {
      throw new Error('boom');
    };
    // The real listener with planes that fail the way a bug would: synchronously, mid-dispatch.
    server = createServer(requestListener({ host: '127.0.0.1', allowHost: '', allowOrigin: '' }, {
      execute: () => false,
      internal: boom,
      lambda: boom,
      control: boom,
    }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('answers 500 in the management API\'s shape instead of crashing', async () => {
    const r = await rawRequest(url, 'GET /restapis');
    assert.equal(r.status, 500);
    assert.equal(r.header('x-amzn-ErrorType'), 'InternalServerErrorException');
    assert.deepEqual(r.json(), { message: 'Internal server error' });
  });

  it('answers 500 in the Lambda API\'s shape', async () => {
    const r = await rawRequest(url, 'GET /2015-03-31/functions');
    assert.equal(r.status, 500);
    assert.equal(r.header('x-amzn-ErrorType'), 'ServiceException');
    assert.deepEqual(r.json(), { Type: 'Service', Message: 'An internal error occurred' });
  });
});
