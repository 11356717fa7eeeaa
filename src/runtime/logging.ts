// The logging the runtime needs, as a narrow interface a pino Logger satisfies (the runtime never
// imports pino; the composition root hands it a child logger). Notes from the pure core are
// written here with their level, stable message and fields; bigint fields (ZooKeeper session ids,
// ephemeral owners) are written as 0x-hex strings, as ZooKeeper's own logs print them. Note fields
// can carry ZooKeeper data and NameNode error texts, so every string is cut to NOTE_FIELD_MAX_CHARS.

import type { Note } from '../core/note.js';
import { boundText } from '../observability/untrusted.js';

/** Bound on one string field of a logged note (breadcrumb contents, remote error messages). */
export const NOTE_FIELD_MAX_CHARS = 1024;

type LogMethod = (fields: object, msg: string) => void;

export interface RuntimeLog {
  debug: LogMethod;
  info: LogMethod;
  warn: LogMethod;
  error: LogMethod;
  fatal: LogMethod;
  child(bindings: Record<string, string>): RuntimeLog;
  isLevelEnabled?(level: string): boolean;
}

export function logNote(log: RuntimeLog, note: Note): void {
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(note.fields)) {
    if (value === undefined) continue;
    if (typeof value === 'bigint') fields[key] = `0x${BigInt.asUintN(64, value).toString(16)}`;
    else if (typeof value === 'string') fields[key] = boundText(value, NOTE_FIELD_MAX_CHARS);
    else if (Array.isArray(value))
      fields[key] = value.slice(0, 64).map((item: string) => boundText(item, NOTE_FIELD_MAX_CHARS));
    else fields[key] = value;
  }
  log[note.level](fields, note.msg);
}

/** A RuntimeLog that drops everything (library use, tests that do not look at logs). */
export function silentRuntimeLog(): RuntimeLog {
  const drop: LogMethod = () => undefined;
  const log: RuntimeLog = {
    debug: drop,
    info: drop,
    warn: drop,
    error: drop,
    fatal: drop,
    child: () => log,
    isLevelEnabled: () => false,
  };
  return log;
}
