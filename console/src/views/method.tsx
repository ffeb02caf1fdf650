// A method's execution view, drawn as the AWS console draws it: Client → Method Request →
// Integration Request → (the integration) → Integration Response → Method Response → Client.
// Each box opens its editor; Test runs TestInvokeMethod and shows its execution log.
import { useEffect, useState, type ReactNode } from 'react';
import {
  DeleteIntegrationResponseCommand, DeleteMethodCommand, DeleteMethodResponseCommand, GetAuthorizersCommand, GetMethodCommand, PutIntegrationCommand,
  PutIntegrationResponseCommand, PutMethodResponseCommand, TestInvokeMethodCommand, UpdateMethodCommand, type IntegrationType, type Method, type PatchOperation,
  type Resource, type TestInvokeMethodCommandOutput,
} from '@aws-sdk/client-api-gateway';
import { apigateway } from '../api.ts';
import { Action, CodeEditor, Field, formatPairs, href, parsePairs, Status, useLoad } from '../ui.tsx';

type Panel = 'method-request' | 'integration-request' | 'integration-response' | 'method-response' | 'test';

export function MethodView({ apiId, resource, httpMethod, panel, onDeleted }: { apiId: string; resource: Resource; httpMethod: string; panel?: string; onDeleted: () => void }): ReactNode {
  const ids = { restApiId: apiId, resourceId: resource.id!, httpMethod };
  const method = useLoad(() => apigateway().send(new GetMethodCommand(ids)), [apiId, resource.id, httpMethod]);
  const base = ['apis', apiId, 'resources', resource.id!, 'methods', httpMethod];
  const open = (panel ?? '') as Panel | '';
  const m = method.data;
  const integration = m?.methodIntegration;
  const box = (p: Panel, title: string, lines: ReactNode[]): ReactNode => (
    <a className={`box${open === p ? ' open' : ''}`} href={href(...base, p)} aria-current={open === p ? 'page' : undefined} data-testid={`box-${p}`}>
      <strong>{title}</strong>
      {lines.map((l, i) => <span key={i}>{l}</span>)}
    </a>
  );
  return (
    <div>
      <h2>{resource.path} – {httpMethod} – Method Execution</h2>
      <Status loading={method.loading} error={method.error} />
      {m !== undefined && (
        <>
          <div className="flow" aria-label="Method execution">
            <div className="client">Client</div>
            <div className="lane">
              <div className="row">
                {box('method-request', 'Method Request', [`Auth: ${m.authorizationType ?? 'NONE'}`, `API Key: ${m.apiKeyRequired ? 'Required' : 'Not required'}`])}
                <span className="arrow" aria-hidden="true">→</span>
                {box('integration-request', 'Integration Request', [`Type: ${integration?.type ?? '—'}`, integration?.uri ?? (integration?.type === 'MOCK' ? 'Mock endpoint' : '')])}
              </div>
              <div className="row back">
                {box('method-response', 'Method Response', [Object.keys(m.methodResponses ?? {}).sort().map((s) => `HTTP ${s}`).join(', ') || 'None'])}
                <span className="arrow" aria-hidden="true">←</span>
                {box('integration-response', 'Integration Response', [integration?.type === 'HTTP_PROXY' || integration?.type === 'AWS_PROXY' ? 'Proxy integrations cannot be configured to transform responses.' : `${Object.keys(integration?.integrationResponses ?? {}).length} response(s)`])}
              </div>
            </div>
            <div className="endpoint">{integration?.type === 'MOCK' ? 'Mock Endpoint' : integration?.type?.startsWith('AWS') ? 'AWS' : 'HTTP endpoint'}</div>
          </div>
          <p className="actions">
            <a className="button primary" href={href(...base, 'test')} data-testid="open-test">⚡ Test</a>
            <Action label="Delete method" kind="danger" testId="delete-method" run={async () => {
              if (!window.confirm(`Delete ${httpMethod} ${resource.path}?`)) return;
              await apigateway().send(new DeleteMethodCommand(ids));
              onDeleted();
            }} />
          </p>
          {open === 'method-request' && <MethodRequestEditor apiId={apiId} method={m} ids={ids} onSaved={method.reload} />}
          {open === 'integration-request' && <IntegrationRequestEditor method={m} ids={ids} onSaved={method.reload} />}
          {open === 'integration-response' && <IntegrationResponsesEditor method={m} ids={ids} onSaved={method.reload} />}
          {open === 'method-response' && <MethodResponsesEditor method={m} ids={ids} onSaved={method.reload} />}
          {open === 'test' && <TestPanel ids={ids} resource={resource} />}
        </>
      )}
    </div>
  );
}

