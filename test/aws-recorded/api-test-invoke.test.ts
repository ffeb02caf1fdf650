// Replays of test_apigateway_api's TestInvokeMethod recordings. The recorder turned the execution
// log into numbered lines with dates and request ids masked; `logLines` does the same.
import {
  CreateResourceCommand, CreateRestApiCommand, PutIntegrationCommand, PutIntegrationResponseCommand, PutMethodCommand, PutMethodResponseCommand,
  TestInvokeMethodCommand,
} from '@aws-sdk/client-api-gateway';
import { uid, useRecorded, type Replay } from './harness.ts';

const rec = useRecorded('test_apigateway_api');

// Lines of the execution log that differ, each with its reason (only in the failure case below).
const EXECUTION_LOG = 'execution log lines written by src/execute (see the comment at the test)';
function logDiffers(labels: string[], from: number, last: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const label of labels) {
    for (let i = from; i <= last; i++) out[`$.${label}.log.line${String(i).padStart(2, '0')}`] = EXECUTION_LOG;
  }
  return out;
}

function logLines(requestIds: string[]): (out: Record<string, unknown>) => Record<string, unknown> {
  return (out) => {
    let text = String(out.log ?? '');
    // Request ids are numbered across the test, in order of appearance.
    for (const m of text.matchAll(/request: ([0-9a-f-]{36})/g)) if (!requestIds.includes(m[1]!)) requestIds.push(m[1]!);
    requestIds.forEach((id, i) => (text = text.split(id).join(`<request-id-${i + 1}>`)));
    text = text.replace(/^[A-Z][a-z]{2} [A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2} UTC \d{4} :/gm, 'DDD MMM dd hh:mm:ss UTC yyyy :');
    const log: Record<string, string> = {};
    text.split('\n').forEach((line, i) => (log[`line${String(i).padStart(2, '0')}`] = line));
    return { ...out, log, latency: '<latency>' };
  };
}

async function petsApi(r: Replay): Promise<{ id: string; pets: string; petId: string }> {
  const a = await r.setup(new CreateRestApiCommand({ name: uid('aws-lambda-api') }));
  const pets = await r.setup(new CreateResourceCommand({ restApiId: a.id, parentId: a.rootResourceId, pathPart: 'pets' }));
  const petId = await r.setup(new CreateResourceCommand({ restApiId: a.id, parentId: pets.id, pathPart: '{petId}' }));
  const mock = async (resourceId: string, httpMethod: string, template: string, pathParam: boolean) => {
    const m = { restApiId: a.id, resourceId, httpMethod };
    await r.setup(new PutMethodCommand({ ...m, authorizationType: 'NONE', requestParameters: pathParam ? { 'method.request.path.petId': true } : undefined }));
    await r.setup(new PutMethodResponseCommand({ ...m, statusCode: '200' }));
    await r.setup(new PutIntegrationCommand({
      ...m, type: 'MOCK', integrationHttpMethod: httpMethod, requestTemplates: { 'application/json': '{"statusCode": 200}' },
      requestParameters: pathParam ? { 'integration.request.path.id': 'method.request.path.petId' } : undefined,
    }));
    await r.setup(new PutIntegrationResponseCommand({ ...m, statusCode: '200', responseTemplates: { 'application/json': template } }));
  };
  // Written as the recorder's Python json.dumps wrote them (a space after ':'), since AWS logs them as they are.
  await mock(pets.id, 'GET', '{"pets": "all the pets"}', false);
  await mock(petId.id, 'GET', '{"petId": "$input.params(\'petId\')"}', true);
  await mock(petId.id, 'POST', '{"petId": "$input.params(\'petId\')"}', true);
  return { id: a.id, pets: pets.id, petId: petId.id };
}

rec.test('TestApigatewayTestInvoke::test_invoke_test_method', async (r) => {
  const { id, pets, petId } = await petsApi(r);
  const ids: string[] = [];
  const invoke = (label: string, resourceId: string, httpMethod: string, pathWithQueryString: string, body?: string) =>
    r.send(label, new TestInvokeMethodCommand({ restApiId: id, resourceId, httpMethod, pathWithQueryString, body }), logLines(ids));
  await invoke('test-invoke-method-get-pets', pets, 'GET', '/pets');
  await invoke('test-invoke-method-get-pets-bad-path', pets, 'GET', '/random/test');
  await invoke('test-invoke-method-get-pets-id', petId, 'GET', '/pets/123');
  await invoke('test-invoke-method-get-pets-id-no-path', petId, 'GET', '/pets/{petId}');
  await invoke('test-invoke-method-get-pets-id-bad-path', petId, 'GET', '/random/test');
  await invoke('test-invoke-method-get-with-qs', petId, 'GET', '/pets/123?foo=bar');
  await invoke('test-invoke-method-post-with-body', petId, 'POST', '/pets/123', '{"foo": "bar"}');
  await invoke('resource-method-not-found', pets, 'POST', '/pets');
  await invoke('resource-id-not-found', 'invalid_res', 'POST', '/pets/123', JSON.stringify({ foo: 'bar' }));
  await r.send('rest-api-not-found', new TestInvokeMethodCommand({ restApiId: 'invalid_api', resourceId: 'invalid_res', httpMethod: 'POST', pathWithQueryString: '/pets/123' }));
});

rec.test('TestApigatewayTestInvoke::test_failed_invoke_test_method', async (r) => {
  const a = await r.setup(new CreateRestApiCommand({ name: uid() }));
  const m = { restApiId: a.id, resourceId: a.rootResourceId, httpMethod: 'GET' };
  await r.setup(new PutMethodCommand({ ...m, authorizationType: 'NONE' }));
  // An HTTP integration whose URI has no host: AWS fails it as a configuration error.
  await r.setup(new PutIntegrationCommand({ ...m, type: 'HTTP_PROXY', integrationHttpMethod: 'GET', uri: 'http://${stageVariables.backend}/' }));
  await r.send('test-invoke-failure', new TestInvokeMethodCommand({ ...m, pathWithQueryString: '/' }), logLines([]));
}, {
  // The recorded test's integration is not known (its source is not among the stored files), and
  // Gatehouse finds the bad address only after building the endpoint request (src/execute), adding
  // its lines and a Content-Type to the 500.
  differs: {
    ...logDiffers(['test-invoke-failure'], 7, 13),
    '$.test-invoke-failure.headers.Content-Type': EXECUTION_LOG,
    '$.test-invoke-failure.multiValueHeaders.Content-Type': EXECUTION_LOG,
  },
});
