// --json output of the read commands (-getServiceState, -getAllServiceState, -checkHealth,
// -status; not in Hadoop): one JSON document on stdout, pretty-printed, exit codes unchanged.
// Errors the runner reports ("Illegal argument", "Operation failed") also go to stdout as
// {"error": {...}} so a script gets a document in every case; stderr keeps Hadoop's text.

import { ZkfcError, errorMessage } from '../../errors.js';
import type { HaAdminIo } from './context.js';

// JSON.stringify escapes C0 controls but leaves DEL, the C1 controls (U+009B is CSI to some
// terminals) and the bidi overrides raw; \u escapes keep the document identical to a parser.
const RAW_IN_JSON = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

export function printJson(io: Pick<HaAdminIo, 'out'>, value: unknown): void {
  io.out(
    JSON.stringify(value, null, 2).replace(
      RAW_IN_JSON,
      (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
    ),
  );
}

export interface JsonError {
  readonly error: {
    /** How Hadoop classifies it: illegal-argument ("Illegal argument: ...") or operation-failed. */
    readonly kind: 'illegal-argument' | 'operation-failed';
    /** The error's stable code (e.g. HA_UNREACHABLE, CONFIG_INVALID). */
    readonly code: string;
    readonly message: string;
  };
}

export function jsonError(kind: JsonError['error']['kind'], error: unknown): JsonError {
  return {
    error: { kind, code: error instanceof ZkfcError ? String(error.code) : 'UNKNOWN', message: errorMessage(error) },
  };
}
