// Binary objects through an AWS integration to S3 (moto_server as the AWS endpoint), as AWS's
// recorded TestApiGatewayS3BinarySupport cases show it: with image/png among the API's binary
// media types a PNG is stored and read back byte for byte (and as base64 text for a text Accept);
// without binary media types the same PUT stores the PNG as UTF-8 text, invalid bytes replaced by
// U+FFFD (AWS's recording: 67 bytes sent, 99 stored). The object on the AWS side is read with the
// AWS CLI against the same moto.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CreateRestApiCommand, type APIGatewayClient } from '@aws-sdk/client-api-gateway';
import type { Gatehouse } from '../../src/server.ts';
import { apiGatewayClient, REGION, startTestGatehouse } from '../helpers/server.ts';
import { deploy, putMethod, resourcePath } from '../execute/helpers.ts';
import { startMoto, type Moto } from './aws-helpers.ts';
import { call, png } from './binary-fixtures.ts';

const PNG = png();
const ROLE = 'arn:aws:iam::123456789012:role/apigAwsProxyRole';


describe('binary objects through an S3 integration (moto)', { timeout: 120_000 }, () => {
  let moto: Moto;
  let gh: Gatehouse;
  let client: APIGatewayClient;
  let binaryApi: string;
  let textApi: string;
  const dir = mkdtempSync(join(tmpdir(), 'gh-s3-binary-'));

  /** The S3 object as stored on the AWS side. */
  async function stored(key: string): Promise<Buffer> {
    const out = join(dir, key.replace(/\W/g, '_'));
    await moto.cli(['s3api', 'get-object', '--bucket', 'binary-bucket', '--key', key, out]);
    return readFileSync(out);
  }

  async function s3Api(name: string, binaryMediaTypes?: string[]): Promise<string> {
    const api = await client.send(new CreateRestApiCommand({ name, binaryMediaTypes }));
    const id = api.id!;
    const resourceId = await resourcePath(client, id, '/{object}');
    const common = {
      requestParameters: { 'method.request.path.object': true, 'method.request.header.Content-Type': false },
      responses: [{ statusCode: '200', responseParameters: { 'method.response.header.Content-Type': 'integration.response.header.Content-Type' } }],
    };
    const requestParameters = {
      'integration.request.path.object': 'method.request.path.object',
      'integration.request.header.Content-Type': 'method.request.header.Content-Type',
    };
    for (const verb of ['PUT', 'GET']) {
      await putMethod(client, id, resourceId, {
        httpMethod: verb, ...common,
        integration: { type: 'AWS', integrationHttpMethod: verb, uri: `arn:aws:apigateway:${REGION}:s3:path/binary-bucket/{object}`, credentials: ROLE, requestParameters },
      });
    }
    await deploy(client, id, 'test');
    return id;
  }

  before(async () => {
    moto = await startMoto();
    await moto.cli(['s3api', 'create-bucket', '--bucket', 'binary-bucket']);
    gh = await startTestGatehouse({ awsEndpoint: moto.url });
    client = apiGatewayClient(gh.url);
    binaryApi = await s3Api('s3-binary', ['image/png']);
    textApi = await s3Api('s3-no-binary-types');
  });

  after(async () => {
    client?.destroy();
    await gh?.close();
    await moto?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const at = (id: string, key: string) => `/restapis/${id}/test/_user_request_/${key}`;

  it('with image/png a binary type: the PNG is stored byte for byte and read back as bytes', async () => {
    const put = await call(gh.url, at(binaryApi, 'cat.png'), { method: 'PUT', headers: { 'content-type': 'image/png' }, body: PNG });
    assert.equal(put.status, 200, put.body.toString());
    assert.ok((await stored('cat.png')).equals(PNG));
    const got = await call(gh.url, at(binaryApi, 'cat.png'), { headers: { accept: 'image/png' } });
    assert.equal(got.status, 200);
    assert.equal(got.headers['content-type'], 'image/png');
    assert.ok(got.body.equals(PNG));
  });

  it('the same object to a text Accept: its base64 text', async () => {
    const got = await call(gh.url, at(binaryApi, 'cat.png'), { headers: { accept: 'application/json' } });
    assert.equal(got.body.toString(), PNG.toString('base64'));
  });

  it('without binary media types the PNG is stored as UTF-8 text, as AWS stores it', async () => {
    const put = await call(gh.url, at(textApi, 'mangled.png'), { method: 'PUT', headers: { 'content-type': 'image/png' }, body: PNG });
    assert.equal(put.status, 200, put.body.toString());
    const object = await stored('mangled.png');
    assert.ok(object.equals(Buffer.from(PNG.toString('utf8'))));
    assert.ok(object.length > PNG.length, `${object.length} bytes stored for ${PNG.length} sent`);
  });
});
