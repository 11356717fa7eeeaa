// The failover journal's local file (the JournalFile port; README "Failover journal"): one JSON
// line per entry, appended, kept bounded the way log files are rotated: when the file holds
// `maxLines` lines it becomes `<file>.1` (replacing the previous one) and a new file starts, so the
// last maxLines to 2 x maxLines entries are on disk, never more. The first append counts the lines
// already there (a restarted daemon continues the file). Appends are serialised; a failure
// rejects (the journal logs it) and the next append starts over by counting again.
//
// node:fs/promises is loaded at the first append, not with the daemon: it brings Node's file
// watchers and readline (README "A lean daemon"), and most daemons write no entry for days.

import { dirname } from 'node:path';
import type { JournalFile } from '../runtime/ports.js';

/** A line longer than this is not ours; a file bigger than maxLines of them is rotated at once. */
const LINE_MAX_BYTES = 64 * 1024;

export class RotatingJournalFile implements JournalFile {
  private lines: number | undefined;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    readonly path: string,
    private readonly maxLines: number,
  ) {}

  append(line: string): Promise<void> {
    const next = this.chain.then(() => this.write(line));
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async write(line: string): Promise<void> {
    const { appendFile, mkdir, rename } = await import('node:fs/promises');
    try {
      this.lines ??= await this.countLines();
      if (this.lines >= this.maxLines) {
        await rename(this.path, `${this.path}.1`).catch((error: NodeJS.ErrnoException) => {
          if (error.code !== 'ENOENT') throw error;
        });
        this.lines = 0;
      }
      await mkdir(dirname(this.path), { recursive: true, mode: 0o750 });
      await appendFile(this.path, `${line.replace(/[\r\n]/g, ' ')}\n`, { mode: 0o640 });
      this.lines++;
    } catch (error) {
      this.lines = undefined;
      throw error;
    }
  }

  private async countLines(): Promise<number> {
    const { readFile, stat } = await import('node:fs/promises');
    let size: number;
    try {
      size = (await stat(this.path)).size;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw error;
    }
    if (size > this.maxLines * LINE_MAX_BYTES) return this.maxLines;
    const text = await readFile(this.path, 'utf8');
    let count = 0;
    for (let index = text.indexOf('\n'); index !== -1; index = text.indexOf('\n', index + 1)) count++;
    return count;
  }
}
