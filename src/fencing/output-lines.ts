// Splits a child's (or a remote command's) output stream into lines for the log, with bounds:
// a line longer than maxLineChars is cut, and after maxLines lines the rest is counted, not
// logged. Parity: Hadoop's StreamPumper logs every line of a fencing command's stdout/stderr;
// we keep that, but a runaway script cannot flood the log or grow memory without limit.

import { StringDecoder } from 'node:string_decoder';

export interface OutputLineLimits {
  readonly maxLineChars: number;
  readonly maxLines: number;
}

export const DEFAULT_OUTPUT_LIMITS: OutputLineLimits = { maxLineChars: 4096, maxLines: 500 };

export class OutputLineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private partial = '';
  private emitted = 0;
  private dropped = 0;

  constructor(
    private readonly limits: OutputLineLimits,
    private readonly onLine: (line: string) => void,
  ) {}

  /** Lines that were not passed on because maxLines was reached. */
  get droppedLines(): number {
    return this.dropped;
  }

  push(chunk: Buffer | string): void {
    const text = typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    let start = 0;
    for (let newline = text.indexOf('\n', start); newline !== -1; newline = text.indexOf('\n', start)) {
      this.appendPartial(text.slice(start, newline));
      this.flushLine();
      start = newline + 1;
    }
    this.appendPartial(text.slice(start));
  }

  /** Flush a last line without a newline. */
  end(): void {
    this.appendPartial(this.decoder.end());
    if (this.partial.length > 0) this.flushLine();
  }

  private appendPartial(text: string): void {
    // Keep at most one character beyond the limit so we know the line was cut.
    if (this.partial.length <= this.limits.maxLineChars) {
      this.partial += text.slice(0, this.limits.maxLineChars + 1 - this.partial.length);
    }
  }

  private flushLine(): void {
    let line = this.partial.endsWith('\r') ? this.partial.slice(0, -1) : this.partial;
    this.partial = '';
    if (line.length > this.limits.maxLineChars) line = `${line.slice(0, this.limits.maxLineChars)}…[cut]`;
    if (this.emitted >= this.limits.maxLines) {
      this.dropped++;
      return;
    }
    this.emitted++;
    this.onLine(line);
  }
}
