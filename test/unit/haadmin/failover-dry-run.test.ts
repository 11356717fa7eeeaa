// Goal: `haadmin -failover --dry-run` runs each check of the graceful failover in the order the real
// path meets them and judges it as documented (FAIL blocks: exit 255; WARN does not: exit 0), and
// `haadmin explain` states each fact of the decision chain and the right concluding sentence.
// Remote strings are escaped on their one line. Nothing is changed by either command.
// Method: the pure judges (dryRunChecks, explainNamenode) over ClusterStatus values built by the
// real `summarize` from fixture zkfc statuses (test/support/zkfc-status-fixture.ts); then both
// commands end to end in-process against simulated NameNodes over loopback TCP and the daemon's
// real StatusServer over HTTP, checking the NameNodes made no transition.
import { describe, expect, it } from 'vitest';
import { HadoopConfiguration } from '../../../src/config/hadoop-conf.js';
import type { HostPort } from '../../../src/core/types.js';
import { summarize, type HaStateProbe, type ZkfcProbe } from '../../../src/cli/haadmin/cluster-status.js';
import { dryRunChecks, renderDryRun, type DryRunFacts } from '../../../src/cli/haadmin/failover-dry-run.js';
import { explainNamenode, renderExplanation } from '../../../src/cli/haadmin/explain.js';
import type { ZkfcStatus } from '../../../src/observability/status.js';
import { exitCodeFor } from '../../../src/cli/haadmin/run.js';
import { NameNodeSimulator } from '../../../tools/namenode-sim/sim-namenode.js';
import { activeNode, startStatusListener, zkfcStatus } from '../../support/zkfc-status-fixture.js';
import { runHaAdminInProcess } from '../../support/haadmin-in-process.js';
import { cleanupsAfterEach } from '../../support/cleanups.js';

const cleanups = cleanupsAfterEach();
const NOW = Date.parse('2024-05-01T12:00:00.000Z');
const ADDR: Record<string, HostPort> = {
  nn1: { host: '127.0.0.1', port: 8020 },
  nn2: { host: '127.0.0.1', port: 8021 },
  nn3: { host: '127.0.0.1', port: 8022 },
};
const LOCK_NN1 = activeNode('nn1', ADDR['nn1']!);

interface NodeSetup {
  readonly ha?: HaStateProbe;
  /** Overrides of the fixture status, or 'down' for a zkfc that does not answer. */
  readonly zkfc?: Partial<ZkfcStatus> | 'down';
}

const standby: HaStateProbe = { ok: true, state: 'STANDBY', readyToBecomeActive: true, notReadyReason: null };
const active: HaStateProbe = { ok: true, state: 'ACTIVE', readyToBecomeActive: true, notReadyReason: null };

/** nn1 active holding the lock, nn2 (and nn3 when given) standby; override per NameNode. */
function cluster(setup: Record<string, NodeSetup> = {}, ids = ['nn1', 'nn2']) {
  const probes = ids.map((id) => {
    const s = setup[id] ?? {};
    const base: Partial<ZkfcStatus> =
      id === 'nn1'
        ? { haState: 'ACTIVE', electorState: 'ACTIVE', lockHolder: LOCK_NN1, breadcrumb: LOCK_NN1 }
        : { lockHolder: LOCK_NN1, breadcrumb: LOCK_NN1 };
    const address = `127.0.0.1:${9000 + ids.indexOf(id)}`;
    const zkfc: ZkfcProbe =
      s.zkfc === 'down'
        ? { ok: false, address, error: `GET /status on ${address} failed: connect ECONNREFUSED` }
        : { ok: true, address, status: zkfcStatus(id, { maintenancePause: null, ...base, ...s.zkfc }) };
    return {
      endpoint: { namenodeId: id, serviceAddress: ADDR[id]!, zkfcHttpAddress: { host: '127.0.0.1', port: 9000 } },
      haState: s.ha ?? (id === 'nn1' ? active : standby),
      zkfc,
    };
  });
  return summarize('ns1', new Date(NOW).toISOString(), probes);
}

function facts(overrides: Partial<DryRunFacts> = {}): DryRunFacts {
  return {
    from: 'nn1',
    to: 'nn2',
    autoFailoverEnabled: true,
    configProblems: [],
    cluster: cluster(),
    targetHealth: { ok: true },
    failoverWaitMs: 70_000,
    nowMs: NOW,
    ...overrides,
  };
}

