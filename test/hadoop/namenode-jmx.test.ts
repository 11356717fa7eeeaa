// Goal: the NameNode HTTP view rests on names and shapes real NameNodes have. Through our adapter
// (src/hadoop/namenode-jmx.ts) a real active and a real standby read as what they are: State and
// tag.HAState, /isActive 200 vs 405, safe mode off after start-up, transaction ids that are whole
// numbers, a standby's MillisSinceLastLoadedEdits present. Safe mode entered with Hadoop's own
// `dfsadmin -safemode enter` reads as on, with the NameNode's own text. Our daemons beside them
// show the view in /status. The simulator serves the same beans with the same attribute names and
// JSON types for every attribute the adapter reads (and JournalTransactionInfo's inner keys), and
// the captured answers the unit tests use (test/support/fixtures/namenode-jmx-3.4.2) still have
// the keys a live NameNode of that version answers with.
// Method: tools/testing/hadoop/real-cluster.ts (QJM, a DataNode, our zkfc beside each NameNode);
// the simulator in-process (tools/namenode-sim/sim-namenode.ts); plain fetch for the raw JSON.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RealCluster } from '../../tools/testing/hadoop/real-cluster.js';
import { NameNodeSimulator } from '../../tools/namenode-sim/sim-namenode.js';
import { NAMENODE_HTTP_PATHS, NameNodeJmxReader } from '../../src/hadoop/namenode-jmx.js';
import type { NameNodeHttpView } from '../../src/runtime/ports.js';
import type { ZkfcStatus } from '../../src/observability/status.js';
import { ensureDistBuilt } from '../support/e2e-zkfc.js';
import { ClusterSteps } from '../support/cluster-steps.js';
import { eventually } from '../../tools/testing/wait.js';

let cluster: RealCluster;
let sim: NameNodeSimulator | undefined;
const steps = new ClusterSteps(() => cluster?.baseDir);
const step = (fn: () => Promise<void>): Promise<void> => steps.step(fn);
const FIXTURES = join(import.meta.dirname, '../support/fixtures/namenode-jmx-3.4.2');

beforeAll(async () => {
  await ensureDistBuilt();
  cluster = await RealCluster.start({ healthRpcTimeoutMs: 5000 });
  await cluster.startController('nn1', 'ours');
  await cluster.waitForActive('nn1', 60_000);
  await cluster.startController('nn2', 'ours');
}, 240_000);

afterAll(async () => {
  await sim?.stop();
  await cluster?.stop({ keepLogs: steps.failed });
}, 60_000);

function reader(id: string): NameNodeJmxReader {
  return new NameNodeJmxReader({ httpAddress: { host: '127.0.0.1', port: cluster.node(id).httpPort } });
}

async function view(id: string): Promise<NameNodeHttpView> {
  const result = await reader(id).read(5000);
  if (!result.ok) throw new Error(`${id}: ${result.failure.kind}: ${result.failure.message}`);
  return result.view;
}

