// Log files on a real disk: one event per line and back (line breaks included), log group names to
// paths and back, rotation at the size bound keeping `keep` files, two writers (as two processes
// of --workers) on one file across a rotation, and lines dropped and counted, never waited for,
// when more is queued than the bound.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { decodeEvent, encodeEvent, FileLogWriter, LogFiles, logFilePath, logGroupOf } from '../../src/observe/log-files.ts';
import { gatewayMetrics } from '../../src/observe/metrics.ts';
import { tempDataDir } from '../helpers/server.ts';
import { parsePrometheus, sample } from './helpers.ts';

function lines(path: string): string[] {
  return existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter(Boolean) : [];
}

describe('events and names', () => {
  test('an event is one line, whatever its message holds', () => {
    const t = Date.UTC(2026, 0, 2, 3, 4, 5, 678);
    for (const message of ['plain', '', 'two\nlines', 'a\\nb literally', 'crlf\r\nend', 'tab\tinside', '\\']) {
      const line = encodeEvent(t, message);
      assert.equal(line.indexOf('\n'), line.length - 1, JSON.stringify(message));
      assert.deepEqual(decodeEvent(line.slice(0, -1)), { timestamp: t, message });
    }
    assert.equal(encodeEvent(t, 'plain'), '2026-01-02T03:04:05.678Z plain\n');
    assert.equal(decodeEvent('2026-01-02T03:04'), null);
    assert.equal(decodeEvent('not an event at all, not at all'), null);
  });

  test('log group names map to paths under logs/ and back', () => {
    const dir = '/data/logs';
    const cases: [string, string][] = [
      ['my-access-logs', '/data/logs/my-access-logs.log'],
      ['API-Gateway-Execution-Logs_abc123/prod', '/data/logs/API-Gateway-Execution-Logs_abc123/prod.log'],
      ['/aws/apigateway/welcome', '/data/logs/%2Faws%2Fapigateway%2Fwelcome.log'],
      ['a//b', '/data/logs/a%2F%2Fb.log'],
      ['../escape', '/data/logs/..%2Fescape.log'],
      ['x/..', '/data/logs/x%2F...log'],
      ['with#hash.v1', '/data/logs/with#hash.v1.log'],
    ];
    for (const [group, path] of cases) {
      assert.equal(logFilePath(dir, group), path, group);
      assert.equal(logGroupOf(dir, path), group, path);
    }
    assert.equal(logGroupOf(dir, '/data/logs/g.log.1'), null);
  });
});

describe('writing', () => {
  test('rotation at the size bound keeps the newest files, nothing lost in between', async () => {
    const path = join(tempDataDir(), 'rotate.log');
    const w = new FileLogWriter(path, { maxFileBytes: 1000, keep: 2, maxPendingBytes: 1 << 20 });
    for (let i = 0; i < 100; i++) {
      w.write(Date.now(), `line ${String(i).padStart(3, '0')} ${'x'.repeat(60)}`);
      if (i % 5 === 4) await w.flush();
    }
    await w.close();
    assert.ok(existsSync(path) && existsSync(`${path}.1`) && existsSync(`${path}.2`));
    assert.ok(!existsSync(`${path}.3`), 'no more than keep rotated files');
    // A batch (5 lines here, about 480 bytes) that would not fit starts the next file.
    for (const f of [`${path}.1`, `${path}.2`]) assert.ok(statSync(f).size > 500 && statSync(f).size <= 1000, `${f} was rotated at the bound`);
    const kept = [...lines(`${path}.2`), ...lines(`${path}.1`), ...lines(path)].map((l) => Number(/line (\d+)/.exec(decodeEvent(l)!.message)![1]));
    // The newest lines, in order, with no gap: the oldest files were the ones dropped.
    assert.equal(kept.at(-1), 99);
    assert.deepEqual(kept, Array.from({ length: kept.length }, (_, i) => 100 - kept.length + i));
  });

  test('two writers of one file (two processes): both append, a rotation by one is followed by the other', async () => {
    const path = join(tempDataDir(), 'shared.log');
    const limits = { maxFileBytes: 2000, keep: 50, maxPendingBytes: 1 << 20 };
    const a = new FileLogWriter(path, limits);
    const b = new FileLogWriter(path, limits);
    for (let i = 0; i < 100; i++) {
      (i % 2 === 0 ? a : b).write(Date.now(), `${i % 2 === 0 ? 'A' : 'B'} ${i} ${'y'.repeat(50)}`);
      if (i % 7 === 6) await Promise.all([a.flush(), b.flush()]);
    }
    await Promise.all([a.close(), b.close()]);
    const files = readdirSync(join(path, '..')).filter((f) => f.startsWith('shared.log'));
    assert.ok(files.length > 2, `rotated: ${files.join(' ')}`);
    const all = files.flatMap((f) => lines(join(path, '..', f))).map((l) => decodeEvent(l)!.message);
    assert.equal(all.length, 100, 'every line of both writers is in one of the files');
    assert.equal(new Set(all).size, 100);
  });

  test('more queued than the bound: new lines are dropped and counted at once, the rest written', async () => {
    const dataDir = tempDataDir();
    const files = new LogFiles(dataDir, { maxFileBytes: 1 << 20, keep: 1, maxPendingBytes: 2000 });
    const w = files.writer('slow-disk');
    // All in one turn: nothing can be written before the queue is full.
    for (let i = 0; i < 100; i++) w.write(Date.now(), `event ${i} ${'z'.repeat(40)}`);
    assert.ok(w.dropped > 0);
    await files.flush();
    const written = lines(logFilePath(join(dataDir, 'logs'), 'slow-disk')).length;
    assert.equal(written + w.dropped, 100);
    const scraped = parsePrometheus(await gatewayMetrics().text());
    assert.equal(sample(scraped, 'gatehouse_log_lines_dropped_total', { log: 'slow-disk' }), w.dropped);
    await files.close();
  });
});