function marks(f: DryRunFacts): string[] {
  return dryRunChecks(f).checks.map((c) => `${c.mark} ${c.check}: ${c.found}`);
}

function line(f: DryRunFacts, check: string): string {
  const found = marks(f).filter((l) => l.split(' ').slice(1).join(' ').startsWith(`${check}:`));
  expect(found, `no line for ${check}`).not.toEqual([]);
  return found.join('\n');
}

describe('dryRunChecks: each check, in the order the failover meets them', () => {
  it('a healthy pair is GO with every check ok, in order', () => {
    const report = dryRunChecks(facts());
    expect(report.go).toBe(true);
    expect(report.checks.map((c) => [c.mark, c.check])).toEqual([
      ['ok', 'configuration'],
      ['ok', 'zkfc of nn2'],
      ['ok', 'health of nn2'],
      ['ok', 'HA state of nn2'],
      ['ok', 'readiness of nn2'],
      ['ok', 'maintenance pause'],
      ['ok', 'lock holder'],
      ['ok', 'election of nn2'],
      ['ok', 'zkfc of nn1'],
      ['ok', 'fencing of nn2'],
      ['ok', 'HTTP view of nn2'],
    ]);
    const lines = renderDryRun(report);
    expect(lines[0]).toBe('Dry run of -failover nn1 nn2: nothing is changed');
    expect(lines[1]).toBe('ok    configuration: automatic failover is on; nn1 and nn2 are NameNodes of ns1');
    expect(lines.at(-1)).toBe('Verdict: GO');
  });

  it('configuration: automatic failover off, unknown ids, from = to are FAIL', () => {
    expect(line(facts({ autoFailoverEnabled: false }), 'configuration')).toMatch(
      /^FAIL configuration: automatic failover is off \(dfs.ha.automatic-failover.enabled\)/,
    );
    const unknown = dryRunChecks(
      facts({ configProblems: ['Unable to find nn9 in dfs.ha.namenodes.ns1'], cluster: undefined }),
    );
    expect(unknown.go).toBe(false);
    expect(unknown.checks).toEqual([
      { mark: 'FAIL', check: 'configuration', found: 'Unable to find nn9 in dfs.ha.namenodes.ns1' },
    ]);
    expect(line(facts({ to: 'nn1' }), 'configuration')).toBe('FAIL configuration: nn1 is both <from> and <to>');
    expect(renderDryRun(unknown).at(-1)).toBe('Verdict: NO-GO (1 check failed)');
  });

  it("the target's zkfc not answering is FAIL and what needs its status is skipped", () => {
    const f = facts({ cluster: cluster({ nn2: { zkfc: 'down' } }) });
    expect(dryRunChecks(f).go).toBe(false);
    expect(line(f, 'zkfc of nn2')).toMatch(/^FAIL zkfc of nn2: does not answer: GET \/status on 127.0.0.1:9001 failed/);
    expect(line(f, 'election of nn2')).toBe('skip election of nn2: the zkfc of nn2 did not answer');
    expect(line(f, 'fencing of nn2')).toBe('skip fencing of nn2: the zkfc of nn2 did not answer');
  });

  it('target health: unhealthy as its zkfc sees it, or monitorHealth failing (naming the address), is FAIL', () => {
    expect(
      line(facts({ cluster: cluster({ nn2: { zkfc: { healthState: 'SERVICE_UNHEALTHY' } } }) }), 'health of nn2'),
    ).toBe('FAIL health of nn2: its zkfc sees it as SERVICE_UNHEALTHY');
    expect(
      line(facts({ targetHealth: { ok: false, error: 'The NameNode has no resources available' } }), 'health of nn2'),
    ).toBe('FAIL health of nn2: monitorHealth on 127.0.0.1:8021 failed: The NameNode has no resources available');
  });

  it('target HA state: already active, observer, or not answering getServiceStatus is FAIL', () => {
    expect(line(facts({ cluster: cluster({ nn2: { ha: active } }) }), 'HA state of nn2')).toBe(
      'FAIL HA state of nn2: nn2 is already active: the failover would do nothing',
    );
    expect(
      line(facts({ cluster: cluster({ nn2: { ha: { ...standby, state: 'OBSERVER' } } }) }), 'HA state of nn2'),
    ).toBe('FAIL HA state of nn2: nn2 is an observer: it cannot be a failover target');
    const down = facts({ cluster: cluster({ nn2: { ha: { ok: false, error: 'Connection refused' } } }) });
    expect(line(down, 'HA state of nn2')).toBe(
      'FAIL HA state of nn2: getServiceStatus on 127.0.0.1:8021 failed: Connection refused',
    );
    expect(line(down, 'readiness of nn2')).toBe('skip readiness of nn2: getServiceStatus failed');
  });

  it("readiness: not ready is FAIL with the NameNode's reason; not reported is WARN", () => {
    const notReady = { ...standby, readyToBecomeActive: false, notReadyReason: 'The NameNode is in safemode.' };
    expect(line(facts({ cluster: cluster({ nn2: { ha: notReady } }) }), 'readiness of nn2')).toBe(
      'FAIL readiness of nn2: not ready to become active: The NameNode is in safemode.',
    );
    const unknown = facts({ cluster: cluster({ nn2: { ha: { ...standby, readyToBecomeActive: null } } }) });
    expect(line(unknown, 'readiness of nn2')).toMatch(/^WARN /);
    expect(dryRunChecks(unknown).go).toBe(true);
  });

  it('a maintenance pause seen by any zkfc is FAIL; a zkfc that does not know pauses is WARN', () => {
    const pause = { reason: 'disk swap', by: 'ops@host', since: null, until: '2024-05-01T12:30:00.000Z' };
    expect(line(facts({ cluster: cluster({ nn1: { zkfc: { maintenancePause: pause } } }) }), 'maintenance pause')).toBe(
      'FAIL maintenance pause: automatic failover is paused until 2024-05-01T12:30:00.000Z by ops@host: ' +
        'disk swap (seen by the zkfc of nn1; haadmin resume ends it)',
    );
    const older = cluster();
    const nn2 = older.namenodes[1]!;
    if (!nn2.zkfc.ok) throw new Error('fixture');
    const { maintenancePause: _dropped, ...withoutPause } = nn2.zkfc.status;
    const olderCluster = {
      ...older,
      namenodes: [older.namenodes[0]!, { ...nn2, zkfc: { ...nn2.zkfc, status: withoutPause } }],
    };
    expect(line(facts({ cluster: olderCluster }), 'maintenance pause')).toBe(
      'WARN maintenance pause: the zkfc of nn2 does not report pauses (an older zkfc)',
    );
  });

  it('lock holder: nobody, an unknown node or the target itself is FAIL; another active than <from> is WARN', () => {
    const none = { lockHolder: null, breadcrumb: null };
    expect(line(facts({ cluster: cluster({ nn1: { zkfc: none }, nn2: { zkfc: none } }) }), 'lock holder')).toMatch(
      /^FAIL lock holder: nobody holds the lock/,
    );
    const stranger = { ...LOCK_NN1, namenodeId: 'nn7' };
    expect(
      line(
        facts({
          cluster: cluster({ nn1: { zkfc: { lockHolder: stranger } }, nn2: { zkfc: { lockHolder: stranger } } }),
        }),
        'lock holder',
      ),
    ).toBe('FAIL lock holder: the lock names ns1.nn7, not a NameNode of ns1');
    const three = facts({ from: 'nn3', cluster: cluster({}, ['nn1', 'nn2', 'nn3']) });
    expect(line(three, 'lock holder')).toMatch(/^WARN lock holder: nn1 holds the lock, not nn3: nn1 is the one asked/);
    expect(dryRunChecks(three).go).toBe(true);
  });

  it("the target's zkfc: out of ZooKeeper FAIL, ceded briefly WARN, ceded longer than the failover waits FAIL", () => {
    const retry = { failures: 3, reason: 'ECONNREFUSED', since: '2024-05-01T11:59:00.000Z', nextAttemptAt: null };
    expect(line(facts({ cluster: cluster({ nn2: { zkfc: { zookeeperRetry: retry } } }) }), 'election of nn2')).toMatch(
      /^FAIL election of nn2: its zkfc is out of the election: ZooKeeper unreachable since 2024-05-01T11:59:00.000Z/,
    );
    expect(
      line(facts({ cluster: cluster({ nn2: { zkfc: { zkConnectionState: 'DISCONNECTED' } } }) }), 'election of nn2'),
    ).toBe('FAIL election of nn2: its zkfc is in the election but DISCONNECTED from ZooKeeper');
    // Out of the election (here: unhealthy) a zkfc has no session, as Hadoop's: not a ZooKeeper problem.
    const out = { zkConnectionState: 'TERMINATED' as const, electorState: 'NEUTRAL' as const };
    expect(line(facts({ cluster: cluster({ nn2: { zkfc: out } }) }), 'election of nn2')).toBe(
      'ok election of nn2: out of the election now (NEUTRAL, ZooKeeper TERMINATED); it joins when healthy',
    );
    const soon = new Date(NOW + 10_000).toISOString();
    expect(
      line(
        facts({
          cluster: cluster({
            nn2: { zkfc: { cededUntil: soon, electorState: 'NEUTRAL', zkConnectionState: 'TERMINATED' } },
          }),
        }),
        'election of nn2',
      ),
    ).toMatch(/^WARN election of nn2: its zkfc ceded until .*; it rejoins the election then$/);
    const late = new Date(NOW + 300_000).toISOString();
    expect(line(facts({ cluster: cluster({ nn2: { zkfc: { cededUntil: late } } }) }), 'election of nn2')).toMatch(
      /^FAIL election of nn2: its zkfc ceded until .*, later than the failover waits \(70 s\)$/,
    );
  });

  it('another zkfc that does not answer is FAIL: it must be asked to cede', () => {
    const f = facts({ cluster: cluster({ nn1: { zkfc: 'down' } }) });
    expect(line(f, 'zkfc of nn1')).toMatch(
      /^FAIL zkfc of nn1: does not answer, but will be asked to cede: GET \/status/,
    );
    expect(dryRunChecks(f).go).toBe(false);
  });

  it('fencing of the target: none ready is FAIL, some not ready or no result yet is WARN', () => {
    const bad = { method: 'sshfence', ready: false, detail: 'ssh: connection refused', checkedAt: null };
    const good = { method: 'shell(/bin/true)', ready: true, detail: 'bash found', checkedAt: null };
    expect(line(facts({ cluster: cluster({ nn2: { zkfc: { fencing: [bad] } } }) }), 'fencing of nn2')).toBe(
      'FAIL fencing of nn2: no method is ready, so an active that does not stand down gracefully cannot be fenced: ' +
        'sshfence: ssh: connection refused',
    );
    const partly = facts({ cluster: cluster({ nn2: { zkfc: { fencing: [bad, good] } } }) });
    expect(line(partly, 'fencing of nn2')).toBe(
      'WARN fencing of nn2: 1/2 ready; not ready: sshfence: ssh: connection refused',
    );
    expect(dryRunChecks(partly).go).toBe(true);
    expect(line(facts({ cluster: cluster({ nn2: { zkfc: { fencing: [] } } }) }), 'fencing of nn2')).toBe(
      'WARN fencing of nn2: no preflight result yet',
    );
  });

  it('the HTTP view: safe mode is FAIL, stale edits and /isActive disagreeing WARN, not read ok', () => {
    const view = {
      state: 'STANDBY' as const,
      nnRole: 'NameNode',
      hostAndPort: '127.0.0.1:8021',
      lastHATransitionTime: null,
      securityEnabled: false,
      namesystemHAState: 'STANDBY' as const,
      millisSinceLastLoadedEdits: 5_000,
      lastWrittenTransactionId: 10,
      safemode: '',
      inSafemode: false,
      lastAppliedOrWrittenTxId: 10,
      mostRecentCheckpointTxId: 1,
      isActive: false,
    };
    const http = (v: Partial<typeof view>, extra: { isActiveMismatch?: boolean } = {}) =>
      facts({
        cluster: cluster({
          nn2: {
            zkfc: {
              namenodeHttp: {
                url: 'http://127.0.0.1:9871',
                up: true,
                view: { ...view, ...v },
                readAt: null,
                ageMs: 1_000,
                isActiveMismatch: extra.isActiveMismatch ?? false,
                lastError: null,
              },
            },
          },
        }),
      });
    expect(line(http({}), 'HTTP view of nn2')).toBe(
      'ok HTTP view of nn2: safe mode off, edits loaded 5 s ago, txid 10',
    );
    expect(line(http({ inSafemode: true, safemode: 'Safe mode is ON.\x1b[2J' }), 'HTTP view of nn2')).toBe(
      'FAIL HTTP view of nn2: in safe mode: Safe mode is ON.\\e[2J',
    );
    const stale = http({ millisSinceLastLoadedEdits: 600_000 });
    expect(line(stale, 'HTTP view of nn2')).toBe(
      'WARN HTTP view of nn2: edits last loaded 600 s ago (stale above 120 s)',
    );
    expect(dryRunChecks(stale).go).toBe(true);
    expect(line(http({}, { isActiveMismatch: true }), 'HTTP view of nn2')).toBe(
      'WARN HTTP view of nn2: /isActive disagrees with NameNodeStatus.State',
    );
    expect(line(facts(), 'HTTP view of nn2')).toBe('ok HTTP view of nn2: not read (zkfc.namenode-http.interval.ms=0)');
  });

  it('remote strings stay on their line, escaped', () => {
    const notReady = { ...standby, readyToBecomeActive: false, notReadyReason: 'x\nVerdict: GO\x1b]0;owned\x07' };
    const lines = renderDryRun(dryRunChecks(facts({ cluster: cluster({ nn2: { ha: notReady } }) })));
    expect(lines).toContain('FAIL  readiness of nn2: not ready to become active: x\\nVerdict: GO\\e]0;owned\\x07');
    expect(lines.filter((l) => l.startsWith('Verdict'))).toEqual(['Verdict: NO-GO (1 check failed)']);
  });
});

