// Large definitions are parsed in a worker thread: the YAML parser takes seconds on a few
// megabytes, and on the event loop those seconds would stall every other client. Each parse gets
// its own worker with a heap limit and a deadline, so a definition that costs too much ends that
// worker, not the gateway; at most PARSE_WORKERS run at once and the rest wait their turn.
import { Worker, type ResourceLimits } from 'node:worker_threads';
import { DefinitionParseError } from './parse-text.ts';
import type { ParseReply } from './parse-worker.ts';

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

let running = 0;
const waiting: (() => void)[] = [];

async function turn(): Promise<() => void> {
  if (running >= PARSE_WORKERS) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  return () => {
    running--;
    waiting.shift()?.();
  };
}

export async function parseInWorker(text: string): Promise<Record<string, unknown>> {
  const done = await turn();
  try {
    return await runWorker(text);
  } finally {
    done();
  }
}

function runWorker(text: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const worker = startWorker(text, { maxOldGenerationSizeMb: PARSE_HEAP_MB, maxYoungGenerationSizeMb: 32, stackSizeMb: 4 });
    let settled = false;
    const settle = (f: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      f();
    };
    const timer = setTimeout(() => {
      settle(() => reject(new DefinitionParseError(`reading the definition took longer than ${PARSE_DEADLINE_MS} ms`)));
      void worker.terminate();
    }, PARSE_DEADLINE_MS);
    worker.once('message', (reply: ParseReply) => {
      settle(() => {
        if ('document' in reply) resolve(reply.document);
        else if ('unreadable' in reply) reject(new DefinitionParseError(reply.unreadable));
        else reject(new Error(`definition parser failed: ${reply.failed}`));
      });
    });
    worker.once('error', (err: Error & { code?: string }) => {
      // ERR_WORKER_OUT_OF_MEMORY: the definition needed more than PARSE_HEAP_MB to read.
      settle(() => reject(err.code === 'ERR_WORKER_OUT_OF_MEMORY' ? new DefinitionParseError(`reading the definition needed more than ${PARSE_HEAP_MB} MB`) : err));
    });
    worker.once('exit', (code) => {
      settle(() => reject(new Error(`definition parser exited with code ${code} before answering`)));
    });
  });
}
