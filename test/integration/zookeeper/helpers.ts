// Shared helpers of the ZooKeeper adapter tests: a recorder for session events with timestamps
// and result helpers (the real clock and polling are tools/testing's).

import type { ZkOpResult, ZkSessionEvent } from '../../../src/runtime/ports.js';
import { waitUntil } from '../../../tools/testing/wait.js';

export interface RecordedEvent {
  readonly epoch: number;
  readonly state: ZkSessionEvent['state'];
  readonly detail?: string;
  readonly atMs: number;
}

/** Records session events and lets a test wait for the n-th occurrence of a state. */
export class EventRecorder {
  readonly events: RecordedEvent[] = [];

  readonly listener = (event: ZkSessionEvent): void => {
    this.events.push({ ...event, atMs: performance.now() });
  };

  states(): string[] {
    return this.events.map((event) => event.state);
  }

  count(state: ZkSessionEvent['state']): number {
    return this.events.filter((event) => event.state === state).length;
  }

  /** Resolve with the n-th (1-based) event of `state`, waiting up to timeoutMs (its atMs is when it came). */
  waitFor(state: ZkSessionEvent['state'], timeoutMs: number, nth = 1): Promise<RecordedEvent> {
    return waitUntil(
      () => this.events.filter((event) => event.state === state)[nth - 1],
      timeoutMs,
      () => `'${state}' event #${nth} (events: ${this.states().join(', ') || 'none'})`,
      5,
    );
  }
}

/** The value of an OK result, or a thrown error naming the code (for test setup steps). */
export function ok<T>(result: ZkOpResult<T>): T {
  if (result.code !== 'OK') throw new Error(`expected OK, got ${result.code}: ${result.message}`);
  return result.value;
}

export const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
export const text = (data: Uint8Array): string => new TextDecoder().decode(data);

/**
 * Transpile `entries` (.ts files under the repo) and every module they import relatively into a
 * temp dir with the same layout, so a plain `node` child process can run them: ESM package.json,
 * node_modules linked to the repo's. Returns the temp dir (remove it when done).
 */
export async function transpileForChildProcess(...entries: readonly string[]): Promise<string> {
  const { mkdtempSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { dirname, join, relative, resolve } = await import('node:path');
  const ts = (await import('typescript')).default;
  const repo = resolve(new URL('../../..', import.meta.url).pathname);
  const out = mkdtempSync(join(tmpdir(), 'zk-adapter-child-'));
  writeFileSync(join(out, 'package.json'), '{"type":"module"}\n');
  symlinkSync(join(repo, 'node_modules'), join(out, 'node_modules'), 'dir');
  const pending = entries.map((entry) => resolve(repo, entry));
  const done = new Set<string>();
  while (pending.length > 0) {
    const file = pending.pop() as string;
    if (done.has(file)) continue;
    done.add(file);
    const source = readFileSync(file, 'utf8');
    for (const match of source.matchAll(/from '(\.{1,2}\/[^']+)\.js'/g))
      pending.push(resolve(dirname(file), `${match[1]}.ts`));
    const js = ts.transpileModule(source, {
      compilerOptions: {
        module: ts.ModuleKind.ESNext,
        target: ts.ScriptTarget.ES2022,
        verbatimModuleSyntax: true,
        esModuleInterop: true,
      },
    }).outputText;
    const target = join(out, relative(repo, file)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, js);
  }
  return out;
}