describe('explainNamenode: the facts and the conclusion', () => {
  const conclusion = (c: ReturnType<typeof cluster>, id: string) => explainNamenode(c, id, NOW).conclusion;

  it('the active and the standby of a healthy pair, each fact in the order of the decision chain', () => {
    expect(conclusion(cluster(), 'nn1')).toBe('nn1 is active because its zkfc holds the lock and it is healthy.');
    const nn2 = explainNamenode(cluster(), 'nn2', NOW);
    expect(nn2.conclusion).toBe('nn2 is standby because nn1 holds the lock and is healthy.');
    expect(nn2.facts.map((f) => f.check)).toEqual([
      'NameNode',
      'health',
      'readiness',
      'readiness gate',
      'cede',
      'lock',
      'breadcrumb',
      'fencing',
      'maintenance pause',
      'anti-flap',
      'ZooKeeper',
    ]);
    expect(renderExplanation(nn2)).toEqual([
      'Why nn2 is not active (ns1, collected 2024-05-01T12:00:00.000Z)',
      '  NameNode:           answers getServiceStatus at 127.0.0.1:8021: STANDBY',
      '  health:             SERVICE_HEALTHY as its zkfc sees it',
      '  readiness:          readyToBecomeActive; HTTP view not read',
      '  readiness gate:     not reported',
      '  cede:               not ceded',
      '  lock:               held for nn1 (127.0.0.1:8020)',
      '  breadcrumb:         names nn1 (127.0.0.1:8020) as the last active: a new active fences it unless it stood ' +
        'down gracefully',
      '  fencing:            1/1 methods ready',
      '  maintenance pause:  none',
      '  anti-flap:          nothing held back (its zkfc does not report anti-flap)',
      '  ZooKeeper:          its zkfc is CONNECTED, elector STANDBY',
      'nn2 is standby because nn1 holds the lock and is healthy.',
    ]);
  });

  it("the readiness gate's verdict is a fact, and the reason a healthy standby stays out", () => {
    const gate = {
      ready: false,
      escape: false,
      summary: 'not ready: the NameNode is in safe mode: Safe mode is ON.',
      blockers: ['the NameNode is in safe mode: Safe mode is ON.'],
      candidacyDelayMs: 0,
      standbysAhead: [],
      lagTxns: null,
    };
    const c = cluster({
      nn1: { zkfc: { lockHolder: null } },
      nn2: { zkfc: { readiness: gate, electorState: 'INIT' } },
    });
    const nn2 = explainNamenode(c, 'nn2', NOW);
    expect(nn2.facts.find((f) => f.check === 'readiness gate')?.found).toBe(gate.summary);
    expect(nn2.conclusion).toBe(
      'nn2 is standby because the readiness gate keeps its zkfc out of the election: ' +
        'not ready: the NameNode is in safe mode: Safe mode is ON.',
    );
    expect(line(facts({ cluster: c }), 'readiness gate of nn2')).toBe(
      `FAIL readiness gate of nn2: its zkfc refuses: ${gate.summary}`,
    );
    const ready = cluster({ nn2: { zkfc: { readiness: { ...gate, ready: true, blockers: [], summary: 'ready' } } } });
    expect(line(facts({ cluster: ready }), 'readiness gate of nn2')).toBe('ok readiness gate of nn2: ready');
  });

  it('each reason a standby is not active', () => {
    const pause = { reason: 'disk swap', by: 'ops@host', since: null, until: '2024-05-01T12:30:00.000Z' };
    expect(conclusion(cluster({ nn2: { zkfc: { maintenancePause: pause } } }), 'nn2')).toBe(
      'nn2 is standby because automatic failover is paused until 2024-05-01T12:30:00.000Z.',
    );
    expect(conclusion(cluster({ nn2: { zkfc: { healthState: 'SERVICE_UNHEALTHY' } } }), 'nn2')).toBe(
      'nn2 is standby because its zkfc sees it as SERVICE_UNHEALTHY.',
    );
    expect(conclusion(cluster({ nn2: { zkfc: { zkConnectionState: 'DISCONNECTED' } } }), 'nn2')).toBe(
      'nn2 is standby because its zkfc lost its ZooKeeper connection.',
    );
    const retry = { failures: 2, reason: 'ECONNREFUSED', since: null, nextAttemptAt: null };
    expect(conclusion(cluster({ nn2: { zkfc: { zookeeperRetry: retry } } }), 'nn2')).toBe(
      'nn2 is standby because its zkfc cannot reach ZooKeeper.',
    );
    // An unhealthy standby's zkfc has left the election and closed its session (as Hadoop's does).
    const unhealthyOut = {
      healthState: 'SERVICE_UNHEALTHY' as const,
      electorState: 'NEUTRAL' as const,
      zkConnectionState: 'TERMINATED' as const,
    };
    const explained = explainNamenode(cluster({ nn2: { zkfc: unhealthyOut } }), 'nn2', NOW);
    expect(explained.conclusion).toBe('nn2 is standby because its zkfc sees it as SERVICE_UNHEALTHY.');
    expect(explained.facts.at(-1)).toEqual({
      check: 'ZooKeeper',
      found: 'its zkfc is TERMINATED, elector NEUTRAL (out of the election: no session, as a Hadoop ZKFC)',
    });
    const until = new Date(NOW + 5_000).toISOString();
    expect(conclusion(cluster({ nn2: { zkfc: { cededUntil: until } } }), 'nn2')).toBe(
      `nn2 is standby because its zkfc ceded until ${until}.`,
    );
    expect(conclusion(cluster({ nn2: { zkfc: 'down' } }), 'nn2')).toBe(
      'nn2 is standby; its zkfc does not answer, so it cannot be elected.',
    );
    expect(conclusion(cluster({ nn2: { ha: { ok: false, error: 'refused' } } }), 'nn2')).toBe(
      'nn2 is not active: its NameNode does not answer at 127.0.0.1:8021.',
    );
    expect(conclusion(cluster({ nn2: { ha: { ...standby, state: 'OBSERVER' } } }), 'nn2')).toBe(
      'nn2 is an observer: its zkfc stays out of the election.',
    );
    expect(conclusion(cluster({ nn1: { zkfc: { healthState: 'SERVICE_NOT_RESPONDING' } } }), 'nn2')).toBe(
      'nn2 is standby because nn1 holds the lock and its zkfc sees it as SERVICE_NOT_RESPONDING.',
    );
    const none = { lockHolder: null, breadcrumb: null };
    expect(conclusion(cluster({ nn1: { zkfc: none }, nn2: { zkfc: none } }), 'nn2')).toBe(
      'nn2 is standby and nobody holds the lock: its zkfc (elector STANDBY) should take it.',
    );
    const notReady = { ...standby, readyToBecomeActive: false, notReadyReason: 'safe mode' };
    expect(conclusion(cluster({ nn2: { ha: notReady } }), 'nn2')).toBe(
      'nn2 is standby because nn1 holds the lock and is healthy. It is also not ready to become active.',
    );
    expect(conclusion(cluster(), 'nn9')).toBe('nn9 is not a NameNode of ns1.');
  });

  it('anti-flap holding a failover back on the active: both conclusions say so, the fact names it', () => {
    const hold = {
      since: '2024-05-01T11:59:00.000Z',
      reason: 'anti-flap: 3 automatic failovers in 600 s',
      healthReason: 'The NameNode has no resources available',
      failoversInWindow: 3,
      releaseAt: '2024-05-01T12:05:00.000Z',
    };
    const antiFlap = {
      maxFailovers: 3,
      windowMs: 600_000,
      failoversInWindow: 3,
      lastLockHolderChange: null,
      heldBackTotal: 1,
      holdingBack: hold,
      lastHoldBackEnded: null,
    };
    const held = cluster({ nn1: { zkfc: { healthState: 'SERVICE_UNHEALTHY', antiFlap } } });
    expect(conclusion(held, 'nn1')).toBe(
      'nn1 is active and keeps the lock although its zkfc sees it as SERVICE_UNHEALTHY: ' +
        'anti-flap holds the failover back until 2024-05-01T12:05:00.000Z.',
    );
    const nn2 = explainNamenode(held, 'nn2', NOW);
    expect(nn2.conclusion).toBe(
      'nn2 is standby because nn1 holds the lock: anti-flap holds the failover back until ' +
        '2024-05-01T12:05:00.000Z (the zkfc of nn1 sees it as SERVICE_UNHEALTHY).',
    );
    expect(nn2.facts.find((f) => f.check === 'anti-flap')?.found).toBe(
      'the zkfc of nn1 holds a failover back since 2024-05-01T11:59:00.000Z: anti-flap: 3 automatic failovers ' +
        'in 600 s (The NameNode has no resources available); ' +
        'it proceeds at 2024-05-01T12:05:00.000Z if still unhealthy',
    );
    const quiet = cluster({ nn2: { zkfc: { antiFlap: { ...antiFlap, failoversInWindow: 1, holdingBack: null } } } });
    expect(explainNamenode(quiet, 'nn2', NOW).facts.find((f) => f.check === 'anti-flap')?.found).toBe(
      'nothing held back (1 of at most 3 automatic failovers in 600 s)',
    );
  });

  it('an active that does not hold the lock, or is unhealthy, is said so', () => {
    const lock2 = activeNode('nn2', ADDR['nn2']!);
    expect(
      conclusion(cluster({ nn1: { zkfc: { lockHolder: lock2 } }, nn2: { zkfc: { lockHolder: lock2 } } }), 'nn1'),
    ).toBe('nn1 reports active, but the lock is held for nn2: it is to be fenced.');
    expect(conclusion(cluster({ nn1: { zkfc: { healthState: 'SERVICE_UNHEALTHY' } } }), 'nn1')).toBe(
      'nn1 is active and holds the lock, but its zkfc sees it as SERVICE_UNHEALTHY: it will quit the election.',
    );
  });

  it('remote strings in facts are escaped and bounded', () => {
    const bad = { method: 'shell(x)', ready: false, detail: `a\x1b[31m\n${'y'.repeat(2000)}`, checkedAt: null };
    const text = renderExplanation(explainNamenode(cluster({ nn2: { zkfc: { fencing: [bad] } } }), 'nn2', NOW));
    const fencing = text.find((l) => l.includes('fencing:')) ?? '';
    expect(fencing).toContain('a\\e[31m\\nyyy');
    expect(fencing).toMatch(/more chars\]$/);
    expect(text).toHaveLength(13);
  });
});

