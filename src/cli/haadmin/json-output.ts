// --json output of the read commands (-getServiceState, -getAllServiceState, -checkHealth,
// -status; not in Hadoop): one JSON document on stdout, pretty-printed, exit codes unchanged.
// Errors the runner reports ("Illegal argument", "Operation failed") also go to stdout as
// {"error": {...}} so a script gets a document in every case; stderr keeps Hadoop's text.

import { ZkfcError, errorMessage } from '../../errors.js';
import type { HaAdminIo } from './context.js';

export function printJson(io: Pick<HaAdminIo, 'out'>, value: unknown): void {
  io.out(JSON.stringify(value, null, 2));
}

export interface JsonError {
  readonly error: {
    /** How Hadoop classifies it: illegal-argument ("Illegal argument: ...") or operation-failed. */
    readonly kind: 'illegal-argument' | 'operation-failed';
    /** The error's stable code (e.g. RPC_CONNECT_FAILED, CONFIG_INVALID). */
    readonly code: string;
    readonly message: string;
  };
}

export function jsonError(kind: JsonError['error']['kind'], error: unknown): JsonError {
  return { error: { kind, code: error instanceof ZkfcError ? error.code : 'UNKNOWN', message: errorMessage(error) } };
}
