// The steady-state oracle of the fault catalogue, the chaos runner and the benchmark, beside the
// split-brain oracle (oracle.ts): is the cluster back to one working active? Exactly one NameNode
// is active; the lock znode exists, names it and is owned by the session of its controller, which
// is the only controller in elector state ACTIVE; the breadcrumb names it. With `everyone` also:
// every NameNode runs and answers, every controller runs, is connected to ZooKeeper and (ours)
// sees its NameNode healthy and is ACTIVE or STANDBY - the cluster can fail over again.
//
// It judges what a SteadyProbe observes, asking for each observation only once the earlier ones
// passed (reading the znodes opens a ZooKeeper session; asking every controller is an HTTP call
// each). The harness (fault-cluster.ts) is the probe.

import type { ActiveNodeInfo } from '../../src/core/types.js';
import { errorMessage } from '../../src/errors.js';

export interface ElectionZnodes {
  /** Lock holder, the session owning the lock (0x hex) and the raw data, or null when there is no lock. */
  readonly lock: { readonly info: ActiveNodeInfo; readonly owner: string; readonly data: Uint8Array } | null;
  readonly breadcrumb: ActiveNodeInfo | null;
  /** The breadcrumb's raw data (ActiveNodeInfo bytes), or null. */
  readonly breadcrumbData: Uint8Array | null;
}

/** What a controller (our daemon or the Java peer) says about itself. */
export interface ControllerView {
  readonly namenodeId: string;
  readonly kind: 'zkfc' | 'java-peer';
  readonly running: boolean;
  /** Elector state (INIT/ACTIVE/STANDBY/NEUTRAL), undefined when it does not answer. */
  readonly electorState: string | undefined;
  readonly zkSessionId: string | null | undefined;
  readonly zkConnectionState: string | undefined;
  readonly healthState: string | undefined;
}

/** The observations the steady check needs. */
export interface SteadyProbe {
  /** Each NameNode's HA state ('active', 'standby', ...), undefined when it does not answer. */
  namenodeStates(): Promise<readonly (readonly [string, string | undefined])[]>;
  /** Rejects when ZooKeeper cannot be read. */
  electionZnodes(): Promise<ElectionZnodes>;
  controllerViews(): Promise<readonly ControllerView[]>;
}

export type SteadyCheck = { readonly active: string } | { readonly active?: undefined; readonly problem: string };

/** The active NameNode when the cluster is steady, else the first thing that is not. */
export async function checkSteady(probe: SteadyProbe, everyone: boolean): Promise<SteadyCheck> {
  const problem = (text: string): SteadyCheck => ({ problem: text });
  const states = await probe.namenodeStates();
  const actives = states.filter(([, s]) => s === 'active').map(([id]) => id);
  if (actives.length !== 1)
    return problem(
      `active NameNodes: [${actives.join(', ')}] (states: ` +
        `${states.map(([id, s]) => `${id}=${s ?? 'no answer'}`).join(' ')})`,
    );
  const active = actives[0]!;
  if (everyone) {
    const bad = states.filter(([, s]) => s !== 'active' && s !== 'standby');
    if (bad.length > 0)
      return problem(`NameNodes not serving: ${bad.map(([id, s]) => `${id}=${s ?? 'no answer'}`).join(' ')}`);
  }
  let znodes: ElectionZnodes;
  try {
    znodes = await probe.electionZnodes();
  } catch (error) {
    return problem(`cannot read the election znodes: ${errorMessage(error)}`);
  }
  if (znodes.lock === null) return problem(`no lock holder while ${active} is active`);
  if (znodes.lock.info.namenodeId !== active)
    return problem(`lock names ${znodes.lock.info.namenodeId} but ${active} is active`);
  if (znodes.breadcrumb?.namenodeId !== active)
    return problem(`breadcrumb names ${znodes.breadcrumb?.namenodeId ?? 'nobody'} but ${active} is active`);
  const views = await probe.controllerViews();
  const believers = views.filter((v) => v.electorState === 'ACTIVE');
  if (believers.length !== 1 || believers[0]!.namenodeId !== active)
    return problem(
      `controllers in elector state ACTIVE: ` +
        `[${believers.map((v) => v.namenodeId).join(', ')}], active NameNode ${active}`,
    );
  if (believers[0]!.zkSessionId !== znodes.lock.owner)
    return problem(
      `lock owned by session ${znodes.lock.owner}, but ${active}'s ` +
        `controller has session ${believers[0]!.zkSessionId ?? 'none'}`,
    );
  if (everyone) {
    for (const v of views) {
      if (!v.running) return problem(`controller ${v.namenodeId} is not running`);
      if (v.zkConnectionState !== 'CONNECTED')
        return problem(`controller ${v.namenodeId} is ${v.zkConnectionState ?? 'not answering'} (ZooKeeper)`);
      if (v.kind === 'zkfc' && v.healthState !== 'SERVICE_HEALTHY')
        return problem(`controller ${v.namenodeId} sees its NameNode ${v.healthState ?? 'unknown'}`);
      if (v.electorState !== 'ACTIVE' && v.electorState !== 'STANDBY')
        return problem(`controller ${v.namenodeId} is in elector state ${v.electorState ?? 'unknown'}`);
    }
  }
  return { active };
}
