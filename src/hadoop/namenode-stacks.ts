// The local NameNode's thread dump, fetched when it turns unhealthy or stops responding, as
// Hadoop's DFSZKFailoverController#getLocalNNThreadDump does: GET http://<nn-http-address>/stacks
// (the NameNode's StackServlet) within dfs.ha.zkfc.nn.http.timeout.ms, and log it between
// "-- Local NN thread dump --" markers. It is the post-mortem of "why did the NameNode stop
// answering". Optionally (zkfc.stacks.dir) the last few dumps are kept as files as well.
//
// Differences from Hadoop: the capture runs beside the controller instead of inside its
// synchronized health callback, so a NameNode that does not answer /stacks never delays the
// failover; the timeout bounds the whole request (Java: connect and read separately); at most one
// capture runs at a time; what is read, logged and kept is bounded. Plain HTTP only (Hadoop also
// knows HTTPS via dfs.http.policy).

import { join } from 'node:path';
import type { HostPort } from '../core/types.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import { isoTimestamp } from '../observability/wall-time.js';
import { httpGet, ReadFailure, type HttpAnswer } from './namenode-jmx.js';

/** The most of a dump that is read; the rest is dropped (a NameNode with thousands of threads). */
export const STACKS_MAX_BYTES = 4 * 1024 * 1024;
/** The most of a dump that goes into one log line; the file (when kept) has all that was read. */
export const STACKS_LOG_MAX_CHARS = 64 * 1024;

const FILE_PREFIX = 'stacks-';

export interface NameNodeStacksOptions {
  /** The NameNode's HTTP address (dfs.namenode.http-address.<ns>.<nn>). */
  readonly httpAddress: HostPort;
  /** NameNode id, for log fields and file names. */
  readonly namenodeId: string;
  /** dfs.ha.zkfc.nn.http.timeout.ms; 0 disables the capture. */
  readonly timeoutMs: number;
  /** zkfc.stacks.dir; null keeps no files. */
  readonly dir: string | null;
  /** How many files `dir` keeps (the oldest go first). */
  readonly keep: number;
  readonly logger: Logger;
  readonly wallMs?: () => number;
}

export interface StacksCapture {
  readonly text: string;
  readonly truncated: boolean;
  /** The file the dump was written to, if kept. */
  readonly file: string | undefined;
}

export class NameNodeStacks {
  private readonly log: Logger;
  private inFlight: Promise<StacksCapture | undefined> | undefined;

  constructor(private readonly options: NameNodeStacksOptions) {
    this.log = options.logger.child({ component: 'nn-stacks' });
  }

  get enabled(): boolean {
    return this.options.timeoutMs > 0;
  }

  /**
   * Fetch, log and keep one dump; `reason` is the health state that triggered it. Never rejects:
   * a failure is logged ("Can't get local NN thread dump", as Hadoop's WARN) and resolves to
   * undefined. While a capture runs, another request joins it instead of starting a second one.
   */
  capture(reason: string): Promise<StacksCapture | undefined> {
    if (!this.enabled) return Promise.resolve(undefined);
    this.inFlight ??= this.run(reason).finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async run(reason: string): Promise<StacksCapture | undefined> {
    const { httpAddress, timeoutMs } = this.options;
    const where = `${httpAddress.host.includes(':') ? `[${httpAddress.host}]` : httpAddress.host}:${httpAddress.port}`;
    let fetched: { text: string; truncated: boolean };
    try {
      fetched = await fetchStacks(httpAddress, `http://${where}/stacks`, timeoutMs);
    } catch (error) {
      this.log.warn(
        { url: `http://${where}/stacks`, reason, err: errorMessage(error) },
        `Can't get local NN thread dump due to ${errorMessage(error)}`,
      );
      return undefined;
    }
    const file = await this.keep(fetched.text, reason);
    const shown =
      fetched.text.length > STACKS_LOG_MAX_CHARS
        ? `${fetched.text.slice(0, STACKS_LOG_MAX_CHARS)}\n[... ${fetched.text.length - STACKS_LOG_MAX_CHARS} ` +
          `more characters${file !== undefined ? ` in ${file}` : ''}]`
        : fetched.text;
    this.log.info(
      {
        namenode: this.options.namenodeId,
        reason,
        bytes: fetched.text.length,
        truncated: fetched.truncated,
        ...(file !== undefined ? { file } : {}),
      },
      `-- Local NN thread dump -- \n${shown}\n -- Local NN thread dump -- `,
    );
    return { text: fetched.text, truncated: fetched.truncated, file };
  }

  /** Write the dump into `dir` and drop the oldest files beyond `keep`; a failure is logged, not thrown. */
  private async keep(text: string, reason: string): Promise<string | undefined> {
    const { dir, keep, namenodeId } = this.options;
    if (dir === null || keep <= 0) return undefined;
    const stamp = isoTimestamp((this.options.wallMs ?? Date.now)()).replace(/:/g, '-');
    const file = join(dir, `${FILE_PREFIX}${namenodeId}-${stamp}.txt`);
    try {
      // Loaded here, not at start-up: a daemon whose NameNode stays healthy never needs it (node:fs/promises
      // brings Node's file watchers and readline with it, about 0.4 MiB resident; README "A lean daemon").
      const { mkdir, readdir, rm, writeFile } = await import('node:fs/promises');
      await mkdir(dir, { recursive: true, mode: 0o750 });
      await writeFile(file, `# ${reason}\n${text}`, { mode: 0o640 });
      // ISO times sort as text: the oldest come first.
      const kept = (await readdir(dir)).filter((name) => name.startsWith(FILE_PREFIX) && name.endsWith('.txt')).sort();
      for (const old of kept.slice(0, Math.max(0, kept.length - keep))) await rm(join(dir, old), { force: true });
      return file;
    } catch (error) {
      this.log.warn({ dir, err: errorMessage(error) }, 'cannot keep the NameNode thread dump in zkfc.stacks.dir');
      return undefined;
    }
  }
}

/**
 * GET /stacks within `timeoutMs` in all; reads at most STACKS_MAX_BYTES of the body. Over node:http
 * (namenode-jmx.ts's httpGet, as the NameNode HTTP view reads), which the daemon has loaded anyway
 * for its status listener. undici, used here before, stayed loaded after the first capture: 12
 * MiB more resident for the life of the daemon, measured after the benchmark's crash failovers
 * (its JavaScript, and the WebAssembly HTTP parser it compiles).
 */
async function fetchStacks(
  address: HostPort,
  url: string,
  timeoutMs: number,
): Promise<{ text: string; truncated: boolean }> {
  let answer: HttpAnswer;
  try {
    answer = await httpGet(address, '/stacks', url, timeoutMs, STACKS_MAX_BYTES, {
      accept: 'text/plain',
      truncate: true,
    });
  } catch (error) {
    if (error instanceof ReadFailure && error.failure.kind === 'timedOut')
      throw new Error(`no answer within ${timeoutMs} ms`, { cause: error });
    throw error;
  }
  if (answer.status !== 200) throw new Error(`GET /stacks answered HTTP ${answer.status}`);
  return { text: answer.body.toString('utf8'), truncated: answer.truncated === true };
}