interface Ids { restApiId: string; resourceId: string; httpMethod: string }

/** method.request.{location}.{name} = required lines, e.g. "method.request.querystring.type=true". */
function MethodRequestEditor({ apiId, method, ids, onSaved }: { apiId: string; method: Method; ids: Ids; onSaved: () => void }): ReactNode {
  const authorizers = useLoad(() => apigateway().send(new GetAuthorizersCommand({ restApiId: apiId })), [apiId]);
  const [auth, setAuth] = useState(method.authorizationType ?? 'NONE');
  const [authorizerId, setAuthorizerId] = useState(method.authorizerId ?? '');
  const [apiKey, setApiKey] = useState(method.apiKeyRequired === true);
  const [params, setParams] = useState(formatPairs(Object.fromEntries(Object.entries(method.requestParameters ?? {}).map(([k, v]) => [k, String(v)]))));
  const [models, setModels] = useState(formatPairs(method.requestModels));
  async function save(): Promise<void> {
    const ops: PatchOperation[] = [];
    if (auth !== (method.authorizationType ?? 'NONE')) ops.push({ op: 'replace', path: '/authorizationType', value: auth });
    if ((auth === 'CUSTOM' || auth === 'COGNITO_USER_POOLS') && authorizerId !== (method.authorizerId ?? '')) ops.push({ op: 'replace', path: '/authorizerId', value: authorizerId });
    if (apiKey !== (method.apiKeyRequired === true)) ops.push({ op: 'replace', path: '/apiKeyRequired', value: String(apiKey) });
    const next = parsePairs(params);
    const before = method.requestParameters ?? {};
    for (const k of Object.keys(before)) if (!(k in next)) ops.push({ op: 'remove', path: `/requestParameters/${k}` });
    for (const [k, v] of Object.entries(next)) {
      if (!(k in before)) ops.push({ op: 'add', path: `/requestParameters/${k}`, value: v === 'true' ? 'true' : 'false' });
      else if (String(before[k]) !== v) ops.push({ op: 'replace', path: `/requestParameters/${k}`, value: v === 'true' ? 'true' : 'false' });
    }
    const nextModels = parsePairs(models);
    const beforeModels = method.requestModels ?? {};
    for (const k of Object.keys(beforeModels)) if (!(k in nextModels)) ops.push({ op: 'remove', path: `/requestModels/${k.replace('/', '~1')}` });
    for (const [k, v] of Object.entries(nextModels)) {
      if (beforeModels[k] !== v) ops.push({ op: k in beforeModels ? 'replace' : 'add', path: `/requestModels/${k.replace('/', '~1')}`, value: v });
    }
    if (ops.length > 0) await apigateway().send(new UpdateMethodCommand({ ...ids, patchOperations: ops }));
    onSaved();
  }
  return (
    <fieldset className="editor">
      <legend>Method Request</legend>
      <Field label="Authorization">
        <select name="authorizationType" value={auth} onChange={(e) => setAuth(e.target.value)}>
          <option value="NONE">NONE</option>
          <option value="AWS_IAM">AWS_IAM</option>
          <option value="CUSTOM">Lambda authorizer (CUSTOM)</option>
          <option value="COGNITO_USER_POOLS">Cognito user pool</option>
        </select>
      </Field>
      {(auth === 'CUSTOM' || auth === 'COGNITO_USER_POOLS') && (
        <Field label="Authorizer">
          <select name="authorizerId" value={authorizerId} onChange={(e) => setAuthorizerId(e.target.value)}>
            <option value="">Choose one</option>
            {(authorizers.data?.items ?? []).map((a) => <option key={a.id} value={a.id}>{a.name} ({a.type})</option>)}
          </select>
        </Field>
      )}
      <label className="check"><input type="checkbox" name="apiKeyRequired" checked={apiKey} onChange={(e) => setApiKey(e.target.checked)} /> API key required</label>
      <Field label="Request parameters" hint="One per line: method.request.querystring.name=true (true: required)">
        <CodeEditor label="Request parameters" value={params} onChange={setParams} rows={4} />
      </Field>
      <Field label="Request models" hint="One per line: content-type=ModelName">
        <CodeEditor label="Request models" value={models} onChange={setModels} rows={3} />
      </Field>
      <Action label="Save" kind="primary" run={save} testId="save-method-request" />
    </fieldset>
  );
}

