// The chaos runner's schedule as a pure function of the seed: which fault from the catalogue,
// aimed at which role (the active, or the n-th standby), with which timings, and whether the next
// fault may start before the cluster is steady again. The same seed and cluster timings always give
// the same plan (printed with --plan-only), so a failing run is replayed with the same --seed.
// The cluster's reaction to the plan is real processes and real time, so it varies a little from
// run to run; the plan does not.

import { SeededRandom } from '../testing/prng.js';

/** Who a fault is aimed at, resolved when it is injected (the active may differ between runs). */
export type ChaosTarget = { readonly role: 'active' } | { readonly role: 'standby'; readonly pick: number };

export type ChaosFault =
  | { readonly kind: 'nn-crash'; readonly target: ChaosTarget; readonly healAfterMs: number }
  | { readonly kind: 'nn-unhealthy'; readonly target: ChaosTarget; readonly durationMs: number }
  | { readonly kind: 'nn-hang'; readonly target: ChaosTarget; readonly durationMs: number }
  | { readonly kind: 'zkfc-crash'; readonly target: ChaosTarget; readonly healAfterMs: number }
  | { readonly kind: 'zkfc-pause'; readonly target: ChaosTarget; readonly durationMs: number }
  | { readonly kind: 'host-loss'; readonly target: ChaosTarget; readonly healAfterMs: number }
  | { readonly kind: 'zk-leader-kill'; readonly healAfterMs: number }
  | { readonly kind: 'zk-quorum-loss'; readonly durationMs: number }
  | { readonly kind: 'zk-partition'; readonly target: ChaosTarget; readonly durationMs: number }
  | { readonly kind: 'fencer-hang'; readonly target: ChaosTarget }
  | { readonly kind: 'fencer-fail'; readonly target: ChaosTarget; readonly rounds: number }
  | { readonly kind: 'graceful-failover'; readonly target: ChaosTarget }
  | { readonly kind: 'rolling-restart' };

export type ChaosFaultKind = ChaosFault['kind'];

export const CHAOS_FAULT_KINDS: readonly ChaosFaultKind[] = [
  'nn-crash',
  'nn-unhealthy',
  'nn-hang',
  'zkfc-crash',
  'zkfc-pause',
  'host-loss',
  'zk-leader-kill',
  'zk-quorum-loss',
  'zk-partition',
  'fencer-hang',
  'fencer-fail',
  'graceful-failover',
  'rolling-restart',
];

export interface ChaosStep {
  /** 1-based. */
  readonly index: number;
  /** Quiet time before the fault is injected. */
  readonly delayBeforeMs: number;
  readonly fault: ChaosFault;
  /** False: the next fault follows without waiting for a steady cluster (faults overlap). */
  readonly awaitSteady: boolean;
}

export interface ChaosTimings {
  readonly sessionTimeoutMs: number;
  readonly checkIntervalMs: number;
  readonly healthRpcTimeoutMs: number;
}

/** Relative frequency of each fault kind (the catalogue's common faults more often). */
const WEIGHTS: Readonly<Record<ChaosFaultKind, number>> = {
  'nn-crash': 12,
  'nn-unhealthy': 12,
  'nn-hang': 8,
  'zkfc-crash': 8,
  'zkfc-pause': 8,
  'host-loss': 8,
  'zk-leader-kill': 6,
  'zk-quorum-loss': 5,
  'zk-partition': 8,
  'fencer-hang': 4,
  'fencer-fail': 4,
  'graceful-failover': 12,
  'rolling-restart': 2,
};

/** Probability that the next fault starts before the cluster is steady again. */
const OVERLAP_PROBABILITY = 0.2;

export function planChaos(
  seed: number,
  faults: number,
  timings: ChaosTimings,
  kinds: readonly ChaosFaultKind[] = CHAOS_FAULT_KINDS,
): ChaosStep[] {
  if (kinds.length === 0) throw new Error('planChaos: no fault kinds to choose from');
  const rng = new SeededRandom(seed);
  const { sessionTimeoutMs: s, healthRpcTimeoutMs: h } = timings;
  const target = (activeShare = 0.75): ChaosTarget =>
    rng.chance(activeShare) ? { role: 'active' } : { role: 'standby', pick: rng.int(0, 7) };
  const steps: ChaosStep[] = [];
  for (let index = 1; index <= faults; index++) {
    const kind = rng.weighted(kinds.map((k) => [k, WEIGHTS[k]] as const));
    let fault: ChaosFault;
    switch (kind) {
      case 'nn-crash':
        fault = { kind, target: target(), healAfterMs: rng.int(0, 2000) };
        break;
      case 'nn-unhealthy':
        fault = { kind, target: target(), durationMs: rng.int(200, 4000) };
        break;
      case 'nn-hang':
        // Around the health RPC timeout: sometimes shorter (no failover), sometimes longer (fenced).
        fault = { kind, target: target(), durationMs: rng.int(200, h + 3000) };
        break;
      case 'zkfc-crash':
        fault = { kind, target: target(), healAfterMs: rng.int(0, Math.round(1.5 * s)) };
        break;
      case 'zkfc-pause':
        fault = { kind, target: target(), durationMs: rng.int(200, 2 * s) };
        break;
      case 'host-loss':
        fault = { kind, target: target(), healAfterMs: rng.int(0, 2000) };
        break;
      case 'zk-leader-kill':
        fault = { kind, healAfterMs: rng.int(0, 3000) };
        break;
      case 'zk-quorum-loss':
        fault = { kind, durationMs: rng.int(500, 2 * s) };
        break;
      case 'zk-partition':
        fault = { kind, target: target(), durationMs: rng.int(500, 2 * s) };
        break;
      case 'fencer-hang':
        fault = { kind, target: { role: 'active' } };
        break;
      case 'fencer-fail':
        fault = { kind, target: { role: 'active' }, rounds: rng.int(1, 3) };
        break;
      case 'graceful-failover':
        fault = { kind, target: { role: 'standby', pick: rng.int(0, 7) } };
        break;
      case 'rolling-restart':
        fault = { kind };
        break;
    }
    steps.push({ index, delayBeforeMs: rng.int(0, 1500), fault, awaitSteady: !rng.chance(OVERLAP_PROBABILITY) });
  }
  return steps;
}

export function describeTarget(target: ChaosTarget): string {
  return target.role === 'active' ? 'the active' : `standby #${target.pick}`;
}

export function describeFault(fault: ChaosFault): string {
  switch (fault.kind) {
    case 'nn-crash':
    case 'zkfc-crash':
    case 'host-loss':
      return `${fault.kind} of ${describeTarget(fault.target)}, restart after ${fault.healAfterMs} ms`;
    case 'nn-unhealthy':
    case 'nn-hang':
    case 'zkfc-pause':
    case 'zk-partition':
      return `${fault.kind} of ${describeTarget(fault.target)} for ${fault.durationMs} ms`;
    case 'zk-leader-kill':
      return `${fault.kind}, restart after ${fault.healAfterMs} ms`;
    case 'zk-quorum-loss':
      return `${fault.kind} for ${fault.durationMs} ms`;
    case 'fencer-hang':
      return `fencer-hang while ${describeTarget(fault.target)} NameNode hangs`;
    case 'fencer-fail':
      return (
        `fencer-fail for ${fault.rounds} round(s) while ` +
        `${describeTarget(fault.target)} NameNode is unhealthy and refuses transitions`
      );
    case 'graceful-failover':
      return `graceful-failover to ${describeTarget(fault.target)}`;
    case 'rolling-restart':
      return 'rolling-restart of every daemon';
  }
}
