// The parts of AWS integrations that need no endpoint: the synchronous SigV4 signer against
// @smithy/signature-v4's SignatureV4.sign (the AWS SDKs' signer) on the same requests and time,
// integration URIs read into targets, the URL the execution log shows, and the configuration
// flags (--aws-endpoint, --aws-endpoint-override / --aws-endpoint-SERVICE, the keys).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { configHelp, ConfigError, DEFAULTS, parseAwsEndpointOverrides, parseConfig } from '../../src/config.ts';
import { AwsSigner } from '../../src/integrations/aws/sign.ts';
import { awsServiceUrl, parseAwsTarget, splitAction, splitPath } from '../../src/integrations/aws/target.ts';
import { awsService } from '../../src/integrations/aws/services.ts';

const CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const NOW = Date.UTC(2026, 2, 14, 9, 26, 53, 589);

interface SignCase {
  name: string;
  service: string;
  region: string;
  method: string;
  path: string;
  query: Record<string, string | string[]>;
  headers: Record<string, string>;
  body: string;
}

describe('SigV4 signing', () => {
  const cases: SignCase[] = [
    { name: 'S3 GET, an encoded key (the path signed as sent)', service: 's3', region: 'us-west-2', method: 'GET', path: '/my-bucket/my%20notes%2B%281%29.txt', query: {}, headers: { accept: 'application/json' }, body: '' },
    { name: 'S3 PUT with a body', service: 's3', region: 'us-east-1', method: 'PUT', path: '/b/k', query: {}, headers: { 'content-type': 'text/plain' }, body: 'Welcome to README.txt' },
    { name: 'SQS query protocol, values with spaces and reserved characters', service: 'sqs', region: 'eu-west-1', method: 'POST', path: '/', query: { Action: 'SendMessage', MessageBody: 'a b+c*', QueueUrl: 'http://q/1' }, headers: {}, body: '' },
    { name: 'DynamoDB JSON protocol', service: 'dynamodb', region: 'ap-south-1', method: 'POST', path: '/', query: { Action: 'PutItem' }, headers: { 'x-amz-target': 'DynamoDB_20120810.PutItem', 'content-type': 'application/x-amz-json-1.0', 'user-agent': 'AmazonAPIGateway_abc', 'x-amzn-trace-id': 'Root=1-x' }, body: '{"TableName":"t"}' },
    { name: 'a non-S3 path with encoded segments (signed encoded once more)', service: 'ssm', region: 'us-east-1', method: 'GET', path: '/parameters/a%20b/c', query: { repeated: ['2', '1'] }, headers: { 'x-custom': '  spaced   value ' }, body: '' },
  ];
  for (const c of cases) {
    test(`the same Authorization header as the AWS SDKs' signer: ${c.name}`, async () => {
      const host = 'aws.example:4566';
      const sdk = new SignatureV4({ service: c.service, region: c.region, credentials: CREDENTIALS, sha256: Sha256, uriEscapePath: c.service !== 's3' });
      const expected = await sdk.sign(
        { method: c.method, protocol: 'http:', hostname: 'aws.example', port: 4566, path: c.path, query: c.query, headers: { host, ...c.headers }, body: c.body },
        { signingDate: new Date(NOW) },
      );
      const headers: Record<string, string> = { host, ...c.headers };
      new AwsSigner(CREDENTIALS).sign({ method: c.method, path: c.path, query: c.query, headers, body: Buffer.from(c.body) }, c.region, c.service, NOW);
      assert.equal(headers['authorization'], expected.headers['authorization']);
      assert.equal(headers['x-amz-date'], '20260314T092653Z');
      assert.equal(headers['x-amz-content-sha256'], expected.headers['x-amz-content-sha256']);
    });
  }
});

describe('integration URIs', () => {
  test('service, region, subdomain and form are read from the URI; the protocol and signing name from the service table', () => {
    const ddb = parseAwsTarget('arn:aws:apigateway:eu-west-1:dynamodb:action/PutItem')!;
    assert.deepEqual([ddb.region, ddb.service, ddb.subdomain, ddb.kind, ddb.prefix], ['eu-west-1', 'dynamodb', null, 'action', 'arn:aws:apigateway:eu-west-1:dynamodb:action/']);
    assert.deepEqual(ddb.info.action, { kind: 'json', targetPrefix: 'DynamoDB_20120810', jsonVersion: '1.0' });
    const bucket = parseAwsTarget('arn:aws:apigateway:us-west-2:my.bucket.s3:path/{key}')!;
    assert.deepEqual([bucket.service, bucket.subdomain, bucket.kind, bucket.info.signingName], ['s3', 'my.bucket', 'path', 's3']);
    assert.equal(parseAwsTarget('arn:aws:apigateway:us-east-1:runtime.sagemaker:path/endpoints/e/invocations')!.info.signingName, 'sagemaker');
    assert.equal(parseAwsTarget('arn:aws-cn:apigateway:cn-north-1:sqs:path/1/q')!.region, 'cn-north-1');
    for (const bad of ['', 'http://example.com', 'arn:aws:apigateway:us-east-1:sqs:query/x', 'arn:aws:apigateway:us-east-1::path/x', 'arn:aws:apigateway:us-east-1:.s3:path/x']) {
      assert.equal(parseAwsTarget(bad), null, bad);
    }
  });

  test('services by protocol: SSM and SQS by query (as API Gateway calls them), Kinesis and Step Functions by JSON, unknown ones by query under their own name', () => {
    assert.equal(awsService('ssm', null).action.kind, 'query');
    assert.equal(awsService('sqs', null).action.kind, 'query');
    assert.deepEqual(awsService('kinesis', null).action, { kind: 'json', targetPrefix: 'Kinesis_20131202', jsonVersion: '1.1' });
    assert.deepEqual(awsService('states', null).action, { kind: 'json', targetPrefix: 'AWSStepFunctions', jsonVersion: '1.0' });
    assert.deepEqual(awsService('newservice', null), { signingName: 'newservice', action: { kind: 'query' } });
    assert.deepEqual(awsService('constructor', null), { signingName: 'constructor', action: { kind: 'query' } });
  });

  test('path and action forms split into the request path and query string', () => {
    assert.deepEqual(splitPath('/'), { path: '/', query: '' });
    assert.deepEqual(splitPath('bucket/key?versionId=3'), { path: '/bucket/key', query: 'versionId=3' });
    assert.deepEqual(splitAction('ListStreams'), { path: '/', query: 'Action=ListStreams', action: 'ListStreams' });
    assert.deepEqual(splitAction('GetObject&Bucket=b&Key=k?x=1'), { path: '/', query: 'Action=GetObject&Bucket=b&Key=k&x=1', action: 'GetObject' });
  });

  test('the execution log\'s URL is the service\'s on AWS', () => {
    assert.equal(awsServiceUrl('arn:aws:apigateway:us-west-2:s3:path//'), 'https://s3.us-west-2.amazonaws.com/');
    assert.equal(awsServiceUrl('arn:aws:apigateway:us-west-2:s3:path/apig-demo/README.txt'), 'https://s3.us-west-2.amazonaws.com/apig-demo/README.txt');
    assert.equal(awsServiceUrl('arn:aws:apigateway:us-east-1:kinesis:action/PutRecord'), 'https://kinesis.us-east-1.amazonaws.com/?Action=PutRecord');
    assert.equal(awsServiceUrl('arn:aws:apigateway:us-east-1:b.s3:path/k'), 'https://b.s3.us-east-1.amazonaws.com/k');
    assert.equal(awsServiceUrl('https://example.com/'), null);
  });
});