describe('-failover --dry-run and explain in-process: nothing changes', () => {
  async function setup() {
    const nn1 = await NameNodeSimulator.start({
      nameserviceId: 'ns1',
      namenodeId: 'nn1',
      superuser: 'hdfs',
      initialState: 'ACTIVE',
    });
    const nn2 = await NameNodeSimulator.start({ nameserviceId: 'ns1', namenodeId: 'nn2', superuser: 'hdfs' });
    cleanups.push(
      () => nn1.stop(),
      () => nn2.stop(),
    );
    const lock = activeNode('nn1', nn1.rpcAddress);
    const z1 = await startStatusListener(
      zkfcStatus('nn1', {
        haState: 'ACTIVE',
        electorState: 'ACTIVE',
        lockHolder: lock,
        breadcrumb: lock,
        maintenancePause: null,
      }),
    );
    const z2 = await startStatusListener(
      zkfcStatus('nn2', { lockHolder: lock, breadcrumb: lock, maintenancePause: null }),
    );
    cleanups.push(
      () => z1.close(),
      () => z2.close(),
    );
    const conf = HadoopConfiguration.fromEntries(
      {
        'dfs.nameservices': 'ns1',
        'dfs.ha.namenodes.ns1': 'nn1,nn2',
        'dfs.namenode.rpc-address.ns1.nn1': `127.0.0.1:${nn1.rpcAddress.port}`,
        'dfs.namenode.rpc-address.ns1.nn2': `127.0.0.1:${nn2.rpcAddress.port}`,
        'dfs.ha.automatic-failover.enabled': 'true',
        'zkfc.http-address.ns1.nn1': `127.0.0.1:${z1.address.port}`,
        'zkfc.http-address.ns1.nn2': `127.0.0.1:${z2.address.port}`,
      },
      { env: {}, systemProperties: {} },
    );
    return { nn1, nn2, z2, conf };
  }

  it('GO (exit 0), then NO-GO (exit 255) once the target is unhealthy; --json; no NameNode changes', async () => {
    const { nn1, nn2, conf } = await setup();
    const go = await runHaAdminInProcess(['-failover', '--dry-run', 'nn1', 'nn2'], conf);
    expect(go.err).toEqual([]);
    expect(go.out.at(-1)).toBe('Verdict: GO');
    expect(exitCodeFor(go.status)).toBe(0);

    nn2.model.applyFault({ fault: 'unhealthy' });
    const noGo = await runHaAdminInProcess(['-failover', '-dry-run', 'nn1', 'nn2'], conf);
    expect(exitCodeFor(noGo.status)).toBe(255);
    expect(noGo.out).toContain(
      `FAIL  health of nn2: monitorHealth on 127.0.0.1:${nn2.rpcAddress.port} failed: ` +
        'The NameNode has no resources available',
    );
    const json = await runHaAdminInProcess(['-failover', '--dry-run', '--json', 'nn1', 'nn2'], conf);
    expect(exitCodeFor(json.status)).toBe(255);
    const document = JSON.parse(json.out.join('\n')) as { go: boolean; checks: Array<{ mark: string; check: string }> };
    expect(document.go).toBe(false);
    expect(document.checks.find((c) => c.check === 'health of nn2')?.mark).toBe('FAIL');

    expect(nn1.model.currentState()).toBe('ACTIVE');
    expect(nn2.model.currentState()).toBe('STANDBY');
  });

  it('bad use: --dry-run with --forcefence, --json without --dry-run, an unknown id', async () => {
    const { conf } = await setup();
    const forced = await runHaAdminInProcess(['-failover', '--dry-run', '--forcefence', 'nn1', 'nn2'], conf);
    expect(forced.err[0]).toBe('failover: incorrect arguments');
    expect(exitCodeFor(forced.status)).toBe(255);
    expect((await runHaAdminInProcess(['-failover', '--json', 'nn1', 'nn2'], conf)).err[0]).toBe(
      'failover: incorrect arguments',
    );
    const unknown = await runHaAdminInProcess(['-failover', '--dry-run', 'nn1', 'nn9'], conf);
    expect(exitCodeFor(unknown.status)).toBe(255);
    expect(unknown.out[1]).toMatch(/^FAIL {2}configuration: .*nn9/);
  });

  it('explain (and -explain, --json) on the active and the standby', async () => {
    const { conf } = await setup();
    const standbyRun = await runHaAdminInProcess(['explain', 'nn2'], conf);
    expect(standbyRun.status).toBe(0);
    expect(standbyRun.out.at(-1)).toBe('nn2 is standby because nn1 holds the lock and is healthy.');
    const activeRun = await runHaAdminInProcess(['-explain', 'nn1', '--json'], conf);
    const document = JSON.parse(activeRun.out.join('\n')) as { active: boolean; conclusion: string; facts: unknown[] };
    expect(document).toMatchObject({
      active: true,
      conclusion: 'nn1 is active because its zkfc holds the lock and it is healthy.',
    });
    expect(document.facts).toHaveLength(11);
    const bad = await runHaAdminInProcess(['explain'], conf);
    expect(bad.err).toEqual([
      'explain: incorrect number of arguments',
      'Usage: haadmin [-ns <nameserviceId>] [-explain <serviceId> [--json]]',
    ]);
  });
});