/** The first bean of a /jmx answer, raw. */
async function rawBean(base: string, path: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${base}${path}`, { signal: AbortSignal.timeout(5000) });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { beans: Record<string, unknown>[] };
  expect(body.beans).toHaveLength(1);
  return body.beans[0]!;
}

/** The attributes the adapter reads, by path. */
const READ: Readonly<Record<keyof typeof NAMENODE_HTTP_PATHS, readonly string[]>> = {
  status: ['name', 'State', 'NNRole', 'HostAndPort', 'LastHATransitionTime', 'SecurityEnabled'],
  namesystem: ['name', 'tag.HAState', 'MillisSinceLastLoadedEdits', 'LastWrittenTransactionId'],
  safemode: ['name', 'Safemode'],
  journal: ['name', 'JournalTransactionInfo'],
  isActive: [],
};

function typesOf(bean: Record<string, unknown>, keys: readonly string[]): Record<string, string> {
  return Object.fromEntries(keys.map((key) => [key, key in bean ? typeof bean[key] : 'absent']));
}

describe('the NameNode HTTP view on real NameNodes', () => {
  it('reads a real active and a real standby through the adapter', () =>
    step(async () => {
      // NameNodeStatus and /isActive are live; FSNamesystem (tag.HAState, MillisSinceLastLoadedEdits) is a
      // metrics2 snapshot that trails a transition by up to its 10 s cache: wait for it to catch up.
      const live = await view('nn1');
      expect(live).toMatchObject({ state: 'ACTIVE', isActive: true });
      const active = await eventually(
        async () => {
          const current = await view('nn1');
          expect(current).toMatchObject({ namesystemHAState: 'ACTIVE', millisSinceLastLoadedEdits: 0 });
          return current;
        },
        30_000,
        500,
      );
      // The standby's FSNamesystem snapshot may also be from before its first edits tailing (0):
      // TestHAMetrics waits the same way for a positive age.
      const standby = await eventually(
        async () => {
          const current = await view('nn2');
          expect(current.millisSinceLastLoadedEdits).toBeGreaterThan(0);
          return current;
        },
        30_000,
        500,
      );
      expect(active).toMatchObject({
        state: 'ACTIVE',
        namesystemHAState: 'ACTIVE',
        isActive: true,
        nnRole: 'NameNode',
        hostAndPort: `localhost:${cluster.node('nn1').rpcPort}`,
        securityEnabled: false,
        safemode: '',
        inSafemode: false,
        millisSinceLastLoadedEdits: 0,
      });
      expect(active.lastHATransitionTimeMs).toBeGreaterThan(Date.now() - 10 * 60_000);
      expect(standby).toMatchObject({
        state: 'STANDBY',
        namesystemHAState: 'STANDBY',
        isActive: false,
        hostAndPort: `localhost:${cluster.node('nn2').rpcPort}`,
        inSafemode: false,
        safemode: '',
      });
      for (const v of [active, standby]) {
        for (const txid of [v.lastAppliedOrWrittenTxId, v.mostRecentCheckpointTxId, v.lastWrittenTransactionId])
          expect(Number.isSafeInteger(txid) && txid >= 0).toBe(true);
      }
      expect(active.lastAppliedOrWrittenTxId).toBeGreaterThanOrEqual(1);
      // A standby tails edits: the age is there, a whole number of milliseconds, > 0 (TestHAMetrics asserts the same).
      expect(Number.isSafeInteger(standby.millisSinceLastLoadedEdits)).toBe(true);
      expect(standby.millisSinceLastLoadedEdits).toBeGreaterThan(0);
      expect(standby.lastAppliedOrWrittenTxId).toBeLessThanOrEqual(active.lastAppliedOrWrittenTxId);
    }));

  it('our daemons beside them show the view in /status (read every 5 s by default)', () =>
    step(async () => {
      await eventually(
        async () => {
          for (const [id, state] of [
            ['nn1', 'ACTIVE'],
            ['nn2', 'STANDBY'],
          ] as const) {
            const response = await fetch(`http://127.0.0.1:${cluster.node(id).statusPort}/status`, {
              signal: AbortSignal.timeout(3000),
            });
            const status = (await response.json()) as ZkfcStatus;
            expect(status.namenodeHttp).toMatchObject({
              url: `http://127.0.0.1:${cluster.node(id).httpPort}`,
              up: true,
              isActiveMismatch: false,
              view: { state, namesystemHAState: state, inSafemode: false },
            });
          }
        },
        30_000,
        500,
      );
    }));

  it("safe mode entered with Hadoop's dfsadmin reads as on, with the NameNode's text; leaving reads as off", () =>
    step(async () => {
      const fs = `hdfs://127.0.0.1:${cluster.node('nn2').rpcPort}`;
      const enter = await cluster.runJava(
        'dfsadmin',
        'org.apache.hadoop.hdfs.tools.DFSAdmin',
        ['-fs', fs, '-safemode', 'enter'],
        60_000,
        '96m',
      );
      expect(enter.code, enter.stderr).toBe(0);
      const on = await view('nn2');
      expect(on.inSafemode).toBe(true);
      expect(on.safemode).toBe(
        'Safe mode is ON. It was turned on manually. Use "hdfs dfsadmin -safemode leave" to turn safe mode off.',
      );
      const leave = await cluster.runJava(
        'dfsadmin',
        'org.apache.hadoop.hdfs.tools.DFSAdmin',
        ['-fs', fs, '-safemode', 'leave'],
        60_000,
        '96m',
      );
      expect(leave.code, leave.stderr).toBe(0);
      expect((await view('nn2')).inSafemode).toBe(false);
    }));

  it('the simulator answers with the same beans, attribute names and JSON types as a real NameNode', () =>
    step(async () => {
      sim = await NameNodeSimulator.start({ nameserviceId: 'ns1', namenodeId: 'nn1', initialState: 'STANDBY' });
      const simBase = `http://${sim.httpAddress.host}:${sim.httpAddress.port}`;
      const realBase = `http://127.0.0.1:${cluster.node('nn2').httpPort}`;
      for (const [part, keys] of Object.entries(READ)) {
        if (keys.length === 0) continue;
        const path = NAMENODE_HTTP_PATHS[part as keyof typeof NAMENODE_HTTP_PATHS];
        const [real, simulated] = await Promise.all([rawBean(realBase, path), rawBean(simBase, path)]);
        expect([path, typesOf(simulated, keys)]).toEqual([path, typesOf(real, keys)]);
        expect(simulated['name']).toBe(real['name']);
        expect(simulated['modelerType']).toBe(real['modelerType']);
        if (part === 'journal') {
          const inner = (bean: Record<string, unknown>): Record<string, string> => {
            const parsed = JSON.parse(String(bean['JournalTransactionInfo'])) as Record<string, unknown>;
            return Object.fromEntries(
              Object.keys(parsed)
                .sort()
                .map((key) => [key, typeof parsed[key]]),
            );
          };
          expect(inner(simulated)).toEqual(inner(real));
          expect(inner(real)).toEqual({ LastAppliedOrWrittenTxId: 'string', MostRecentCheckpointTxId: 'string' });
        }
        if (part === 'safemode' || part === 'journal') {
          // `get=` answers with name, modelerType and the one attribute, in both.
          expect(Object.keys(simulated).sort()).toEqual(Object.keys(real).sort());
        }
      }
      const [realIsActive, simIsActive] = await Promise.all([
        fetch(`${realBase}/isActive`, { signal: AbortSignal.timeout(5000) }),
        fetch(`${simBase}/isActive`, { signal: AbortSignal.timeout(5000) }),
      ]);
      expect([simIsActive.status, simIsActive.headers.get('connection')]).toEqual([
        realIsActive.status,
        realIsActive.headers.get('connection'),
      ]);
      expect(await simIsActive.text()).toContain('I am not Active!');
      expect(await realIsActive.text()).toContain('I am not Active!');
      // The servlet's error shapes: an unknown attribute, a malformed get.
      for (const path of ['/jmx?get=Hadoop:service=NameNode,name=NameNodeInfo::NoSuch', '/jmx?get=bad']) {
        const [real, simulated] = await Promise.all(
          [realBase, simBase].map(async (base) => {
            const body = await (await fetch(`${base}${path}`, { signal: AbortSignal.timeout(5000) })).json();
            return JSON.parse(JSON.stringify(body).replace(/"modelerType":"[^"]*"/, '"modelerType":"-"')) as unknown;
          }),
        );
        expect([path, simulated]).toEqual([path, real]);
      }
    }));

  it('the captured answers of the unit tests still have the keys live NameNodes answer with', () =>
    step(async () => {
      if (cluster.hadoopVersion !== '3.4.2') {
        // Other versions add metrics: only what the adapter reads must be there (checked above).
        expect((await view('nn2')).state).toBe('STANDBY');
        return;
      }
      for (const [id, file, path] of [
        ['nn1', 'nn1-NameNodeStatus.json', NAMENODE_HTTP_PATHS.status],
        ['nn1', 'nn1-FSNamesystem.json', NAMENODE_HTTP_PATHS.namesystem],
        ['nn2', 'nn2-FSNamesystem.json', NAMENODE_HTTP_PATHS.namesystem],
        ['nn2', 'nn2-NameNodeInfo-Safemode.json', NAMENODE_HTTP_PATHS.safemode],
        ['nn2', 'nn2-NameNodeInfo-JournalTransactionInfo.json', NAMENODE_HTTP_PATHS.journal],
      ] as const) {
        const live = await rawBean(`http://127.0.0.1:${cluster.node(id).httpPort}`, path);
        const captured = (
          JSON.parse(readFileSync(join(FIXTURES, file), 'utf8')) as { beans: Record<string, unknown>[] }
        ).beans[0]!;
        expect([file, Object.keys(live).sort()]).toEqual([file, Object.keys(captured).sort()]);
      }
    }));
});