describe('configuration', () => {
  test('defaults: no endpoint, keys test/test', () => {
    assert.equal(DEFAULTS.awsEndpoint, '');
    assert.equal(DEFAULTS.awsEndpointOverrides, '');
    assert.equal(DEFAULTS.awsAccessKeyId, 'test');
    assert.equal(DEFAULTS.awsSecretAccessKey, 'test');
  });

  test('--aws-endpoint, --aws-endpoint-override (repeated) and --aws-endpoint-SERVICE add up; the environment alike', () => {
    const c = parseConfig(['--aws-endpoint', 'http://127.0.0.1:5000', '--aws-endpoint-override', 'sqs=http://q:1', '--aws-endpoint-s3=http://s3:2/base', '--aws-endpoint-runtime.sagemaker', 'https://sm:3',
      '--aws-access-key-id', 'AKID', '--aws-secret-access-key', 'shh'], {});
    assert.equal(c.awsEndpoint, 'http://127.0.0.1:5000');
    assert.deepEqual([...parseAwsEndpointOverrides(c.awsEndpointOverrides)], [['sqs', 'http://q:1'], ['s3', 'http://s3:2/base'], ['runtime.sagemaker', 'https://sm:3']]);
    assert.deepEqual([c.awsAccessKeyId, c.awsSecretAccessKey], ['AKID', 'shh']);
    const e = parseConfig([], { GATEHOUSE_AWS_ENDPOINT: 'http://moto:5000', GATEHOUSE_AWS_ENDPOINT_OVERRIDES: 'dynamodb=http://ddb:8000, kinesis=http://k:1', GATEHOUSE_AWS_ACCESS_KEY_ID: 'K', GATEHOUSE_AWS_SECRET_ACCESS_KEY: 'S' });
    assert.equal(e.awsEndpoint, 'http://moto:5000');
    assert.deepEqual([...parseAwsEndpointOverrides(e.awsEndpointOverrides)], [['dynamodb', 'http://ddb:8000'], ['kinesis', 'http://k:1']]);
    assert.deepEqual([e.awsAccessKeyId, e.awsSecretAccessKey], ['K', 'S']);
  });

  test('bad values are refused at start-up with what was expected', () => {
    const refused = (argv: string[], message: RegExp) => assert.throws(() => parseConfig(argv, {}), (err: Error) => err instanceof ConfigError && message.test(err.message));
    refused(['--aws-endpoint', 'moto:5000'], /--aws-endpoint: an endpoint URL is http:\/\/ or https:\/\//);
    refused(['--aws-endpoint', 'not a url'], /--aws-endpoint: an endpoint URL \(http:\/\/host:port\), got 'not a url'/);
    refused(['--aws-endpoint-override', 'sqs'], /--aws-endpoint-override sqs: an endpoint URL/);
    refused(['--aws-endpoint-override', '=http://x:1'], /expected SERVICE=URL/);
    refused(['--aws-endpoint-sqs', 'ftp://x'], /--aws-endpoint-override sqs: an endpoint URL is http:\/\/ or https:\/\//);
    refused(['--aws-endpoint-sqs', 'http://a:1', '--aws-endpoint-override', 'sqs=http://b:2'], /sqs is given two endpoints, http:\/\/a:1 and http:\/\/b:2/);
    refused(['--aws-endpoint-'], /unknown option --aws-endpoint-/);
  });

  test('gatehouse serve --help lists the flags with their variables', () => {
    const help = configHelp();
    for (const line of ['--aws-endpoint ', 'GATEHOUSE_AWS_ENDPOINT\n', '--aws-endpoint-override', 'GATEHOUSE_AWS_ENDPOINT_OVERRIDES', '--aws-access-key-id', '(default test)', 'GATEHOUSE_AWS_SECRET_ACCESS_KEY']) {
      assert.ok(help.includes(line), line);
    }
  });
});