function IntegrationRequestEditor({ method, ids, onSaved }: { method: Method; ids: Ids; onSaved: () => void }): ReactNode {
  const i = method.methodIntegration ?? {};
  const [type, setType] = useState<IntegrationType>(i.type ?? 'MOCK');
  const [uri, setUri] = useState(i.uri ?? '');
  const [httpMethod, setHttpMethod] = useState(i.httpMethod ?? 'POST');
  const [passthrough, setPassthrough] = useState(i.passthroughBehavior ?? 'WHEN_NO_MATCH');
  const [params, setParams] = useState(formatPairs(i.requestParameters));
  const [templates, setTemplates] = useState<[string, string][]>(Object.entries(i.requestTemplates ?? {}).map(([k, v]) => [k, v ?? '']));
  const [timeout, setTimeoutMs] = useState(String(i.timeoutInMillis ?? 29000));
  async function save(): Promise<void> {
    await apigateway().send(new PutIntegrationCommand({
      ...ids, type,
      ...(type === 'MOCK' ? {} : { uri, integrationHttpMethod: httpMethod }),
      passthroughBehavior: passthrough,
      requestParameters: parsePairs(params),
      requestTemplates: Object.fromEntries(templates.filter(([k]) => k.trim() !== '')),
      timeoutInMillis: Number(timeout),
      ...(i.credentials ? { credentials: i.credentials } : {}),
      ...(i.contentHandling ? { contentHandling: i.contentHandling } : {}),
      ...(i.cacheKeyParameters ? { cacheKeyParameters: i.cacheKeyParameters } : {}),
    }));
    onSaved();
  }
  return (
    <fieldset className="editor">
      <legend>Integration Request</legend>
      <Field label="Integration type">
        <select name="integrationType" value={type} onChange={(e) => setType(e.target.value as IntegrationType)}>
          {['MOCK', 'HTTP', 'HTTP_PROXY', 'AWS', 'AWS_PROXY'].map((t) => <option key={t}>{t}</option>)}
        </select>
      </Field>
      {type !== 'MOCK' && (
        <>
          <Field label="Endpoint URL or integration URI"><input name="uri" value={uri} onChange={(e) => setUri(e.target.value)} /></Field>
          <Field label="HTTP method">
            <select name="integrationHttpMethod" value={httpMethod} onChange={(e) => setHttpMethod(e.target.value)}>{['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'ANY'].map((v) => <option key={v}>{v}</option>)}</select>
          </Field>
        </>
      )}
      <Field label="Timeout (ms)" hint="50 to 29,000"><input name="timeoutInMillis" value={timeout} onChange={(e) => setTimeoutMs(e.target.value)} /></Field>
      <Field label="Request body passthrough">
        <select name="passthroughBehavior" value={passthrough} onChange={(e) => setPassthrough(e.target.value)}>
          <option value="WHEN_NO_MATCH">When no template matches the request Content-Type header</option>
          <option value="WHEN_NO_TEMPLATES">When there are no templates defined (recommended)</option>
          <option value="NEVER">Never</option>
        </select>
      </Field>
      <Field label="URL path, query string and header mappings" hint="One per line: integration.request.header.x=method.request.header.y">
        <CodeEditor label="Request parameter mappings" value={params} onChange={setParams} rows={4} />
      </Field>
      <TemplatesEditor title="Mapping templates" templates={templates} onChange={setTemplates} />
      <Action label="Save" kind="primary" run={save} testId="save-integration-request" />
    </fieldset>
  );
}

/** Content type → Velocity template, with a code editor for each. */
function TemplatesEditor({ title, templates, onChange }: { title: string; templates: [string, string][]; onChange: (t: [string, string][]) => void }): ReactNode {
  const [newType, setNewType] = useState('application/json');
  return (
    <div className="templates">
      <h4>{title}</h4>
      {templates.map(([ct, body], n) => (
        <div key={n} className="template">
          <Field label="Content-Type"><input aria-label={`Template content type ${n + 1}`} value={ct} onChange={(e) => onChange(templates.map((t, j) => (j === n ? [e.target.value, t[1]] : t)))} /></Field>
          <CodeEditor label={`Template ${ct}`} value={body} onChange={(v) => onChange(templates.map((t, j) => (j === n ? [t[0], v] : t)))} />
          <button type="button" onClick={() => onChange(templates.filter((_, j) => j !== n))}>Remove {ct}</button>
        </div>
      ))}
      <div className="inline">
        <input aria-label="New template content type" value={newType} onChange={(e) => setNewType(e.target.value)} />
        <button type="button" onClick={() => { if (newType.trim() !== '') onChange([...templates, [newType.trim(), '']]); }}>Add mapping template</button>
      </div>
    </div>
  );
}

function IntegrationResponsesEditor({ method, ids, onSaved }: { method: Method; ids: Ids; onSaved: () => void }): ReactNode {
  const responses = method.methodIntegration?.integrationResponses ?? {};
  const statuses = Object.keys(method.methodResponses ?? {}).sort();
  const [editing, setEditing] = useState<string | null>(Object.keys(responses)[0] ?? null);
  const [status, setStatus] = useState('');
  const [pattern, setPattern] = useState('');
  const [headers, setHeaders] = useState('');
  const [templates, setTemplates] = useState<[string, string][]>([]);
  useEffect(() => {
    const r = editing === null ? undefined : responses[editing];
    setStatus(r?.statusCode ?? statuses[0] ?? '200');
    setPattern(r?.selectionPattern ?? '');
    setHeaders(formatPairs(r?.responseParameters));
    setTemplates(Object.entries(r?.responseTemplates ?? {}).map(([k, v]) => [k, v ?? '']));
    // Only when another response is chosen: a reload of the method must not undo what the user is typing.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [editing]);
  return (
    <fieldset className="editor">
      <legend>Integration Response</legend>
      <table className="list" aria-label="Integration responses">
        <thead><tr><th>Lambda error regex / selection pattern</th><th>Method response status</th><th /></tr></thead>
        <tbody>
          {Object.values(responses).map((r) => (
            <tr key={r.statusCode}>
              <td><code>{r.selectionPattern === undefined || r.selectionPattern === '' ? '(default)' : r.selectionPattern}</code></td>
              <td>{r.statusCode}</td>
              <td>
                <button type="button" onClick={() => setEditing(r.statusCode!)}>Edit</button>
                <Action label="Delete" kind="danger" run={async () => {
                  await apigateway().send(new DeleteIntegrationResponseCommand({ ...ids, statusCode: r.statusCode! }));
                  onSaved();
                }} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <button type="button" onClick={() => setEditing(null)}>Add integration response</button>
      <h4>{editing === null ? 'New integration response' : `Integration response ${editing}`}</h4>
      <Field label="Method response status">
        <select name="integrationResponseStatus" value={status} onChange={(e) => setStatus(e.target.value)}>
          {statuses.length === 0 && <option value="">Define a method response first</option>}
          {statuses.map((s) => <option key={s}>{s}</option>)}
        </select>
      </Field>
      <Field label="Selection pattern (HTTP status regex, or Lambda error regex)"><input name="selectionPattern" value={pattern} onChange={(e) => setPattern(e.target.value)} /></Field>
      <Field label="Header mappings" hint="One per line: method.response.header.X=integration.response.header.Y or 'literal'">
        <CodeEditor label="Response header mappings" value={headers} onChange={setHeaders} rows={3} />
      </Field>
      <TemplatesEditor title="Mapping templates" templates={templates} onChange={setTemplates} />
      <Action label="Save" kind="primary" testId="save-integration-response" run={async () => {
        await apigateway().send(new PutIntegrationResponseCommand({
          ...ids, statusCode: status, ...(pattern !== '' ? { selectionPattern: pattern } : {}),
          responseParameters: parsePairs(headers), responseTemplates: Object.fromEntries(templates.filter(([k]) => k.trim() !== '')),
        }));
        if (editing !== null && editing !== status) await apigateway().send(new DeleteIntegrationResponseCommand({ ...ids, statusCode: editing }));
        setEditing(status);
        onSaved();
      }} />
    </fieldset>
  );
}

function MethodResponsesEditor({ method, ids, onSaved }: { method: Method; ids: Ids; onSaved: () => void }): ReactNode {
  const [status, setStatus] = useState('');
  const [headers, setHeaders] = useState('');
  return (
    <fieldset className="editor">
      <legend>Method Response</legend>
      <table className="list" aria-label="Method responses">
        <thead><tr><th>HTTP status</th><th>Response headers</th><th>Response models</th><th /></tr></thead>
        <tbody>
          {Object.values(method.methodResponses ?? {}).map((r) => (
            <tr key={r.statusCode}>
              <td>{r.statusCode}</td>
              <td>{Object.keys(r.responseParameters ?? {}).map((h) => h.replace('method.response.header.', '')).join(', ')}</td>
              <td>{Object.entries(r.responseModels ?? {}).map(([k, v]) => `${k}: ${v}`).join(', ')}</td>
              <td><Action label="Delete" kind="danger" run={async () => {
                await apigateway().send(new DeleteMethodResponseCommand({ ...ids, statusCode: r.statusCode! }));
                onSaved();
              }} /></td>
            </tr>
          ))}
        </tbody>
      </table>
      <h4>Add response</h4>
      <Field label="HTTP status"><input name="methodResponseStatus" value={status} onChange={(e) => setStatus(e.target.value)} /></Field>
      <Field label="Response headers" hint="Comma-separated names, e.g. Access-Control-Allow-Origin, X-Trace">
        <input name="methodResponseHeaders" value={headers} onChange={(e) => setHeaders(e.target.value)} />
      </Field>
      <Action label="Add response" kind="primary" testId="save-method-response" run={async () => {
        const names = headers.split(',').map((h) => h.trim()).filter((h) => h !== '');
        await apigateway().send(new PutMethodResponseCommand({
          ...ids, statusCode: status, responseParameters: Object.fromEntries(names.map((n) => [`method.response.header.${n}`, false])),
        }));
        setStatus('');
        setHeaders('');
        onSaved();
      }} />
    </fieldset>
  );
}

function TestPanel({ ids, resource }: { ids: Ids; resource: Resource }): ReactNode {
  const params = [...(resource.path ?? '').matchAll(/\{([^}+]+)\+?\}/g)].map((m) => m[1]!);
  const [pathValues, setPathValues] = useState<Record<string, string>>({});
  const [query, setQuery] = useState('');
  const [headers, setHeaders] = useState('');
  const [stageVariables, setStageVariables] = useState('');
  const [body, setBody] = useState('');
  const [result, setResult] = useState<TestInvokeMethodCommandOutput | null>(null);
  return (
    <fieldset className="editor">
      <legend>Method Test</legend>
      {params.map((p) => (
        <Field key={p} label={`{${p}}`}><input aria-label={`Path parameter ${p}`} value={pathValues[p] ?? ''} onChange={(e) => setPathValues({ ...pathValues, [p]: e.target.value })} /></Field>
      ))}
      <Field label="Query strings" hint="param1=value1&param2=value2"><input name="testQuery" value={query} onChange={(e) => setQuery(e.target.value)} /></Field>
      <Field label="Headers" hint="One per line: Name=value"><CodeEditor label="Test headers" value={headers} onChange={setHeaders} rows={3} /></Field>
      <Field label="Stage variables" hint="One per line: name=value"><CodeEditor label="Test stage variables" value={stageVariables} onChange={setStageVariables} rows={2} /></Field>
      <Field label="Request body"><CodeEditor label="Test request body" value={body} onChange={setBody} rows={5} /></Field>
      <Action label="Test" kind="primary" testId="run-test" run={async () => {
        let path = resource.path ?? '/';
        for (const p of params) path = path.replace(new RegExp(`\\{${p}\\+?\\}`), pathValues[p] ?? '');
        const out = await apigateway().send(new TestInvokeMethodCommand({
          ...ids, pathWithQueryString: query === '' ? path : `${path}?${query}`, headers: parsePairs(headers), stageVariables: parsePairs(stageVariables), ...(body !== '' ? { body } : {}),
        }));
        setResult(out);
      }} />
      {result !== null && (
        <div className="result" data-testid="test-result">
          <p><strong>Status:</strong> <span data-testid="test-status">{result.status}</span> · <strong>Latency:</strong> {result.latency} ms</p>
          <h4>Response body</h4>
          <pre className="code" data-testid="test-body">{result.body}</pre>
          <h4>Response headers</h4>
          <pre className="code">{formatPairs(result.headers)}</pre>
          <h4>Logs</h4>
          <pre className="code log" data-testid="test-log">{result.log}</pre>
        </div>
      )}
    </fieldset>
  );
}
