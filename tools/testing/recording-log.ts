// A RuntimeLog (src/runtime/logging.ts) that keeps what it is given, for tests that assert on log
// lines; its child() is itself, so a component's child loggers write to the same list.

import type { RuntimeLog } from '../../src/runtime/logging.js';

export interface LoggedLine {
  readonly level: 'debug' | 'info' | 'warn' | 'error' | 'fatal';
  readonly msg: string;
  readonly fields: Record<string, unknown>;
}

export function recordingLog(): { readonly log: RuntimeLog; readonly lines: LoggedLine[] } {
  const lines: LoggedLine[] = [];
  const at =
    (level: LoggedLine['level']) =>
    (fields: object, msg: string): void => {
      lines.push({ level, msg, fields: fields as Record<string, unknown> });
    };
  const log: RuntimeLog = {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    fatal: at('fatal'),
    child: () => log,
  };
  return { log, lines };
}
