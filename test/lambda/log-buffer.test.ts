// One invocation's log held under its ceiling: lines are kept whole while they fit, the rest is
// counted and its last bytes kept, whether the lines are ASCII or many bytes a character.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LogBuffer } from '../../src/lambda/log-buffer.ts';

describe('LogBuffer', () => {
  it('keeps every line while they fit, though three bytes a character would not have', () => {
    const log = new LogBuffer(100);
    log.push('a'.repeat(30));
    log.push('b'.repeat(40));
    log.push('c'.repeat(30));
    assert.equal(log.text(), 'a'.repeat(30) + 'b'.repeat(40) + 'c'.repeat(30));
  });

  it('cuts at the ceiling in bytes and says how much was left out', () => {
    const log = new LogBuffer(100);
    log.push('a'.repeat(30));
    log.push('b'.repeat(100));
    const text = log.text();
    assert.ok(text.startsWith('a'.repeat(30) + 'b'.repeat(70) + '\n[Gatehouse: log output over 100 bytes for this invocation; 0 bytes omitted]\n'), text);
    assert.ok(text.endsWith('b'.repeat(30)));
  });

  it('counts characters of three bytes as three bytes', () => {
    const log = new LogBuffer(100);
    log.push('€'.repeat(20)); // 60 bytes
    log.push('€'.repeat(20)); // 60 more: 13 fit (39 bytes), the 14th is cut
    const text = log.text();
    const kept = text.slice(0, text.indexOf('\n[Gatehouse'));
    assert.ok(Buffer.byteLength(kept) <= 100, `kept ${Buffer.byteLength(kept)} bytes`);
    assert.ok(kept.startsWith('€'.repeat(33)), kept);
    assert.match(text, /log output over 100 bytes for this invocation/);
  });
});
