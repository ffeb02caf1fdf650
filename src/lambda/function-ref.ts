// Lambda accepts a function as a name (`my-function`), a name with a qualifier
// (`my-function:v1`), a partial ARN (`123456789012:function:my-function`) or a full ARN
// (`arn:aws:lambda:us-west-2:123456789012:function:my-function[:qualifier]`).
import { LambdaError } from './errors.ts';

export interface FunctionRef {
  readonly name: string;
  readonly qualifier: string | undefined;
  readonly accountId: string | undefined;
  readonly region: string | undefined;
}

// Lambda's own FunctionName pattern (API reference, Invoke), split into its parts.
const REF = /^(?:arn:aws[a-zA-Z-]*:lambda:([a-z]{2}(?:-gov)?-[a-z]+-\d):)?(?:(\d{12}):)?(?:function:)?([a-zA-Z0-9_-]+)(?::(\$LATEST|[a-zA-Z0-9_-]+))?$/;
const NAME = /^[a-zA-Z0-9_-]{1,64}$/;

export function parseFunctionRef(ref: string, member = 'functionName'): FunctionRef {
  const m = ref.length <= 170 ? REF.exec(ref) : null;
  // A partial ARN must say `function:`; `123456789012:name` is not one.
  if (m === null || (m[2] !== undefined && !ref.includes('function:')) || (m[1] !== undefined && m[2] === undefined)) {
    throw new LambdaError('ValidationException',
      `1 validation error detected: Value '${ref}' at '${member}' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?`);
  }
  if (!NAME.test(m[3]!)) {
    throw new LambdaError('ValidationException',
      `1 validation error detected: Value '${ref}' at '${member}' failed to satisfy constraint: Member must have length less than or equal to 64`);
  }
  return { name: m[3]!, qualifier: m[4], accountId: m[2], region: m[1] };
}

export function functionArn(region: string, accountId: string, name: string, qualifier?: string): string {
  return `arn:aws:lambda:${region}:${accountId}:function:${name}${qualifier === undefined ? '' : ':' + qualifier}`;
}

/** `${accountId}/${region}` → [accountId, region] */
export function splitPartition(partition: string): [string, string] {
  const slash = partition.indexOf('/');
  return [partition.slice(0, slash), partition.slice(slash + 1)];
}
