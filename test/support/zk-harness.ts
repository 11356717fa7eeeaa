// Test-side entry point of the real-ZooKeeper harness. The implementation lives in
// src/testing/zk-server.ts (no vitest imports) so plain Node scripts, the sandbox and the
// benchmark can use the same code; tests import it from here.

export {
  pickFreePorts,
  sendFourLetterWord,
  startZooKeeper,
  ZOOKEEPER_INSTALL_HINT,
  type StartZooKeeperOptions,
  type ZooKeeperEnsemble,
  type ZooKeeperMember,
  type ZooKeeperMemberState,
  type ZooKeeperMode,
} from '../../src/testing/zk-server.js';
