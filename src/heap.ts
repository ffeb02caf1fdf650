// V8's young generation and the memory limit Node sees.
//
// V8 sizes its young generation (the semi-spaces where every request's short-lived objects are
// allocated) from the heap it may grow to, and Node derives that heap from the memory cgroup the
// process runs in. On an ordinary host a semi-space may grow to 16 MB; in a container with a
// 1 GB limit to 4 MB, with 512 MB or less to 1 MB. A gateway allocates 13–37 KB a request, so
// with 1 MB semi-spaces it scavenges every few dozen requests and promotes what requests in flight
// still hold. Measured (a memory cgroup of 512 MB, wrk -c50): 17 times the scavenges, MOCK 31 →
// 52 µs of CPU a request, HTTP 99–115 → 139–187 µs; with --max-semi-space-size=16 the figures of
// an unconstrained host again. Lambda workers get their own sizes (src/lambda/service.ts).
import { getHeapStatistics } from 'node:v8';

/** The semi-space size V8 gives a 64-bit process with memory to spare. */
export const SEMI_SPACE_MB = 16;
const FLAG = /(^|\s)--max[-_]semi[-_]space[-_]size\b/;
// V8 grants SEMI_SPACE_MB only when the old generation may grow to at least 2 GB; the heap limit
// adds three semi-spaces (two, and the new large-object space) to it.
const FULL_YOUNG_HEAP_LIMIT = (2048 + 3 * SEMI_SPACE_MB) * 1048576;

/** The young generation's size was chosen by whoever started Node (a flag or NODE_OPTIONS). */
export function semiSpaceChosen(execArgv: readonly string[] = process.execArgv, nodeOptions = process.env['NODE_OPTIONS'] ?? ''): boolean {
  return execArgv.some((a) => FLAG.test(a)) || FLAG.test(nodeOptions);
}

/** Node's arguments for a process of ours (the --workers processes): the full young generation unless one was chosen. */
export function withFullYoungGeneration(execArgv: readonly string[] = process.execArgv, nodeOptions = process.env['NODE_OPTIONS'] ?? ''): string[] {
  return semiSpaceChosen(execArgv, nodeOptions) ? [...execArgv] : [...execArgv, `--max-semi-space-size=${SEMI_SPACE_MB}`];
}

/**
 * What to tell the operator when this process's young generation is smaller than a host with
 * memory to spare would give it (a container's memory limit, or a small --max-old-space-size),
 * and no one chose its size; undefined otherwise.
 */
export function youngGenerationAdvice(heapSizeLimit = getHeapStatistics().heap_size_limit, chosen = semiSpaceChosen()): string | undefined {
  if (chosen || heapSizeLimit >= FULL_YOUNG_HEAP_LIMIT) return undefined;
  return `V8's young generation is smaller than its default here (a heap limit of ${Math.round(heapSizeLimit / 1048576)} MB, from the memory limit Node sees): `
    + `requests cost up to 1.7 times the CPU in garbage collection. Start the gateway with node --max-semi-space-size=${SEMI_SPACE_MB} `
    + `(npm start does; --workers gives its workers that size) or NODE_OPTIONS=--max-semi-space-size=${SEMI_SPACE_MB}.`;
}
