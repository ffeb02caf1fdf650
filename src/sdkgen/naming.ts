// Names in generated SDKs, as API Gateway's generated JavaScript SDKs spell them (read from
// SDKs that AWS generated and people committed): each path segment camel-cased with its braces
// and a greedy '+' dropped, words split at '-' (and any other character an identifier cannot
// hold), then the verb capitalised:
//   /                      GET      → rootGet
//   /pets/{petId}          GET      → petsPetIdGet
//   /user-proxy/{proxy+}   OPTIONS  → userProxyProxyOptions
//   /auth-svc/health       GET      → authSvcHealthGet

/** Splits text into the words of an identifier: runs of letters and digits. */
function words(text: string): string[] {
  return text.split(/[^A-Za-z0-9]+/).filter((w) => w !== '');
}

const capitalise = (w: string): string => w.charAt(0).toUpperCase() + w.slice(1);

/** The method's name in the SDK: `petsPetIdGet`. */
export function methodName(path: string, httpMethod: string): string {
  const verb = capitalise(httpMethod.toLowerCase());
  const parts = path.split('/').flatMap(words);
  if (parts.length === 0) return `root${verb}`;
  const name = parts.map(capitalise).join('') + verb;
  const lowered = name.charAt(0).toLowerCase() + name.slice(1);
  // A path that starts with a digit (/2024/...) would not be an identifier.
  return /^[0-9]/.test(lowered) ? `_${lowered}` : lowered;
}

/** A model's type name in the TypeScript SDK: `Pet`, `PetList`, `Error_` for reserved words. */
export function typeName(modelName: string): string {
  const name = words(modelName).map(capitalise).join('');
  if (name === '') return 'Model';
  if (/^[0-9]/.test(name)) return `M${name}`;
  return RESERVED_TYPE_NAMES.has(name) ? `${name}_` : name;
}

/** Names the TypeScript SDK itself declares, or that would shadow a global type it uses. */
const RESERVED_TYPE_NAMES = new Set([
  'Error', 'Object', 'String', 'Number', 'Boolean', 'Array', 'Promise', 'Record', 'Date', 'Response', 'Request', 'Headers',
  'ApiResponse', 'ApiError', 'ClientConfig', 'AdditionalParams', 'ApiClient', 'QueryValue', 'OperationSpec', 'Params', 'Transport',
  'URL', 'TextEncoder', 'ArrayBuffer', 'Uint8Array', 'Any', 'Unknown',
]);

/**
 * Gives each operation a distinct name: two paths can make one name (/a-b and /aB both give
 * aBGet); the later ones, in the order given, get 2, 3, ... appended.
 */
export function uniqueNames<T>(items: readonly T[], nameOf: (item: T) => string): string[] {
  const seen = new Map<string, number>();
  return items.map((item) => {
    const base = nameOf(item);
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return n === 1 ? base : `${base}${n}`;
  });
}
