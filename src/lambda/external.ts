// Invocations sent to a Lambda endpoint elsewhere (AWS itself, or another Gatehouse) instead of
// running locally: the Invoke call signed with SigV4 for service 'lambda' and the caller's
// region, answered with the same result shape as a local invocation.
import { lazy } from '../lazy.ts';

const sha256 = lazy<typeof import('@aws-crypto/sha256-js')>('@aws-crypto/sha256-js');
const sigv4 = lazy<typeof import('@smithy/signature-v4')>('@smithy/signature-v4');
const undici = lazy<typeof import('undici')>('undici');
import { LambdaError, type LambdaErrorName } from './errors.ts';

export interface ExternalLambda {
  readonly endpoint: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export interface InvokeResult {
  statusCode: number;
  payload: Buffer;
  functionError?: 'Unhandled' | 'Handled';
  executedVersion: string;
  logTail?: string;
}

export async function invokeExternal(target: ExternalLambda, region: string, functionRef: string, payload: Buffer,
  invocationType: 'RequestResponse' | 'Event', signal?: AbortSignal): Promise<InvokeResult> {
  const url = new URL(target.endpoint);
  const base = url.pathname.replace(/\/$/, '');
  const path = `${base}/2015-03-31/functions/${encodeURIComponent(functionRef)}/invocations`;
  const signer = new (sigv4().SignatureV4)({
    service: 'lambda',
    region,
    sha256: sha256().Sha256,
    credentials: { accessKeyId: target.accessKeyId, secretAccessKey: target.secretAccessKey },
  });
  const signed = await signer.sign({
    method: 'POST',
    protocol: url.protocol,
    hostname: url.hostname,
    port: url.port === '' ? undefined : Number(url.port),
    path,
    query: {},
    headers: {
      host: url.host,
      'content-type': 'application/json',
      'x-amz-invocation-type': invocationType,
      'x-amz-log-type': 'Tail',
    },
    body: payload,
  });
  const res = await undici().request(`${url.protocol}//${url.host}${path}`, {
    method: 'POST',
    headers: signed.headers,
    body: payload,
    signal,
  });
  const body = Buffer.from(await res.body.arrayBuffer());
  const header = (name: string): string | undefined => {
    const v = res.headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  if (res.statusCode >= 300) {
    let message = body.toString('utf8');
    try {
      const parsed = JSON.parse(message) as { Message?: string; message?: string };
      message = parsed.Message ?? parsed.message ?? message;
    } catch { /* not JSON: keep the text */ }
    const name = (header('x-amzn-errortype')?.split(':')[0] ?? 'ServiceException') as LambdaErrorName;
    throw new LambdaError(name, message);
  }
  const fe = header('x-amz-function-error');
  const result: InvokeResult = {
    statusCode: res.statusCode,
    payload: body,
    executedVersion: header('x-amz-executed-version') ?? '$LATEST',
  };
  if (fe === 'Unhandled' || fe === 'Handled') result.functionError = fe;
  const tail = header('x-amz-log-result');
  if (tail !== undefined) result.logTail = tail;
  return result;
}
