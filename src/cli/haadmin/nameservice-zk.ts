// What the haadmin commands that read or write the nameservice's znodes themselves (-pause, -resume,
// -history; not in Hadoop) share: the nameservice they act on, and a ZooKeeper session opened as the
// zkfcs open theirs (ha.zookeeper.quorum, session timeout, auth, TLS, SASL), with the working znode and ACL.

import { findHadoopConfDir } from '../../config/conf-dir.js';
import { openCredentialProviders, settingsFromConf } from '../../config/load.js';
import type { ZkfcSettings } from '../../config/schema.js';
import { resolveNameserviceId } from '../../config/topology.js';
import type { ZkAcl, ZkSession } from '../../runtime/ports.js';
import { SystemClock } from '../../runtime/system-clock.js';
import { connectOnce } from '../../runtime/zk-connect.js';
import { silentLogger } from '../../observability/logger.js';
import { zkAclFromConfig, zkAuthFromConfig } from '../../zookeeper/acl.js';
import { NodeZkSessionFactory } from '../../zookeeper/node-zk-session.js';
import { electorPaths } from '../../zookeeper/paths.js';
import { zkTlsConfig } from '../../daemon/zk-tls.js';
import { loadZkTlsConnector } from '../../zookeeper/tls-loader.js';
import { loadZkSaslAuthenticator, zkSaslConfig } from '../../daemon/zk-sasl.js';
import { IllegalArgumentError, type HaAdminContext } from './context.js';

/** The nameservice of -ns (else the configured or only one); `what` names the commands refused for ResourceManagers. */
export async function nameserviceOf(ctx: HaAdminContext, what: string): Promise<string> {
  if (ctx.service === 'resourcemanager')
    throw new IllegalArgumentError(`${what} apply to the NameNodes of a nameservice, not to ResourceManagers`);
  return (await ctx.currentNameserviceId()) ?? resolveNameserviceId(ctx.conf, undefined);
}

export interface NameserviceZooKeeper {
  readonly session: ZkSession;
  /** <ha.zookeeper.parent-znode>/<nameservice>. */
  readonly workingDir: string;
  readonly acl: readonly ZkAcl[];
  readonly settings: ZkfcSettings;
}

/** Connect to the nameservice's ZooKeeper (rejects with ZkUnavailableError); the caller closes the session. */
export async function openNameserviceZooKeeper(
  ctx: HaAdminContext,
  nameserviceId: string,
): Promise<NameserviceZooKeeper> {
  // ha.zookeeper.auth and the TLS passwords may be in the credential providers (Configuration#getPassword).
  const env = process.env;
  const credentials = await openCredentialProviders(
    settingsFromConf(ctx.conf, nameserviceId),
    findHadoopConfDir(env).dir,
    env,
  );
  const settings = settingsFromConf(ctx.conf, nameserviceId, credentials);
  if (settings.zk.quorum.trim() === '')
    throw new IllegalArgumentError("Missing required configuration 'ha.zookeeper.quorum' for ZooKeeper quorum");
  const tlsConfig = zkTlsConfig(settings);
  const tls = tlsConfig === undefined ? undefined : await loadZkTlsConnector(tlsConfig);
  // SASL as the zkfcs authenticate (the JAAS Client section; a keytab login of its own, removed on close).
  const clock = new SystemClock();
  const saslConfig = zkSaslConfig(settings);
  const sasl = saslConfig === undefined ? undefined : await loadZkSaslAuthenticator(saslConfig, { clock });
  const factory = new NodeZkSessionFactory({
    clock,
    logger: silentLogger(),
    ...(tls !== undefined ? { tls } : {}),
    ...(sasl !== undefined ? { sasl } : {}),
  });
  let session: ZkSession;
  try {
    session = await connectOnce(factory, {
      connectString: settings.zk.quorum,
      sessionTimeoutMs: settings.zk.sessionTimeoutMs,
      authInfo: zkAuthFromConfig(settings.zk.auth ?? undefined),
      operationTimeoutMs: settings.zk.operationTimeoutMs,
    });
  } catch (error) {
    sasl?.stop();
    throw error;
  }
  if (sasl !== undefined) {
    const close = session.close.bind(session);
    session.close = async () => {
      await close();
      sasl.stop();
    };
  }
  const { workingDir } = electorPaths(settings.zk.parentZnode, nameserviceId);
  return { session, workingDir, acl: zkAclFromConfig(settings.zk.acl), settings };
}
