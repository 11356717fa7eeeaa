// Goal: the simulation's invariant checkers are not vacuous, and runs are deterministic.
// Method: (1) run seeds with a deliberately broken component (a fencer that lies, breadcrumb reads
// that always show the reader's own data, a session close that does nothing, a supervisor that
// never restarts, the lease guard switched off) and require the matching violation to be reported; (2) run seeds twice
// and
// require identical traces (hash of every log line with its simulated time), event counts and
// outcomes.

import { describe, expect, it } from 'vitest';
import { runSeed } from './sim-world.js';

async function violationsOver(
  seeds: number,
  mutation: 'lying-fence' | 'own-breadcrumb' | 'leaky-close' | 'no-restart' | 'no-lease-guard',
): Promise<string[]> {
  const found: string[] = [];
  for (let seed = 1; seed <= seeds; seed++) found.push(...(await runSeed(seed, { mutation })).violations);
  return found;
}

describe('simulation invariant checkers', () => {
  it('catch split brain when fencing lies (reports success without killing)', async () => {
    const violations = await violationsOver(40, 'lying-fence');
    expect(violations.some((v) => v.includes('split brain'))).toBe(true);
    expect(violations.some((v) => v.includes('sent transitionToActive') && v.includes('still active'))).toBe(true);
  });

  it('catch a transitionToActive without fencing when the breadcrumb is misread as our own', async () => {
    const violations = await violationsOver(40, 'own-breadcrumb');
    expect(violations.some((v) => v.includes('sent transitionToActive') && v.includes('still active'))).toBe(true);
  });

  it('catch a leaked lock when closing a session does nothing', async () => {
    const violations = await violationsOver(20, 'leaky-close');
    expect(violations.some((v) => v.includes('leaked lock'))).toBe(true);
    expect(violations.some((v) => v.includes('leaked session'))).toBe(true);
  });

  it(
    'catch a split brain after a process pause when the lease ' +
      'guard is off (Hadoop behaviour), which the guard prevents',
    async () => {
      // Seeds 1..300 contain pauses right after a breadcrumb write that outlast the session.
      const violations = await violationsOver(300, 'no-lease-guard');
      expect(violations.some((v) => v.includes('sent transitionToActive') && v.includes('still active'))).toBe(true);
    },
  );

  it('catch a lost active when crashed ZKFCs are never restarted', async () => {
    const violations = await violationsOver(40, 'no-restart');
    expect(violations.some((v) => v.includes('no stable healthy active') || v.includes('not running'))).toBe(true);
  });
});

describe('simulation determinism', () => {
  it('replays a seed identically', async () => {
    for (const seed of [3, 17, 4242]) {
      const first = await runSeed(seed);
      const second = await runSeed(seed);
      expect(second.traceHash).toBe(first.traceHash);
      expect(second.events).toBe(first.events);
      expect(second.faults).toEqual(first.faults);
      expect(second.recoveryMs).toBe(first.recoveryMs);
      expect(second.trace()).toBe(first.trace());
    }
  });

  it('different seeds explore different runs', async () => {
    const hashes = new Set<number>();
    for (let seed = 100; seed < 110; seed++) hashes.add((await runSeed(seed)).traceHash);
    expect(hashes.size).toBe(10);
  });
});
