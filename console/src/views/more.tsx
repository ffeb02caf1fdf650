// The rest of the guide's console pages: an API's models, authorizers (with Test) and gateway
// responses; custom domain names with their base path mappings; client certificates; Lambda
// functions (list, create from a zip, test invoke with the log tail).
import { useState, type ReactNode } from 'react';
import {
  CreateAuthorizerCommand, CreateBasePathMappingCommand, CreateDomainNameCommand, CreateModelCommand, DeleteAuthorizerCommand, DeleteClientCertificateCommand,
  DeleteDomainNameCommand, DeleteGatewayResponseCommand, DeleteModelCommand, GenerateClientCertificateCommand, GetAuthorizersCommand, GetBasePathMappingsCommand,
  GetClientCertificatesCommand, GetDomainNamesCommand, GetGatewayResponsesCommand, GetModelsCommand, PutGatewayResponseCommand, TestInvokeAuthorizerCommand,
  type AuthorizerType, type GatewayResponseType, type TestInvokeAuthorizerCommandOutput,
} from '@aws-sdk/client-api-gateway';
import { CreateFunctionCommand, DeleteFunctionCommand, InvokeCommand, ListFunctionsCommand, type Runtime } from '@aws-sdk/client-lambda';
import { apigateway, lambda } from '../api.ts';
import { Action, CodeEditor, Field, formatPairs, parsePairs, Status, useLoad } from '../ui.tsx';

export function ModelsView({ apiId }: { apiId: string }): ReactNode {
  const models = useLoad(() => apigateway().send(new GetModelsCommand({ restApiId: apiId, limit: 500 })), [apiId]);
  const [name, setName] = useState('');
  const [contentType, setContentType] = useState('application/json');
  const [schema, setSchema] = useState('{\n  "$schema": "http://json-schema.org/draft-04/schema#",\n  "title": "",\n  "type": "object"\n}');
  return (
    <div>
      <h2>Models</h2>
      <Status loading={models.loading} error={models.error} />
      <table className="list" aria-label="Models">
        <thead><tr><th>Name</th><th>Content type</th><th>Schema</th><th /></tr></thead>
        <tbody>
          {(models.data?.items ?? []).map((m) => (
            <tr key={m.id}>
              <td>{m.name}</td><td>{m.contentType}</td><td><pre className="code">{m.schema}</pre></td>
              <td><Action label="Delete" kind="danger" run={async () => { await apigateway().send(new DeleteModelCommand({ restApiId: apiId, modelName: m.name! })); models.reload(); }} /></td>
            </tr>
          ))}
        </tbody>
      </table>
      <fieldset>
        <legend>Create model</legend>
        <Field label="Model name"><input name="modelName" value={name} onChange={(e) => setName(e.target.value)} /></Field>
        <Field label="Content type"><input name="modelContentType" value={contentType} onChange={(e) => setContentType(e.target.value)} /></Field>
        <Field label="Model schema (JSON Schema draft 4)"><CodeEditor label="Model schema" value={schema} onChange={setSchema} rows={10} /></Field>
        <Action label="Create model" kind="primary" testId="create-model" run={async () => {
          await apigateway().send(new CreateModelCommand({ restApiId: apiId, name, contentType, schema }));
          setName('');
          models.reload();
        }} />
      </fieldset>
    </div>
  );
}

