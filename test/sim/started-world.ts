// The scenario tests' starting point, once: a SimWorld without random faults whose controllers are
// all started, node 0 active and the others standby, with every controller's event records kept.

import type { ControllerRecord } from '../../src/runtime/records.js';
import { SimWorld, type SimOptions } from './sim-world.js';

export interface StartedWorld {
  readonly world: SimWorld;
  /** Each controller's event records, by host index. */
  readonly records: ControllerRecord[][];
}

/** Defaults: seed 1, two nodes, no random faults, fencing sshfence then powerfence. */
export async function startedWorld(options: Partial<SimOptions> = {}): Promise<StartedWorld> {
  const world = new SimWorld({
    seed: 1,
    nodes: 2,
    randomFaults: false,
    fenceMethods: ['sshfence', 'powerfence'],
    ...options,
  });
  const nodes = world.hosts.length;
  const records: ControllerRecord[][] = Array.from({ length: nodes }, () => []);
  for (let i = 0; i < nodes; i++) {
    world.startController(i);
    world.hosts[i]?.controller?.onEvent((record) => records[i]?.push(record));
    // Let node 0 win the first election, as MiniZKFCCluster.start does.
    if (i === 0 && !(await world.runUntil(() => world.nameNodes[0]?.isActive === true, 5000)))
      throw new Error('node 0 did not become active within 5 s');
  }
  const settled = await world.runUntil(
    () =>
      world.hosts.every((h) => h.controller?.coreSnapshot().elector.state === (h.index === 0 ? 'ACTIVE' : 'STANDBY')),
    5000,
  );
  if (!settled) throw new Error('the electors did not settle (node 0 ACTIVE, the others STANDBY) within 5 s');
  return { world, records };
}
