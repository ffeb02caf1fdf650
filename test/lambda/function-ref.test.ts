// How a function reference (name, qualified name, partial ARN, full ARN) is read.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { parseFunctionRef } from '../../src/lambda/function-ref.ts';

it('reads names, qualified names, partial and full ARNs', () => {
  assert.deepEqual(parseFunctionRef('my-function'), { name: 'my-function', qualifier: undefined, accountId: undefined, region: undefined });
  assert.deepEqual(parseFunctionRef('my-function:$LATEST'), { name: 'my-function', qualifier: '$LATEST', accountId: undefined, region: undefined });
  assert.deepEqual(parseFunctionRef('123456789012:function:my_function'), { name: 'my_function', qualifier: undefined, accountId: '123456789012', region: undefined });
  assert.deepEqual(parseFunctionRef('arn:aws:lambda:us-west-2:123456789012:function:Calc'), { name: 'Calc', qualifier: undefined, accountId: '123456789012', region: 'us-west-2' });
  assert.deepEqual(parseFunctionRef('arn:aws:lambda:us-gov-west-1:123456789012:function:Calc:prod'), { name: 'Calc', qualifier: 'prod', accountId: '123456789012', region: 'us-gov-west-1' });
});

it('refuses what Lambda refuses, with a ValidationException', () => {
  for (const bad of ['', 'has space', 'a/b', '123456789012:Calc', 'arn:aws:lambda:us-west-2:function:Calc', 'x'.repeat(65), 'arn:aws:s3:::bucket']) {
    assert.throws(() => parseFunctionRef(bad), (e: any) => e.name === 'ValidationException' && e.statusCode === 400, bad);
  }
});
