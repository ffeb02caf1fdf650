// The API list: create a new API, clone one, import a Swagger/OpenAPI definition, or import the
// guide's example PetStore API; delete.
import { useState, type ReactNode } from 'react';
import { CreateRestApiCommand, DeleteRestApiCommand, GetRestApisCommand, ImportRestApiCommand, type RestApi } from '@aws-sdk/client-api-gateway';
import { apigateway } from '../api.ts';
import { Action, CodeEditor, Field, go, href, Status, useLoad } from '../ui.tsx';
import petstore from '../examples/petstore.json';

async function allApis(): Promise<RestApi[]> {
  const out: RestApi[] = [];
  let position: string | undefined;
  do {
    const page = await apigateway().send(new GetRestApisCommand({ limit: 500, position }));
    out.push(...(page.items ?? []));
    position = page.position;
  } while (position !== undefined);
  return out;
}

export function ApiList(): ReactNode {
  const apis = useLoad(allApis, []);
  const [mode, setMode] = useState<'new' | 'clone' | 'import' | 'example'>('new');
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [cloneFrom, setCloneFrom] = useState('');
  const [definition, setDefinition] = useState('');
  const [failOnWarnings, setFailOnWarnings] = useState(false);

  async function create(): Promise<void> {
    let id: string | undefined;
    if (mode === 'new' || mode === 'clone') {
      const api = await apigateway().send(new CreateRestApiCommand({
        name, ...(description ? { description } : {}), ...(mode === 'clone' ? { cloneFrom } : {}),
      }));
      id = api.id;
    } else {
      const body = mode === 'example' ? JSON.stringify(petstore) : definition;
      const api = await apigateway().send(new ImportRestApiCommand({ body: new TextEncoder().encode(body), failOnWarnings }));
      id = api.id;
    }
    if (id !== undefined) go('apis', id);
  }

  return (
    <section>
      <h1>APIs</h1>
      <Status loading={apis.loading} error={apis.error} />
      {apis.data !== undefined && (
        apis.data.length === 0 ? <p>No APIs yet. Create one below.</p> : (
          <table className="list" aria-label="APIs">
            <thead><tr><th>Name</th><th>ID</th><th>Description</th><th>Created</th><th /></tr></thead>
            <tbody>
              {apis.data.map((a) => (
                <tr key={a.id}>
                  <td><a href={href('apis', a.id!)}>{a.name}</a></td>
                  <td><code>{a.id}</code></td>
                  <td>{a.description ?? ''}</td>
                  <td>{a.createdDate?.toLocaleString() ?? ''}</td>
                  <td><Action label="Delete" kind="danger" testId={`delete-${a.id}`} run={async () => {
                    if (!window.confirm(`Delete the API ${a.name}?`)) return;
                    await apigateway().send(new DeleteRestApiCommand({ restApiId: a.id! }));
                    apis.reload();
                  }} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        )
      )}
      <h2>Create API</h2>
      <div className="tabs" role="radiogroup" aria-label="How to create the API">
        {([['new', 'New API'], ['clone', 'Clone from API'], ['import', 'Import from Swagger or Open API 3'], ['example', 'Example API']] as const).map(([m, label]) => (
          <label key={m}><input type="radio" name="mode" checked={mode === m} onChange={() => setMode(m)} /> {label}</label>
        ))}
      </div>
      {(mode === 'new' || mode === 'clone') && (
        <>
          <Field label="API name"><input name="apiName" value={name} onChange={(e) => setName(e.target.value)} /></Field>
          <Field label="Description"><input name="apiDescription" value={description} onChange={(e) => setDescription(e.target.value)} /></Field>
          {mode === 'clone' && (
            <Field label="Clone from">
              <select name="cloneFrom" aria-label="Clone from" value={cloneFrom} onChange={(e) => setCloneFrom(e.target.value)}>
                <option value="">Choose an API</option>
                {(apis.data ?? []).map((a) => <option key={a.id} value={a.id}>{a.name} ({a.id})</option>)}
              </select>
            </Field>
          )}
        </>
      )}
      {mode === 'import' && (
        <>
          <Field label="Definition (JSON or YAML)" hint="Swagger 2.0 or OpenAPI 3, with x-amazon-apigateway-* extensions">
            <CodeEditor label="Definition" value={definition} onChange={setDefinition} rows={14} />
          </Field>
          <Field label="Or a file">
            <input type="file" accept=".json,.yaml,.yml" onChange={(e) => {
              const f = e.target.files?.[0];
              if (f !== undefined) void f.text().then(setDefinition);
            }} />
          </Field>
          <label className="check"><input type="checkbox" checked={failOnWarnings} onChange={(e) => setFailOnWarnings(e.target.checked)} /> Fail on warnings</label>
        </>
      )}
      {mode === 'example' && <p>Imports the PetStore example API of the developer guide: <code>/pets</code> and <code>/pets/{'{petId}'}</code> with HTTP integrations.</p>}
      <Action label={mode === 'import' || mode === 'example' ? 'Import' : 'Create API'} kind="primary" run={create} testId="create-api" />
    </section>
  );
}
