// Goal: the failover journal's local file stays bounded like a rotated log: one line per entry,
// at most maxLines per file, then the file becomes <file>.1 (the previous .1 is replaced); a
// restarted daemon continues counting the lines already there; its directory is created; a line
// break inside an entry cannot split it. The default path is in the daemon's state or log
// directory (systemd's STATE_DIRECTORY, LOGS_DIRECTORY, Hadoop's HADOOP_LOG_DIR), or none.
// Method: a temporary directory on the real file system.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { journalFilePath } from '../../../src/daemon/failover-journal.js';
import { RotatingJournalFile } from '../../../src/observability/journal-file.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'journal-file-'));
  dirs.push(dir);
  return dir;
}

const lines = (path: string) =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line !== '');

describe('the local journal file', () => {
  it('keeps at most maxLines per file and one previous file', async () => {
    const path = join(tempDir(), 'state', 'failover-journal-ns1.nn1.jsonl');
    const file = new RotatingJournalFile(path, 3);
    for (let i = 1; i <= 7; i++) await file.append(`{"n":${i}}`);
    expect(lines(path)).toEqual(['{"n":7}']);
    expect(lines(`${path}.1`)).toEqual(['{"n":4}', '{"n":5}', '{"n":6}']);
  });

  it('a restarted daemon counts the lines already there; a line break cannot split an entry', async () => {
    const path = join(tempDir(), 'journal.jsonl');
    writeFileSync(path, '{"n":1}\n{"n":2}\n');
    const file = new RotatingJournalFile(path, 3);
    await file.append('{"n":3,\n"x":"a\rb"}');
    expect(lines(path)).toEqual(['{"n":1}', '{"n":2}', '{"n":3, "x":"a b"}']);
    await file.append('{"n":4}');
    expect(lines(path)).toEqual(['{"n":4}']);
  });

  it('an append that fails rejects, and the next one starts over', async () => {
    const dir = tempDir();
    const blocker = join(dir, 'not-a-dir');
    writeFileSync(blocker, '');
    const file = new RotatingJournalFile(join(blocker, 'journal.jsonl'), 3);
    await expect(file.append('{}')).rejects.toThrow();
    await expect(file.append('{}')).rejects.toThrow();
  });

  it('the default path: the state directory, else the log directories, else none', () => {
    expect(journalFilePath('/srv/j.jsonl', { STATE_DIRECTORY: '/var/lib/zkfc' }, 'ns1', 'nn1')).toBe('/srv/j.jsonl');
    expect(journalFilePath(null, { STATE_DIRECTORY: '/var/lib/zkfc:/var/lib/other' }, 'ns1', 'nn1')).toBe(
      '/var/lib/zkfc/failover-journal-ns1.nn1.jsonl',
    );
    expect(journalFilePath(null, { LOGS_DIRECTORY: '/var/log/zkfc', HADOOP_LOG_DIR: '/x' }, 'ns1', 'nn1')).toBe(
      '/var/log/zkfc/failover-journal-ns1.nn1.jsonl',
    );
    expect(journalFilePath(null, { HADOOP_LOG_DIR: '/opt/hadoop/logs' }, 'ns/1', 'nn 1')).toBe(
      '/opt/hadoop/logs/failover-journal-ns_1.nn_1.jsonl',
    );
    expect(journalFilePath(null, {}, 'ns1', 'nn1')).toBeNull();
  });
});
