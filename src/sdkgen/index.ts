// Client SDK generators (GetSdk): a stage's deployment snapshot in, a zip out. The output
// depends only on the snapshot and the target (API, stage, region, URL), never on the clock, so
// the same deployment always gives the same bytes.
import type { ApiSnapshot } from '../deploy/snapshot.ts';
import { javascriptSdkFiles } from './javascript.ts';
import { sdkOperations } from './operations.ts';
import type { SdkTarget } from './target.ts';
import { typescriptSdkFiles } from './typescript.ts';
import { deterministicZip } from './zip.ts';

export type { SdkTarget } from './target.ts';
export { methodName } from './naming.ts';
export { sdkOperations, type SdkOperation } from './operations.ts';

/** The SDK types Gatehouse generates. */
export const GENERATED_SDK_TYPES = ['javascript', 'typescript'] as const;
export type GeneratedSdkType = (typeof GENERATED_SDK_TYPES)[number];

export const isGeneratedSdkType = (t: string): t is GeneratedSdkType => (GENERATED_SDK_TYPES as readonly string[]).includes(t);

/** The SDK's files, by path inside the zip. */
export function sdkFiles(type: GeneratedSdkType, snapshot: ApiSnapshot, target: SdkTarget): Map<string, string> {
  const operations = sdkOperations(snapshot);
  switch (type) {
    case 'javascript':
      return javascriptSdkFiles(target, operations, snapshot.models);
    case 'typescript':
      return typescriptSdkFiles(target, operations, snapshot.models);
  }
}

export function generateSdk(type: GeneratedSdkType, snapshot: ApiSnapshot, target: SdkTarget): Uint8Array {
  return deterministicZip(sdkFiles(type, snapshot, target));
}