export function AuthorizersView({ apiId }: { apiId: string }): ReactNode {
  const authorizers = useLoad(() => apigateway().send(new GetAuthorizersCommand({ restApiId: apiId, limit: 500 })), [apiId]);
  const [name, setName] = useState('');
  const [type, setType] = useState<AuthorizerType>('TOKEN');
  const [uri, setUri] = useState('');
  const [source, setSource] = useState('method.request.header.Authorization');
  const [ttl, setTtl] = useState('300');
  const [providers, setProviders] = useState('');
  const [testing, setTesting] = useState<string | null>(null);
  const [token, setToken] = useState('');
  const [result, setResult] = useState<TestInvokeAuthorizerCommandOutput | null>(null);
  return (
    <div>
      <h2>Authorizers</h2>
      <Status loading={authorizers.loading} error={authorizers.error} />
      <table className="list" aria-label="Authorizers">
        <thead><tr><th>Name</th><th>Type</th><th>Identity source</th><th /></tr></thead>
        <tbody>
          {(authorizers.data?.items ?? []).map((a) => (
            <tr key={a.id}>
              <td>{a.name} <code>{a.id}</code></td><td>{a.type}</td><td><code>{a.identitySource}</code></td>
              <td>
                <button type="button" onClick={() => { setTesting(a.id!); setResult(null); }}>Test</button>
                <Action label="Delete" kind="danger" run={async () => { await apigateway().send(new DeleteAuthorizerCommand({ restApiId: apiId, authorizerId: a.id! })); authorizers.reload(); }} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {testing !== null && (
        <fieldset className="editor">
          <legend>Test authorizer {testing}</legend>
          <Field label="Identity token (the identity source's value)"><input name="authorizerToken" value={token} onChange={(e) => setToken(e.target.value)} /></Field>
          <Action label="Test" kind="primary" testId="test-authorizer" run={async () => {
            setResult(await apigateway().send(new TestInvokeAuthorizerCommand({ restApiId: apiId, authorizerId: testing, headers: { Authorization: token } })));
          }} />
          {result !== null && (
            <div data-testid="authorizer-result">
              <p><strong>Response code:</strong> <span data-testid="authorizer-status">{result.clientStatus}</span> · latency {result.latency} ms · principal <code>{result.principalId ?? ''}</code></p>
              <h4>Policy</h4><pre className="code">{result.policy ?? ''}</pre>
              <h4>Logs</h4><pre className="code log">{result.log ?? ''}</pre>
            </div>
          )}
        </fieldset>
      )}
      <fieldset>
        <legend>Create authorizer</legend>
        <Field label="Authorizer name"><input name="authorizerName" value={name} onChange={(e) => setName(e.target.value)} /></Field>
        <Field label="Type">
          <select name="authorizerType" value={type} onChange={(e) => setType(e.target.value as AuthorizerType)}>
            <option value="TOKEN">Lambda (token)</option>
            <option value="REQUEST">Lambda (request)</option>
            <option value="COGNITO_USER_POOLS">Cognito user pools</option>
          </select>
        </Field>
        {type === 'COGNITO_USER_POOLS'
          ? <Field label="User pool ARNs" hint="Comma-separated"><input name="providerArns" value={providers} onChange={(e) => setProviders(e.target.value)} /></Field>
          : <Field label="Lambda function invocation URI" hint="arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{function ARN}/invocations"><input name="authorizerUri" value={uri} onChange={(e) => setUri(e.target.value)} /></Field>}
        <Field label="Identity source"><input name="identitySource" value={source} onChange={(e) => setSource(e.target.value)} /></Field>
        <Field label="Authorization caching TTL (seconds)"><input name="authorizerTtl" value={ttl} onChange={(e) => setTtl(e.target.value)} /></Field>
        <Action label="Create authorizer" kind="primary" testId="create-authorizer" run={async () => {
          await apigateway().send(new CreateAuthorizerCommand({
            restApiId: apiId, name, type, identitySource: source, authorizerResultTtlInSeconds: Number(ttl),
            ...(type === 'COGNITO_USER_POOLS' ? { providerARNs: providers.split(',').map((p) => p.trim()).filter(Boolean) } : { authorizerUri: uri }),
          }));
          setName('');
          authorizers.reload();
        }} />
      </fieldset>
    </div>
  );
}

const RESPONSE_TYPES: GatewayResponseType[] = [
  'DEFAULT_4XX', 'DEFAULT_5XX', 'ACCESS_DENIED', 'API_CONFIGURATION_ERROR', 'AUTHORIZER_FAILURE', 'AUTHORIZER_CONFIGURATION_ERROR', 'BAD_REQUEST_PARAMETERS',
  'BAD_REQUEST_BODY', 'EXPIRED_TOKEN', 'INTEGRATION_FAILURE', 'INTEGRATION_TIMEOUT', 'INVALID_API_KEY', 'INVALID_SIGNATURE', 'MISSING_AUTHENTICATION_TOKEN',
  'QUOTA_EXCEEDED', 'REQUEST_TOO_LARGE', 'RESOURCE_NOT_FOUND', 'THROTTLED', 'UNAUTHORIZED', 'UNSUPPORTED_MEDIA_TYPE', 'WAF_FILTERED',
];

export function GatewayResponsesView({ apiId }: { apiId: string }): ReactNode {
  const responses = useLoad(() => apigateway().send(new GetGatewayResponsesCommand({ restApiId: apiId, limit: 500 })), [apiId]);
  const [type, setType] = useState<GatewayResponseType>('DEFAULT_4XX');
  const current = responses.data?.items?.find((r) => r.responseType === type);
  const [status, setStatus] = useState('');
  const [headers, setHeaders] = useState('');
  const [template, setTemplate] = useState('');
  const choose = (t: GatewayResponseType): void => {
    setType(t);
    const r = responses.data?.items?.find((x) => x.responseType === t);
    setStatus(r?.statusCode ?? '');
    setHeaders(formatPairs(r?.responseParameters));
    setTemplate(r?.responseTemplates?.['application/json'] ?? '');
  };
  return (
    <div>
      <h2>Gateway Responses</h2>
      <Status loading={responses.loading} error={responses.error} />
      <Field label="Response type">
        <select name="responseType" value={type} onChange={(e) => choose(e.target.value as GatewayResponseType)}>
          {RESPONSE_TYPES.map((t) => <option key={t}>{t}</option>)}
        </select>
      </Field>
      {current !== undefined && <p>{current.defaultResponse ? 'Default response' : 'Customized'} · status {current.statusCode ?? '(from the default)'}</p>}
      <Field label="Status code" hint="Empty: keep the type's own"><input name="gatewayResponseStatus" value={status} onChange={(e) => setStatus(e.target.value)} /></Field>
      <Field label="Response headers" hint="One per line: gatewayresponse.header.Name='value'"><CodeEditor label="Gateway response headers" value={headers} onChange={setHeaders} rows={3} /></Field>
      <Field label="Response template (application/json)"><CodeEditor label="Gateway response template" value={template} onChange={setTemplate} rows={4} /></Field>
      <Action label="Save" kind="primary" testId="save-gateway-response" run={async () => {
        await apigateway().send(new PutGatewayResponseCommand({
          restApiId: apiId, responseType: type, ...(status ? { statusCode: status } : {}), responseParameters: parsePairs(headers),
          ...(template ? { responseTemplates: { 'application/json': template } } : {}),
        }));
        responses.reload();
      }} />
      <Action label="Reset to default" run={async () => { await apigateway().send(new DeleteGatewayResponseCommand({ restApiId: apiId, responseType: type })); responses.reload(); }} />
    </div>
  );
}

export function DomainNamesView(): ReactNode {
  const domains = useLoad(() => apigateway().send(new GetDomainNamesCommand({ limit: 500 })), []);
  const [name, setName] = useState('');
  const [arn, setArn] = useState('');
  const [policy, setPolicy] = useState('TLS_1_2');
  const [selected, setSelected] = useState<string | null>(null);
  return (
    <section>
      <h1>Custom Domain Names</h1>
      <Status loading={domains.loading} error={domains.error} />
      <table className="list" aria-label="Custom domain names">
        <thead><tr><th>Domain name</th><th>Endpoint</th><th>Target domain name</th><th>Security policy</th><th /></tr></thead>
        <tbody>
          {(domains.data?.items ?? []).map((d) => (
            <tr key={d.domainName}>
              <td><button type="button" className="link" onClick={() => setSelected(d.domainName!)}>{d.domainName}</button></td>
              <td>{d.endpointConfiguration?.types?.[0]}</td><td><code>{d.regionalDomainName ?? d.distributionDomainName}</code></td><td>{d.securityPolicy}</td>
              <td><Action label="Delete" kind="danger" run={async () => { await apigateway().send(new DeleteDomainNameCommand({ domainName: d.domainName! })); domains.reload(); }} /></td>
            </tr>
          ))}
        </tbody>
      </table>
      {selected !== null && <Mappings key={selected} domainName={selected} />}
      <fieldset>
        <legend>Create custom domain name (regional)</legend>
        <Field label="Domain name"><input name="domainName" value={name} onChange={(e) => setName(e.target.value)} /></Field>
        <Field label="ACM certificate ARN" hint="Import one with aws acm import-certificate or gatehouse certs import"><input name="regionalCertificateArn" value={arn} onChange={(e) => setArn(e.target.value)} /></Field>
        <Field label="Minimum TLS version">
          <select name="securityPolicy" value={policy} onChange={(e) => setPolicy(e.target.value)}><option value="TLS_1_2">TLS 1.2</option><option value="TLS_1_0">TLS 1.0</option></select>
        </Field>
        <Action label="Create domain name" kind="primary" testId="create-domain" run={async () => {
          await apigateway().send(new CreateDomainNameCommand({ domainName: name, regionalCertificateArn: arn, endpointConfiguration: { types: ['REGIONAL'] }, securityPolicy: policy as 'TLS_1_2' }));
          setSelected(name);
          domains.reload();
        }} />
      </fieldset>
    </section>
  );
}

function Mappings({ domainName }: { domainName: string }): ReactNode {
  const mappings = useLoad(() => apigateway().send(new GetBasePathMappingsCommand({ domainName, limit: 500 })), [domainName]);
  const [basePath, setBasePath] = useState('');
  const [apiId, setApiId] = useState('');
  const [stage, setStage] = useState('');
  return (
    <fieldset className="editor">
      <legend>API mappings of {domainName}</legend>
      <Status loading={mappings.loading} error={mappings.error} />
      <ul>{(mappings.data?.items ?? []).map((m) => <li key={m.basePath}><code>/{m.basePath === '(none)' ? '' : m.basePath}</code> → <code>{m.restApiId}</code> {m.stage ?? '(stage from the path)'}</li>)}</ul>
      <div className="inline">
        <input aria-label="Base path" placeholder="(none)" value={basePath} onChange={(e) => setBasePath(e.target.value)} />
        <input aria-label="Mapped API id" placeholder="API id" value={apiId} onChange={(e) => setApiId(e.target.value)} />
        <input aria-label="Mapped stage" placeholder="stage" value={stage} onChange={(e) => setStage(e.target.value)} />
        <Action label="Add mapping" testId="add-mapping" run={async () => {
          await apigateway().send(new CreateBasePathMappingCommand({ domainName, restApiId: apiId, ...(basePath ? { basePath } : {}), ...(stage ? { stage } : {}) }));
          mappings.reload();
        }} />
      </div>
    </fieldset>
  );
}

export function ClientCertificatesView(): ReactNode {
  const certs = useLoad(() => apigateway().send(new GetClientCertificatesCommand({ limit: 500 })), []);
  const [description, setDescription] = useState('');
  return (
    <section>
      <h1>Client Certificates</h1>
      <Status loading={certs.loading} error={certs.error} />
      <table className="list" aria-label="Client certificates">
        <thead><tr><th>ID</th><th>Description</th><th>Expires</th><th>PEM</th><th /></tr></thead>
        <tbody>
          {(certs.data?.items ?? []).map((c) => (
            <tr key={c.clientCertificateId}>
              <td><code>{c.clientCertificateId}</code></td><td>{c.description ?? ''}</td><td>{c.expirationDate?.toLocaleDateString() ?? ''}</td>
              <td><details><summary>Show</summary><pre className="code">{c.pemEncodedCertificate}</pre></details></td>
              <td><Action label="Delete" kind="danger" run={async () => { await apigateway().send(new DeleteClientCertificateCommand({ clientCertificateId: c.clientCertificateId! })); certs.reload(); }} /></td>
            </tr>
          ))}
        </tbody>
      </table>
      <Field label="Description"><input name="certificateDescription" value={description} onChange={(e) => setDescription(e.target.value)} /></Field>
      <Action label="Generate client certificate" kind="primary" testId="generate-certificate" run={async () => {
        await apigateway().send(new GenerateClientCertificateCommand({ description }));
        setDescription('');
        certs.reload();
      }} />
    </section>
  );
}

export function FunctionsView(): ReactNode {
  const functions = useLoad(() => lambda().send(new ListFunctionsCommand({ MaxItems: 50 })), []);
  const [name, setName] = useState('');
  const [runtime, setRuntime] = useState<Runtime>('nodejs20.x');
  const [handler, setHandler] = useState('index.handler');
  const [zip, setZip] = useState<Uint8Array | null>(null);
  const [invoking, setInvoking] = useState<string | null>(null);
  const [payload, setPayload] = useState('{}');
  const [out, setOut] = useState<{ status: number; error?: string; payload: string; log: string } | null>(null);
  return (
    <section>
      <h1>Lambda Functions</h1>
      <Status loading={functions.loading} error={functions.error} />
      <table className="list" aria-label="Functions">
        <thead><tr><th>Name</th><th>Runtime</th><th>Handler</th><th>Memory</th><th /></tr></thead>
        <tbody>
          {(functions.data?.Functions ?? []).map((f) => (
            <tr key={f.FunctionName}>
              <td>{f.FunctionName}</td><td>{f.Runtime}</td><td><code>{f.Handler}</code></td><td>{f.MemorySize} MB</td>
              <td>
                <button type="button" onClick={() => { setInvoking(f.FunctionName!); setOut(null); }}>Test</button>
                <Action label="Delete" kind="danger" run={async () => { await lambda().send(new DeleteFunctionCommand({ FunctionName: f.FunctionName! })); functions.reload(); }} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {invoking !== null && (
        <fieldset className="editor">
          <legend>Test {invoking}</legend>
          <Field label="Event (JSON)"><CodeEditor label="Test event" value={payload} onChange={setPayload} rows={5} /></Field>
          <Action label="Invoke" kind="primary" testId="invoke-function" run={async () => {
            const r = await lambda().send(new InvokeCommand({ FunctionName: invoking, Payload: new TextEncoder().encode(payload), LogType: 'Tail' }));
            setOut({
              status: r.StatusCode ?? 0, ...(r.FunctionError ? { error: r.FunctionError } : {}),
              payload: new TextDecoder().decode(r.Payload ?? new Uint8Array()), log: r.LogResult ? new TextDecoder().decode(Uint8Array.from(atob(r.LogResult), (c) => c.charCodeAt(0))) : '',
            });
          }} />
          {out !== null && (
            <div data-testid="invoke-result">
              <p><strong>Status:</strong> {out.status}{out.error ? ` · ${out.error} error` : ''}</p>
              <h4>Response</h4><pre className="code" data-testid="invoke-payload">{out.payload}</pre>
              <h4>Log output</h4><pre className="code log" data-testid="invoke-log">{out.log}</pre>
            </div>
          )}
        </fieldset>
      )}
      <fieldset>
        <legend>Create function</legend>
        <Field label="Function name"><input name="functionName" value={name} onChange={(e) => setName(e.target.value)} /></Field>
        <Field label="Runtime">
          <select name="runtime" value={runtime} onChange={(e) => setRuntime(e.target.value as Runtime)}>
            {['nodejs20.x', 'nodejs22.x', 'nodejs18.x', 'python3.12', 'python3.11'].map((r) => <option key={r}>{r}</option>)}
          </select>
        </Field>
        <Field label="Handler"><input name="handler" value={handler} onChange={(e) => setHandler(e.target.value)} /></Field>
        <Field label="Code (.zip file)"><input type="file" name="zipFile" accept=".zip" onChange={(e) => { const f = e.target.files?.[0]; if (f !== undefined) void f.arrayBuffer().then((b) => setZip(new Uint8Array(b))); }} /></Field>
        <Action label="Create function" kind="primary" testId="create-function" disabled={zip === null} run={async () => {
          await lambda().send(new CreateFunctionCommand({
            FunctionName: name, Runtime: runtime, Handler: handler, Role: 'arn:aws:iam::000000000000:role/lambda-role', Code: { ZipFile: zip! },
          }));
          setName('');
          functions.reload();
        }} />
      </fieldset>
    </section>
  );
}
