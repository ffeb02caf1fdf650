// One API: its resource tree (create resource, {param}, {proxy+}, delete), each method's
// execution view, the stages with Deploy API, and export.
import { useState, type ReactNode } from 'react';
import {
  CreateResourceCommand, DeleteResourceCommand, GetExportCommand, GetResourcesCommand, GetRestApiCommand, PutIntegrationCommand,
  PutIntegrationResponseCommand, PutMethodCommand, PutMethodResponseCommand, type IntegrationType, type Resource,
} from '@aws-sdk/client-api-gateway';
import { apigateway } from '../api.ts';
import { Action, Field, go, href, Status, useLoad } from '../ui.tsx';
import { MethodView } from './method.tsx';
import { StagesView } from './stages.tsx';
import { AuthorizersView, GatewayResponsesView, ModelsView } from './more.tsx';
import { DashboardView } from './dashboard.tsx';

const VERBS = ['ANY', 'DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT'];

async function allResources(restApiId: string): Promise<Resource[]> {
  const out: Resource[] = [];
  let position: string | undefined;
  do {
    const page = await apigateway().send(new GetResourcesCommand({ restApiId, limit: 500, position }));
    out.push(...(page.items ?? []));
    position = page.position;
  } while (position !== undefined);
  return out.sort((a, b) => (a.path ?? '').localeCompare(b.path ?? ''));
}

export function ApiView({ apiId, route }: { apiId: string; route: string[] }): ReactNode {
  const api = useLoad(() => apigateway().send(new GetRestApiCommand({ restApiId: apiId })), [apiId]);
  const resources = useLoad(() => allResources(apiId), [apiId]);
  const section = route[0] ?? 'resources';
  return (
    <section>
      <p className="crumbs"><a href={href('apis')}>APIs</a> › <strong>{api.data?.name ?? apiId}</strong> <code>{apiId}</code></p>
      <Status loading={api.loading} error={api.error} />
      <nav className="subnav" aria-label="API sections">
        <a href={href('apis', apiId, 'resources')} aria-current={section === 'resources' ? 'page' : undefined}>Resources</a>
        <a href={href('apis', apiId, 'stages')} aria-current={section === 'stages' ? 'page' : undefined}>Stages</a>
        <a href={href('apis', apiId, 'authorizers')} aria-current={section === 'authorizers' ? 'page' : undefined}>Authorizers</a>
        <a href={href('apis', apiId, 'gateway-responses')} aria-current={section === 'gateway-responses' ? 'page' : undefined}>Gateway Responses</a>
        <a href={href('apis', apiId, 'models')} aria-current={section === 'models' ? 'page' : undefined}>Models</a>
        <a href={href('apis', apiId, 'export')} aria-current={section === 'export' ? 'page' : undefined}>Export</a>
        <a href={href('apis', apiId, 'dashboard')} aria-current={section === 'dashboard' ? 'page' : undefined}>Dashboard</a>
      </nav>
      {section === 'resources' && (
        <div className="split">
          <ResourceTree apiId={apiId} resources={resources.data ?? []} selected={route[1]} />
          <div className="pane">
            <Status loading={resources.loading} error={resources.error} />
            {resources.data !== undefined && (() => {
              const list = resources.data;
              const r = list.find((x) => x.id === (route[1] ?? list.find((y) => y.path === '/')?.id));
              if (r === undefined) return <p>Resource not found.</p>;
              if (route[2] === 'methods' && route[3] !== undefined) {
                return <MethodView apiId={apiId} resource={r} httpMethod={route[3]} panel={route[4]} onDeleted={() => { resources.reload(); go('apis', apiId, 'resources', r.id!); }} />;
              }
              return <ResourcePane apiId={apiId} resource={r} onChange={resources.reload} />;
            })()}
          </div>
        </div>
      )}
      {section === 'stages' && <StagesView apiId={apiId} stageName={route[1]} />}
      {section === 'export' && <ExportView apiId={apiId} />}
      {section === 'authorizers' && <AuthorizersView apiId={apiId} />}
      {section === 'gateway-responses' && <GatewayResponsesView apiId={apiId} />}
      {section === 'models' && <ModelsView apiId={apiId} />}
      {section === 'dashboard' && <DashboardView apiId={apiId} />}
    </section>
  );
}

