// Goal: a shell() fencing command run by a daemon during a real failover can neither leak the
// secrets it receives into the log nor leave processes behind: a script that prints its whole
// environment and starts a daemonised grandchild (setsid -f) fences the old active, and afterwards
// the daemon's log holds none of the secrets (ha.zookeeper.auth, its password, a keystore password,
// a sensitive variable of the daemon's environment) while the grandchild is gone.
// Method: a real nameservice with ZooKeeper credentials and a digest ACL; the active NameNode is
// made unhealthy and refuses to stand down, so the standby's daemon must fence it with the script.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestAclId } from '../../src/zookeeper/acl.js';
import { processAlive } from '../../tools/testing/processes.js';
import { startAbuseCluster, stopAbuseCluster, type AbuseCluster } from './harness.js';
import { waitUntil } from '../../tools/testing/wait.js';

const ZK_PASSWORD = 'abuse-zk-password-1';
const KEYSTORE_PASSWORD = 'abuse-keystore-password-2';
const ENV_SECRET = 'abuse-env-secret-3';

const baseDir = mkdtempSync(join(tmpdir(), 'zkfc-abuse-fencing-'));
const escapeePidFile = join(baseDir, 'escapee.pid');
// Prints everything it was given, leaves a daemonised grandchild behind, then fences as the
// mini cluster's own script does (kills the NameNode named by the breadcrumb).
const fencingCommand =
  `shell(env; echo "auth is $ha_zookeeper_auth"; ` +
  `setsid -f sh -c 'echo $$ > ${escapeePidFile}; exec sleep 600' >/dev/null 2>&1; ` +
  `while [ ! -s ${escapeePidFile} ]; do sleep 0.05; done; ` +
  `${join(baseDir, 'fence-nn.sh')} ${baseDir}/nn-$target_namenodeid.pid)`;

let setup: AbuseCluster | undefined;
beforeAll(async () => {
  setup = await startAbuseCluster({
    baseDir,
    fencingMethods: fencingCommand,
    extraConf: {
      'ha.zookeeper.auth': `digest:hdfs:${ZK_PASSWORD}`,
      'ha.zookeeper.acl': `digest:${digestAclId('hdfs', ZK_PASSWORD)}:rwcda`,
      'ssl.server.keystore.password': KEYSTORE_PASSWORD,
    },
    zkfcEnv: { DB_PASSWORD: ENV_SECRET },
  });
});
afterAll(async () => {
  await stopAbuseCluster(setup?.cluster);
});

describe('abuse: a fencing script that prints its secrets and leaves a setsid escapee', () => {
  it('fences, its output is logged with every secret redacted, and the escapee is killed', async () => {
    const { cluster, active, standby } = setup!;
    await cluster.namenodeFault(active, 'refuse-transitions');
    await cluster.namenodeFault(active, 'unhealthy');
    await cluster.waitForActive(40_000, standby);
    const log = await waitUntil(
      () => {
        const text = readFileSync(cluster.node(standby).zkfcLog, 'utf8');
        return text.includes('"msg":"fencing command left processes running; killed them"') ? text : undefined;
      },
      20_000,
      'the fencing command ran and its leftovers were killed',
    );
    // The script really printed its environment into the log ...
    expect(log).toContain('ha_zookeeper_auth=[redacted]');
    expect(log).toContain('ssl_server_keystore_password=[redacted]');
    expect(log).toContain('auth is [redacted]');
    expect(log).toContain('DB_PASSWORD=[redacted]');
    // ... and no secret (nor its password part) reached it.
    for (const secret of [ZK_PASSWORD, `hdfs:${ZK_PASSWORD}`, KEYSTORE_PASSWORD, ENV_SECRET])
      expect(log).not.toContain(secret);
    // The daemonised grandchild did not outlive the fencing command.
    const escapee = Number(readFileSync(escapeePidFile, 'utf8').trim());
    expect(escapee).toBeGreaterThan(1);
    await waitUntil(() => !processAlive(escapee), 5_000, `escapee ${escapee} gone`);
  });
});
