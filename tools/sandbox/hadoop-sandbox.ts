// `npm start -- --hadoop`: the sandbox on real Hadoop. ZooKeeper, three JournalNodes, two real
// NameNodes and a DataNode from Maven's jars (tools/testing/hadoop/real-cluster.ts), with our zkfc
// daemons beside the NameNodes; prints how to write a file with Hadoop's own client and how to
// fail over with Hadoop's and our haadmin, then shows `haadmin -getAllServiceState` every few
// seconds until Ctrl-C. `--check` runs a scripted crash failover and a graceful one, and exits.

import { join } from 'node:path';
import { MAIN, RealCluster } from '../testing/hadoop/real-cluster.js';
import { REPO_ROOT } from '../testing/mini-cluster.js';
import { sleep } from '../testing/wait.js';

export interface HadoopSandboxOptions {
  readonly check: boolean;
  readonly out: (text: string) => void;
}

export async function runHadoopSandbox(options: HadoopSandboxOptions): Promise<number> {
  const { out } = options;
  out('starting ZooKeeper, JournalNodes, NameNodes and a DataNode from Maven (first run resolves Hadoop) ...\n');
  const cluster = await RealCluster.start({ sessionTimeoutMs: 10_000, checkIntervalMs: 1000 });
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    out('\nstopping the sandbox ...\n');
    await cluster.stop();
  };
  process.once('SIGINT', () => void stop().then(() => process.exit(0)));
  process.once('SIGTERM', () => void stop().then(() => process.exit(0)));
  try {
    await cluster.startController('nn1', 'ours');
    await cluster.waitForActive('nn1', 60_000);
    await cluster.startController('nn2', 'ours');
    out(describe(cluster));
    if (options.check) {
      const crashAt = Date.now();
      await cluster.killNameNode('nn1');
      await cluster.waitForActive('nn2', 60_000);
      out(`check: nn2 is active ${Date.now() - crashAt} ms after nn1 was killed\n`);
      await cluster.startNameNode('nn1');
      await cluster.waitFor(async () => (await cluster.haState('nn1')) === 'standby', 90_000, 'nn1 back as standby');
      let failover = await cluster.hadoopHaAdmin(['-failover', 'nn2', 'nn1']);
      for (let i = 0; i < 30 && failover.code !== 0; i++) {
        await sleep(1000);
        failover = await cluster.hadoopHaAdmin(['-failover', 'nn2', 'nn1']);
      }
      out(`check: Hadoop's haadmin -failover nn2 nn1: ${failover.stdout.trim() || failover.stderr.trim()}\n`);
      const ok = failover.code === 0 && (await cluster.activeNameNodes()).join() === 'nn1';
      out(ok ? 'check OK\n' : 'check FAILED\n');
      await stop();
      return ok ? 0 : 1;
    }
    for (;;) {
      const all = await cluster.ourHaAdmin(['-getAllServiceState']);
      out(`$ haadmin -getAllServiceState   (${new Date().toLocaleTimeString()})\n${all.stdout}`);
      await sleep(3000);
    }
  } catch (error) {
    out(`sandbox failed: ${(error as Error).message}\n`);
    await stop();
    return 1;
  }
}

function describe(cluster: RealCluster): string {
  const java = `java -cp '${cluster.classpath}'`;
  const lines = [
    '',
    `Real Hadoop ${cluster.hadoopVersion} nameservice ns1, configuration in ${cluster.confDir}`,
    ...[...cluster.nodes.values()].map(
      (n) =>
        `  ${n.id}: NameNode rpc 127.0.0.1:${n.rpcPort}, http http://127.0.0.1:${n.httpPort}, ` +
        `zkfc rpc ${n.zkfcPort}, zkfc status http://127.0.0.1:${n.statusPort}/status ` +
        `(page http://127.0.0.1:${n.statusPort}/)`,
    ),
    '',
    "Write and read a file with Hadoop's client (through the nameservice, ConfiguredFailoverProxyProvider):",
    `  ${java} ${MAIN.fsShell} -put /etc/hostname /hello.txt`,
    `  ${java} ${MAIN.fsShell} -cat /hello.txt`,
    "Fail over gracefully, with Hadoop's haadmin or ours:",
    `  ${java} ${MAIN.haAdmin} -failover nn1 nn2`,
    `  HADOOP_CONF_DIR=${cluster.confDir} node ${join(REPO_ROOT, 'bin/haadmin.js')} -failover nn2 nn1`,
    `Crash the active: kill -9 $(cat ${cluster.node('nn1').pidFile})   (our zkfc fences it and promotes the standby)`,
    'Logs: ' + cluster.logsDir,
    '',
  ];
  return lines.join('\n') + '\n';
}
