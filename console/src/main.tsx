// The Gatehouse console: a single page served by the gateway at /_gatehouse/console/, driving the
// public management API exactly as the AWS CLI does.
import { StrictMode, useState, type ReactNode } from 'react';
import { createRoot } from 'react-dom/client';
import { GetRestApisCommand } from '@aws-sdk/client-api-gateway';
import { apigateway, describeError, loadCredentials, saveCredentials, type Credentials } from './api.ts';
import { Field, href, useRoute } from './ui.tsx';
import { ApiList } from './views/apis.tsx';
import { ApiView } from './views/api.tsx';
import { KeysView, UsagePlansView } from './views/keys.tsx';
import { ClientCertificatesView, DomainNamesView, FunctionsView } from './views/more.tsx';

function SignIn({ onSignedIn }: { onSignedIn: () => void }): ReactNode {
  const [form, setForm] = useState<Credentials>({ accessKeyId: '', secretAccessKey: '', sessionToken: '', region: 'us-east-1' });
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (k: keyof Credentials) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value });
  return (
    <main className="signin">
      <h1>Gatehouse console</h1>
      <p>The console calls this gateway's management API with your credentials, signed as the AWS CLI signs them. They stay in this browser tab only.</p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          setBusy(true);
          setError(null);
          saveCredentials({ ...form, sessionToken: form.sessionToken || undefined });
          // A first call proves the credentials (in --auth enforce mode a wrong key is refused here).
          apigateway().send(new GetRestApisCommand({ limit: 1 })).then(() => {
            setBusy(false);
            onSignedIn();
          }, (err: unknown) => {
            saveCredentials(null);
            setBusy(false);
            setError(describeError(err));
          });
        }}
      >
        <Field label="Access key ID"><input name="accessKeyId" autoComplete="username" required value={form.accessKeyId} onChange={set('accessKeyId')} /></Field>
        <Field label="Secret access key"><input name="secretAccessKey" type="password" autoComplete="current-password" required value={form.secretAccessKey} onChange={set('secretAccessKey')} /></Field>
        <Field label="Session token" hint="Only for temporary credentials"><input name="sessionToken" value={form.sessionToken ?? ''} onChange={set('sessionToken')} /></Field>
        <Field label="Region"><input name="region" required value={form.region} onChange={set('region')} /></Field>
        <button type="submit" className="primary" disabled={busy}>{busy ? 'Signing in…' : 'Sign in'}</button>
        {error !== null && <div className="error" role="alert">{error}</div>}
      </form>
    </main>
  );
}

function App(): ReactNode {
  const [signedIn, setSignedIn] = useState(() => loadCredentials() !== null);
  const route = useRoute();
  if (!signedIn) return <SignIn onSignedIn={() => setSignedIn(true)} />;
  const creds = loadCredentials()!;
  let view: ReactNode;
  if (route[0] === 'apis' && route[1] !== undefined) view = <ApiView apiId={route[1]} route={route.slice(2)} />;
  else if (route[0] === 'keys') view = <KeysView />;
  else if (route[0] === 'usage-plans') view = <UsagePlansView planId={route[1]} />;
  else if (route[0] === 'domain-names') view = <DomainNamesView />;
  else if (route[0] === 'client-certificates') view = <ClientCertificatesView />;
  else if (route[0] === 'functions') view = <FunctionsView />;
  else view = <ApiList />;
  return (
    <>
      <header className="top">
        <a className="brand" href={href('apis')}>Gatehouse</a>
        <nav aria-label="Sections">
          <a href={href('apis')} aria-current={route[0] === 'apis' || route.length === 0 ? 'page' : undefined}>APIs</a>
          <a href={href('keys')} aria-current={route[0] === 'keys' ? 'page' : undefined}>API Keys</a>
          <a href={href('usage-plans')} aria-current={route[0] === 'usage-plans' ? 'page' : undefined}>Usage Plans</a>
          <a href={href('domain-names')} aria-current={route[0] === 'domain-names' ? 'page' : undefined}>Custom Domain Names</a>
          <a href={href('client-certificates')} aria-current={route[0] === 'client-certificates' ? 'page' : undefined}>Client Certificates</a>
          <a href={href('functions')} aria-current={route[0] === 'functions' ? 'page' : undefined}>Lambda</a>
        </nav>
        <span className="who">{creds.accessKeyId} · {creds.region}</span>
        <button type="button" onClick={() => { saveCredentials(null); setSignedIn(false); }}>Sign out</button>
      </header>
      <main>{view}</main>
    </>
  );
}

createRoot(document.getElementById('root')!).render(<StrictMode><App /></StrictMode>);
