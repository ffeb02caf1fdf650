// Loads a dependency on first use. Modules that only some requests need (YAML for import and
// export, JSON Schema for models, zip for Lambda uploads, SigV4 for an external Lambda endpoint,
// the HTTP client for HTTP integrations) then cost nothing at start-up: together they were
// about half of Gatehouse's time to its first answer.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export function lazy<T>(id: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= require(id) as T);
}
