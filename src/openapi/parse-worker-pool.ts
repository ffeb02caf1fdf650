// Large definitions are parsed in a worker thread: the YAML parser takes seconds on a few
// megabytes, and on the event loop those seconds would stall every other client. Each parse gets
// its own worker with a heap limit and a deadline, so a definition that costs too much ends that
// worker, not the gateway; at most PARSE_WORKERS run at once and the rest wait their turn.
import { Worker, type ResourceLimits } from 'node:worker_threads';
import { DefinitionParseError } from './parse-text.ts';
import type { ParseReply } from './parse-worker.ts';
import { Turns, workerJob } from '../worker-job.ts';

/** Parses at once; more would only share the same two cores and multiply the memory. */
export const PARSE_WORKERS = 2;
/** Heap for one parse: a real 6 MB YAML definition needs about a third of it. */
export const PARSE_HEAP_MB = 512;
/** A parse still running after this long is ended (generous: a real 6 MB YAML took 8 s on a busy two-core machine, and the event loop is free meanwhile). */
export const PARSE_DEADLINE_MS = 60_000;

// Built, the worker is parse-worker.js beside this file. Run from source (tests, development under
// tsx) it is TypeScript, and a worker does not inherit tsx's loader: a two-line bootstrap
// registers it first.
const FROM_SOURCE = import.meta.url.endsWith('.ts');
const ENTRY = new URL(FROM_SOURCE ? './parse-worker.ts' : './parse-worker.js', import.meta.url);
const BOOTSTRAP = `const { workerData } = require('node:worker_threads');
import(workerData.loader).then((tsx) => { tsx.register(); return import(workerData.entry); });`;

function startWorker(text: string, resourceLimits: ResourceLimits): Worker {
  if (!FROM_SOURCE) return new Worker(ENTRY, { workerData: { text }, resourceLimits });
  const loader = import.meta.resolve('tsx/esm/api');
  return new Worker(BOOTSTRAP, { eval: true, workerData: { text, loader, entry: ENTRY.href }, resourceLimits });
}

const turns = new Turns(PARSE_WORKERS);

export async function parseInWorker(text: string): Promise<Record<string, unknown>> {
  const done = await turns.take();
  try {
    const reply = await workerJob<ParseReply>(startWorker(text, { maxOldGenerationSizeMb: PARSE_HEAP_MB, maxYoungGenerationSizeMb: 32, stackSizeMb: 4 }), {
      deadlineMs: PARSE_DEADLINE_MS,
      timedOut: () => new DefinitionParseError(`reading the definition took longer than ${PARSE_DEADLINE_MS} ms`),
      outOfMemory: () => new DefinitionParseError(`reading the definition needed more than ${PARSE_HEAP_MB} MB`),
      name: 'definition parser',
    });
    if ('document' in reply) return reply.document;
    if ('unreadable' in reply) throw new DefinitionParseError(reply.unreadable);
    throw new Error(`definition parser failed: ${reply.failed}`);
  } finally {
    done();
  }
}