function ResourceTree({ apiId, resources, selected }: { apiId: string; resources: Resource[]; selected?: string }): ReactNode {
  return (
    <nav className="tree" aria-label="Resources">
      <ul>
        {resources.map((r) => {
          const depth = r.path === '/' ? 0 : (r.path ?? '').split('/').length - 1;
          return (
            <li key={r.id} style={{ paddingLeft: `${depth * 14}px` }}>
              <a href={href('apis', apiId, 'resources', r.id!)} aria-current={selected === r.id ? 'page' : undefined}>{r.path === '/' ? '/' : `/${r.pathPart}`}</a>
              {Object.keys(r.resourceMethods ?? {}).sort().map((m) => (
                <a key={m} className="verb" href={href('apis', apiId, 'resources', r.id!, 'methods', m)}>{m}</a>
              ))}
            </li>
          );
        })}
      </ul>
    </nav>
  );
}

function ResourcePane({ apiId, resource, onChange }: { apiId: string; resource: Resource; onChange: () => void }): ReactNode {
  const [pathPart, setPathPart] = useState('');
  const [proxy, setProxy] = useState(false);
  const [verb, setVerb] = useState('GET');
  const [type, setType] = useState<IntegrationType>('MOCK');
  const [uri, setUri] = useState('');
  const [integrationMethod, setIntegrationMethod] = useState('GET');
  const ids = { restApiId: apiId, resourceId: resource.id! };

  async function createMethod(): Promise<void> {
    const c = apigateway();
    await c.send(new PutMethodCommand({ ...ids, httpMethod: verb, authorizationType: 'NONE' }));
    const proxyType = type === 'HTTP_PROXY' || type === 'AWS_PROXY';
    await c.send(new PutIntegrationCommand({
      ...ids, httpMethod: verb, type,
      ...(type === 'MOCK' ? { requestTemplates: { 'application/json': '{"statusCode": 200}' } } : { uri, integrationHttpMethod: type === 'AWS_PROXY' ? 'POST' : integrationMethod }),
    }));
    // As the console does on Save: a 200 method response, and for non-proxy integrations the
    // default integration response passing the body through.
    await c.send(new PutMethodResponseCommand({ ...ids, httpMethod: verb, statusCode: '200', responseModels: { 'application/json': 'Empty' } }));
    if (!proxyType) await c.send(new PutIntegrationResponseCommand({ ...ids, httpMethod: verb, statusCode: '200', responseTemplates: { 'application/json': '' } }));
    onChange();
    go('apis', apiId, 'resources', resource.id!, 'methods', verb);
  }

  return (
    <div>
      <h2>{resource.path} <small>Resource <code>{resource.id}</code></small></h2>
      <h3>Methods</h3>
      {Object.keys(resource.resourceMethods ?? {}).length === 0 ? <p>No methods.</p> : (
        <ul className="methods">
          {Object.keys(resource.resourceMethods ?? {}).sort().map((m) => <li key={m}><a href={href('apis', apiId, 'resources', resource.id!, 'methods', m)}>{m}</a></li>)}
        </ul>
      )}
      <fieldset>
        <legend>Create method</legend>
        <Field label="HTTP method">
          <select name="httpMethod" value={verb} onChange={(e) => setVerb(e.target.value)}>{VERBS.map((v) => <option key={v}>{v}</option>)}</select>
        </Field>
        <Field label="Integration type">
          <select name="integrationType" value={type} onChange={(e) => setType(e.target.value as IntegrationType)}>
            <option value="MOCK">Mock</option>
            <option value="HTTP">HTTP</option>
            <option value="HTTP_PROXY">HTTP proxy</option>
            <option value="AWS">AWS service / Lambda function</option>
            <option value="AWS_PROXY">Lambda proxy</option>
          </select>
        </Field>
        {type !== 'MOCK' && (
          <>
            <Field label={type === 'AWS_PROXY' || type === 'AWS' ? 'Integration URI (arn:aws:apigateway:…)' : 'Endpoint URL'}><input name="uri" value={uri} onChange={(e) => setUri(e.target.value)} /></Field>
            {type !== 'AWS_PROXY' && (
              <Field label="Integration HTTP method">
                <select name="integrationHttpMethod" value={integrationMethod} onChange={(e) => setIntegrationMethod(e.target.value)}>{VERBS.slice(1).map((v) => <option key={v}>{v}</option>)}</select>
              </Field>
            )}
          </>
        )}
        <Action label="Create method" kind="primary" run={createMethod} testId="create-method" />
      </fieldset>
      <fieldset>
        <legend>Create child resource</legend>
        <label className="check"><input type="checkbox" checked={proxy} onChange={(e) => setProxy(e.target.checked)} /> Configure as proxy resource (<code>{'{proxy+}'}</code>)</label>
        {!proxy && <Field label="Resource path part" hint="A name, or {name} for a path parameter"><input name="pathPart" value={pathPart} onChange={(e) => setPathPart(e.target.value)} /></Field>}
        <Action label="Create resource" kind="primary" testId="create-resource" run={async () => {
          const r = await apigateway().send(new CreateResourceCommand({ restApiId: apiId, parentId: resource.id!, pathPart: proxy ? '{proxy+}' : pathPart }));
          setPathPart('');
          onChange();
          go('apis', apiId, 'resources', r.id!);
        }} />
      </fieldset>
      {resource.path !== '/' && (
        <Action label="Delete resource" kind="danger" testId="delete-resource" run={async () => {
          if (!window.confirm(`Delete ${resource.path} and everything under it?`)) return;
          await apigateway().send(new DeleteResourceCommand({ restApiId: apiId, resourceId: resource.id! }));
          onChange();
          go('apis', apiId, 'resources');
        }} />
      )}
    </div>
  );
}

