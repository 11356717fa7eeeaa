// Fault injection switches of the NameNode simulator and the parser for the control interface's
// fault requests. Faults model what real NameNodes do under trouble (a full disk, a GC pause, a
// crash, a failed edit-log recovery on becoming active); several may be on at once.

import { ZkfcError } from '../../src/errors.js';

export const FAULT_NAMES = [
  'none',
  'unhealthy',
  'slow',
  'hang',
  'crash',
  'refuse-transitions',
  'delay-transitions',
  'exit-on-activate',
  'safemode',
] as const;
export type FaultName = (typeof FAULT_NAMES)[number];

/** One fault request, as POST /sim/fault takes it. */
export type SimFault =
  | { readonly fault: 'none' }
  | { readonly fault: 'unhealthy' }
  | { readonly fault: 'slow'; readonly ms: number }
  | { readonly fault: 'hang' }
  | { readonly fault: 'crash' }
  | { readonly fault: 'refuse-transitions' }
  | { readonly fault: 'delay-transitions'; readonly ms: number }
  | { readonly fault: 'exit-on-activate' }
  | { readonly fault: 'safemode' };

/** The switches currently on. */
export interface FaultState {
  /** monitorHealth fails with "The NameNode has no resources available". */
  readonly unhealthy: boolean;
  /** Every HA call is answered this much later (a slow, overloaded NameNode). */
  readonly slowMs: number;
  /** Calls are read but not answered until the fault is cleared (a paused JVM), then processed. */
  readonly hang: boolean;
  /** transitionToActive/Standby/Observer fail with ServiceFailedException. */
  readonly refuseTransitions: boolean;
  /** State changes take this long (inside the NameNode's lock) before they happen and are answered. */
  readonly delayTransitionsMs: number;
  /** transitionToActive makes the process exit(1), as a NameNode whose active services fail to start. */
  readonly exitOnActivate: boolean;
}

export const NO_FAULTS: FaultState = {
  unhealthy: false,
  slowMs: 0,
  hang: false,
  refuseTransitions: false,
  delayTransitionsMs: 0,
  exitOnActivate: false,
};

/** Upper bound of injected delays: long enough for any timeout test, short enough to never wedge a suite. */
export const MAX_FAULT_DELAY_MS = 600_000;

export class FaultRequestError extends ZkfcError<'SIM_FAULT_INVALID'> {
  readonly code = 'SIM_FAULT_INVALID';
}

/**
 * Parse a fault request. Accepts JSON `{"fault":"slow","ms":500}`, JSON `{"slow":{"ms":500}}`,
 * a JSON string `"hang"`, or plain text `slow:500` / `hang` (handy with curl -d).
 */
export function parseFault(body: string): SimFault {
  const text = body.trim();
  if (text === '') throw new FaultRequestError('empty fault request');
  if (text.startsWith('{') || text.startsWith('"') || text.startsWith('[')) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new FaultRequestError(`fault request is not valid JSON: ${text.slice(0, 100)}`);
    }
    if (typeof value === 'string') return parseFault(value);
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw new FaultRequestError('fault request must be an object');
    const object = value as Record<string, unknown>;
    if (typeof object['fault'] === 'string') return makeFault(object['fault'], object['ms']);
    const keys = Object.keys(object);
    const [only] = keys;
    if (keys.length === 1 && only !== undefined) {
      const inner = object[only];
      const ms = typeof inner === 'object' && inner !== null ? (inner as Record<string, unknown>)['ms'] : inner;
      return makeFault(only, ms === true ? undefined : ms);
    }
    throw new FaultRequestError(`fault request needs a "fault" field, one of ${FAULT_NAMES.join(', ')}`);
  }
  const colon = text.indexOf(':');
  if (colon < 0) return makeFault(text, undefined);
  return makeFault(text.slice(0, colon).trim(), text.slice(colon + 1).trim());
}

function makeFault(name: string, msValue: unknown): SimFault {
  switch (name) {
    case 'slow':
    case 'delay-transitions':
      return { fault: name, ms: parseDelayMs(name, msValue) };
    case 'none':
    case 'unhealthy':
    case 'hang':
    case 'crash':
    case 'refuse-transitions':
    case 'exit-on-activate':
    case 'safemode':
      return { fault: name };
    default:
      throw new FaultRequestError(`unknown fault '${name.slice(0, 50)}'; known: ${FAULT_NAMES.join(', ')}`);
  }
}

function parseDelayMs(name: string, value: unknown): number {
  const ms = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof ms !== 'number' || !Number.isInteger(ms) || ms < 0 || ms > MAX_FAULT_DELAY_MS) {
    throw new FaultRequestError(`fault '${name}' needs ms, an integer from 0 to ${MAX_FAULT_DELAY_MS}`);
  }
  return ms;
}

/** Apply a fault request to the switches (crash and safemode are actions, handled by the caller). */
export function applyFault(state: FaultState, fault: SimFault): FaultState {
  switch (fault.fault) {
    case 'none':
      return NO_FAULTS;
    case 'unhealthy':
      return { ...state, unhealthy: true };
    case 'slow':
      return { ...state, slowMs: fault.ms };
    case 'hang':
      return { ...state, hang: true };
    case 'refuse-transitions':
      return { ...state, refuseTransitions: true };
    case 'delay-transitions':
      return { ...state, delayTransitionsMs: fault.ms };
    case 'exit-on-activate':
      return { ...state, exitOnActivate: true };
    case 'crash':
    case 'safemode':
      return state;
  }
}
