// Small pieces every view uses: the hash router, data loading with progress and AWS's errors,
// buttons that show their operation running, and form fields with labels.
import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { describeError } from './api.ts';

/** The route is the URL's hash (#/apis/abc/resources/def), so every place has a deep link. */
export function useRoute(): string[] {
  const read = (): string[] => window.location.hash.replace(/^#\/?/, '').split('/').filter((s) => s !== '').map(decodeURIComponent);
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const on = (): void => setRoute(read());
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return route;
}

export function href(...segments: string[]): string {
  return '#/' + segments.map(encodeURIComponent).join('/');
}

export function go(...segments: string[]): void {
  window.location.hash = href(...segments);
}

export interface Loaded<T> {
  data: T | undefined;
  error: string | null;
  loading: boolean;
  reload(): void;
}

/** Runs `load` now and whenever `deps` change or reload() is called. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data: T | undefined; error: string | null; loading: boolean }>({ data: undefined, error: null, loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => live && setState({ data, error: null, loading: false }),
      (err: unknown) => live && setState({ data: undefined, error: describeError(err), loading: false }),
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}

export function Status({ loading, error }: { loading?: boolean; error?: string | null }): ReactNode {
  if (error) return <div className="error" role="alert">{error}</div>;
  if (loading) return <div className="progress" role="status">Loading…</div>;
  return null;
}

/** A button running an operation: disabled with a "…" while it runs, AWS's message under it if it fails. */
export function Action({ label, run, kind, disabled, testId }: { label: string; run: () => Promise<unknown>; kind?: 'primary' | 'danger'; disabled?: boolean; testId?: string }): ReactNode {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <span className="action">
      <button
        type="button"
        className={kind ?? ''}
        disabled={busy || disabled}
        data-testid={testId}
        onClick={() => {
          setBusy(true);
          setError(null);
          run().then(() => setBusy(false), (err: unknown) => {
            setBusy(false);
            setError(describeError(err));
          });
        }}
      >
        {busy ? `${label}…` : label}
      </button>
      {error !== null && <span className="error" role="alert">{error}</span>}
    </span>
  );
}

export function Field({ label, children, hint }: { label: string; children: ReactNode; hint?: string }): ReactNode {
  return (
    <label className="field">
      <span className="label">{label}</span>
      {children}
      {hint !== undefined && <span className="hint">{hint}</span>}
    </label>
  );
}

/** A code editor for mapping templates and JSON: monospace, Tab inserts two spaces instead of leaving the field. */
export function CodeEditor({ value, onChange, label, rows }: { value: string; onChange: (v: string) => void; label: string; rows?: number }): ReactNode {
  return (
    <textarea
      className="code"
      aria-label={label}
      spellCheck={false}
      rows={rows ?? 8}
      value={value}
      onChange={(e) => onChange(e.target.value)}
      onKeyDown={(e) => {
        if (e.key !== 'Tab' || e.shiftKey) return;
        e.preventDefault();
        const t = e.currentTarget;
        const { selectionStart: s, selectionEnd: end } = t;
        const next = `${t.value.slice(0, s)}  ${t.value.slice(end)}`;
        onChange(next);
        requestAnimationFrame(() => t.setSelectionRange(s + 2, s + 2));
      }}
    />
  );
}

/** key=value lines to a map and back (stage variables, headers of a test call). */
export function parsePairs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    out[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return out;
}

export function formatPairs(m: Record<string, string> | undefined): string {
  return Object.entries(m ?? {}).map(([k, v]) => `${k}=${v}`).join('\n');
}