function ExportView({ apiId }: { apiId: string }): ReactNode {
  const [stage, setStage] = useState('');
  const [exportType, setExportType] = useState('swagger');
  const [accepts, setAccepts] = useState('application/json');
  const [extensions, setExtensions] = useState('integrations');
  const [text, setText] = useState<string | null>(null);
  return (
    <div>
      <h2>Export</h2>
      <Field label="Stage"><input name="exportStage" value={stage} onChange={(e) => setStage(e.target.value)} /></Field>
      <Field label="Format">
        <select name="exportType" value={exportType} onChange={(e) => setExportType(e.target.value)}>
          <option value="swagger">Swagger 2.0</option>
          <option value="oas30">OpenAPI 3.0</option>
        </select>
      </Field>
      <Field label="As">
        <select name="accepts" value={accepts} onChange={(e) => setAccepts(e.target.value)}>
          <option value="application/json">JSON</option>
          <option value="application/yaml">YAML</option>
        </select>
      </Field>
      <Field label="Extensions">
        <select name="extensions" value={extensions} onChange={(e) => setExtensions(e.target.value)}>
          <option value="">None</option>
          <option value="integrations">API Gateway integrations</option>
          <option value="postman">Postman</option>
        </select>
      </Field>
      <Action label="Export" kind="primary" testId="export" run={async () => {
        const out = await apigateway().send(new GetExportCommand({ restApiId: apiId, stageName: stage, exportType, accepts, ...(extensions ? { parameters: { extensions } } : {}) }));
        setText(new TextDecoder().decode(out.body));
      }} />
      {text !== null && (
        <>
          <p><a download={`${apiId}-${stage}-${exportType}.${accepts === 'application/json' ? 'json' : 'yaml'}`} href={URL.createObjectURL(new Blob([text], { type: accepts }))}>Download</a></p>
          <pre className="code" aria-label="Exported definition">{text}</pre>
        </>
      )}
    </div>
  );
}
