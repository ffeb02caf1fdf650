// The parse worker's entry: one definition in, its document (or why it is not one) out.
import { parentPort, workerData } from 'node:worker_threads';
import { DefinitionParseError, parseDefinitionText } from './parse-text.ts';

export type ParseReply = { document: Record<string, unknown> } | { unreadable: string } | { failed: string };

let reply: ParseReply;
try {
  reply = { document: parseDefinitionText((workerData as { text: string }).text) };
} catch (err) {
  reply = err instanceof DefinitionParseError ? { unreadable: err.message } : { failed: String((err as Error).stack ?? err) };
}
parentPort!.postMessage(reply);
