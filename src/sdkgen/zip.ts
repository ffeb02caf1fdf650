// Zips an SDK's files so the same files always give the same bytes: entries in the order given,
// each stamped with one fixed time. fflate writes the DOS time from a Date's local fields, so the
// Date is built from local fields too: the bytes do not depend on the machine's time zone.
import { strToU8, zipSync, type Zippable } from 'fflate';

const FIXED_TIME = new Date(1980, 0, 1, 0, 0, 0);

export function deterministicZip(files: ReadonlyMap<string, string>): Uint8Array {
  const entries: Zippable = {};
  for (const [path, text] of files) entries[path] = [strToU8(text), { mtime: FIXED_TIME }];
  return zipSync(entries, { level: 9, mtime: FIXED_TIME });
}
