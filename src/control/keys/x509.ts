// Loads @peculiar/x509 on first use. The library resolves its crypto providers through
// tsyringe, which refuses to load unless the Reflect metadata API exists: `reflect-metadata`
// (the reference implementation of that proposal) provides it.

let loaded: Promise<typeof import('@peculiar/x509')> | undefined;

export function loadX509(): Promise<typeof import('@peculiar/x509')> {
  return (loaded ??= import('reflect-metadata').then(() => import('@peculiar/x509')));
}
