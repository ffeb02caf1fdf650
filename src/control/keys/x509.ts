// Loads @peculiar/x509 on first use. The library resolves its crypto providers through
// tsyringe, which refuses to load unless the Reflect metadata API (the `reflect-metadata`
// proposal) exists. Rather than add a dependency for it, a minimal implementation is installed
// when none is present: x509 only stores and reads metadata, it never relies on TypeScript's
// emitted design types.

type Store = Map<string | symbol | undefined, Map<unknown, unknown>>;
type ReflectWithMetadata = typeof Reflect & {
  getMetadata?: (key: unknown, target: object, prop?: string | symbol) => unknown;
};

function installReflectMetadata(): void {
  const R = Reflect as ReflectWithMetadata & Record<string, unknown>;
  if (typeof R.getMetadata === 'function') return;
  const stores = new WeakMap<object, Store>();
  const own = (target: object, prop: string | symbol | undefined, create: boolean) => {
    let s = stores.get(target);
    if (s === undefined) {
      if (!create) return undefined;
      stores.set(target, (s = new Map()));
    }
    let m = s.get(prop);
    if (m === undefined && create) s.set(prop, (m = new Map()));
    return m;
  };
  const defineMetadata = (key: unknown, value: unknown, target: object, prop?: string | symbol) => {
    own(target, prop, true)!.set(key, value);
  };
  const getOwnMetadata = (key: unknown, target: object, prop?: string | symbol) => own(target, prop, false)?.get(key);
  const hasOwnMetadata = (key: unknown, target: object, prop?: string | symbol) => own(target, prop, false)?.has(key) ?? false;
  const hasMetadata = (key: unknown, target: object, prop?: string | symbol): boolean => {
    for (let t: object | null = target; t !== null; t = Object.getPrototypeOf(t)) if (hasOwnMetadata(key, t, prop)) return true;
    return false;
  };
  const getMetadata = (key: unknown, target: object, prop?: string | symbol): unknown => {
    for (let t: object | null = target; t !== null; t = Object.getPrototypeOf(t)) if (hasOwnMetadata(key, t, prop)) return getOwnMetadata(key, t, prop);
    return undefined;
  };
  const metadata = (key: unknown, value: unknown) => (target: object, prop?: string | symbol) => defineMetadata(key, value, target, prop);
  Object.assign(R, { defineMetadata, getOwnMetadata, hasOwnMetadata, hasMetadata, getMetadata, metadata });
}

let loaded: Promise<typeof import('@peculiar/x509')> | undefined;

export function loadX509(): Promise<typeof import('@peculiar/x509')> {
  installReflectMetadata();
  return (loaded ??= import('@peculiar/x509'));
}
