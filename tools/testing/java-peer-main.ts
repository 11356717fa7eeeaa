// Entry point of the Java-compatible ZKFC peer (tools/testing/java-peer.ts) as its own process, so
// the fault catalogue can kill -9 or SIGSTOP it like any controller:
//   node build/tools/testing/java-peer-main.js --quorum H:P,... --session-timeout-ms N --parent-znode /hadoop-ha
//     --nameservice ns1 --self nn2 --namenode nn1=127.0.0.1:RPC:ZKFC --namenode nn2=...
//     --check-interval-ms N --health-rpc-timeout-ms N --graceful-fence-timeout-ms N
//     --fence-command CMD --fence-timeout-ms N --status-file PATH [--log-level info]
// The HDFS superuser for NameNode RPCs comes from HADOOP_USER_NAME (else the login user).
// SIGTERM/SIGINT: quit the election as Java's shutdown does (lock released, breadcrumb kept), exit 0.

import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { createLogger } from '../../src/observability/logger.js';
import { JavaCompatiblePeer, type JavaPeerNamenode } from './java-peer.js';

function parseNamenode(text: string): JavaPeerNamenode {
  const match = /^([^=]+)=([^:]+):(\d+):(\d+)$/.exec(text);
  if (match === null) throw new Error(`--namenode wants id=host:rpcPort:zkfcPort, got '${text}'`);
  return { namenodeId: match[1]!, host: match[2]!, port: Number(match[3]), zkfcPort: Number(match[4]) };
}

function positiveInt(name: string, value: string | undefined): number {
  const n = Number(value);
  if (value === undefined || !Number.isInteger(n) || n <= 0)
    throw new Error(`--${name} wants a positive integer, got '${value ?? ''}'`);
  return n;
}

function main(): void {
  const { values } = parseArgs({
    options: {
      quorum: { type: 'string' },
      'session-timeout-ms': { type: 'string' },
      'parent-znode': { type: 'string', default: '/hadoop-ha' },
      nameservice: { type: 'string' },
      self: { type: 'string' },
      namenode: { type: 'string', multiple: true },
      'check-interval-ms': { type: 'string', default: '1000' },
      'health-rpc-timeout-ms': { type: 'string', default: '45000' },
      'graceful-fence-timeout-ms': { type: 'string', default: '5000' },
      'new-active-timeout-ms': { type: 'string', default: '60000' },
      'fence-command': { type: 'string' },
      'fence-timeout-ms': { type: 'string', default: '30000' },
      'status-file': { type: 'string' },
      'log-level': { type: 'string', default: 'info' },
    },
    strict: true,
  });
  const namenodes = (values.namenode ?? []).map(parseNamenode);
  const self = namenodes.find((n) => n.namenodeId === values.self);
  if (
    values.quorum === undefined ||
    values.nameservice === undefined ||
    self === undefined ||
    values['fence-command'] === undefined ||
    values['status-file'] === undefined
  ) {
    throw new Error(
      'java-peer needs --quorum, --nameservice, --self (one of the --namenode ids), --fence-command and --status-file',
    );
  }
  const logger = createLogger({ level: values['log-level'] }).child({
    nameservice: values.nameservice,
    namenode: self.namenodeId,
  });
  const peer = new JavaCompatiblePeer({
    connectString: values.quorum,
    sessionTimeoutMs: positiveInt('session-timeout-ms', values['session-timeout-ms']),
    parentZnode: values['parent-znode'],
    nameserviceId: values.nameservice,
    self,
    namenodes,
    checkIntervalMs: positiveInt('check-interval-ms', values['check-interval-ms']),
    healthRpcTimeoutMs: positiveInt('health-rpc-timeout-ms', values['health-rpc-timeout-ms']),
    gracefulFenceTimeoutMs: positiveInt('graceful-fence-timeout-ms', values['graceful-fence-timeout-ms']),
    newActiveRpcTimeoutMs: positiveInt('new-active-timeout-ms', values['new-active-timeout-ms']),
    fenceCommand: values['fence-command'],
    fenceTimeoutMs: positiveInt('fence-timeout-ms', values['fence-timeout-ms']),
    effectiveUser: process.env['HADOOP_USER_NAME'] ?? userInfo().username,
    statusFile: values['status-file'],
    logger,
  });
  const stop = (signal: string) => {
    logger.info({ signal }, 'java-compatible peer stopping');
    void peer.stop().then(() => setTimeout(() => process.exit(0), 50));
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  peer.start();
}

try {
  main();
} catch (error) {
  process.stderr.write(`java-peer: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
