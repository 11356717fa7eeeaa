// Goal: our ZKFCProtocol server answers Java-compatible clients: cedeActive's uint32 millisToCede
// read back as signed, the admin access check of ZKFCRpcServer (own user, dfs.cluster.administrators
// users and groups, everyone else refused with AccessControlException), and controller failures
// surfacing as ServiceFailedException. Method: the real RPC client over loopback TCP.
import { afterEach, describe, expect, it } from 'vitest';
import { AdminAcl } from '../../../src/hadoop/admin-acl.js';
import { RpcZkfcClientFactory } from '../../../src/hadoop/zkfc-client.js';
import { ZkfcRpcServer, zkfcBindHost } from '../../../src/hadoop/zkfc-rpc-server.js';
import { ServiceFailedError } from '../../../src/hadoop/ha-errors.js';
import { AccessControlError, RemoteError } from '../../../src/ipc/errors.js';
import { ControllerNotRunningError, FailoverServiceError, PeerCedeError } from '../../../src/runtime/errors.js';
import { silentLogger } from '../../../src/observability/logger.js';

const servers: ZkfcRpcServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(administrators: string, behaviour: { fail?: string | Error } = {}) {
  const calls: string[] = [];
  const server = new ZkfcRpcServer({
    host: '127.0.0.1',
    port: 0,
    administrators,
    loginUser: 'hdfs',
    logger: silentLogger(),
    acl: new AdminAcl(administrators, { groupsOf: (u) => (u === 'carol' ? ['hadoop-admins'] : []) }),
    handler: {
      async cedeActive(ms, caller) {
        calls.push(`cede ${ms} by ${caller}`);
        if (behaviour.fail)
          throw typeof behaviour.fail === 'string' ? new FailoverServiceError(behaviour.fail) : behaviour.fail;
      },
      async gracefulFailover(caller) {
        calls.push(`failover by ${caller}`);
        if (behaviour.fail)
          throw typeof behaviour.fail === 'string' ? new FailoverServiceError(behaviour.fail) : behaviour.fail;
      },
    },
  });
  servers.push(server);
  const address = await server.listen();
  return { address, calls };
}

function client(user: string, address: { host: string; port: number }) {
  return new RpcZkfcClientFactory({ effectiveUser: user }).create(address);
}

describe('ZkfcRpcServer', () => {
  it('accepts the ZKFC user and decodes millisToCede -1 as signed', async () => {
    const { address, calls } = await start(' ');
    const c = client('hdfs', address);
    await c.cedeActive(-1, 5000);
    await c.cedeActive(10000, 5000);
    await c.gracefulFailover(5000);
    c.close();
    expect(calls).toEqual([
      'cede -1 by hdfs at 127.0.0.1',
      'cede 10000 by hdfs at 127.0.0.1',
      'failover by hdfs at 127.0.0.1',
    ]);
  });

  it('refuses other users unless listed in dfs.cluster.administrators (users or groups)', async () => {
    const { address, calls } = await start('alice hadoop-admins');
    const mallory = client('mallory', address);
    await expect(mallory.gracefulFailover(5000)).rejects.toMatchObject({
      kind: 'failed',
      cause: expect.any(AccessControlError),
    });
    await expect(mallory.cedeActive(1000, 5000)).rejects.toThrow(
      /Disallowed RPC access from mallory .* Not listed in dfs.cluster.administrators/,
    );
    mallory.close();
    const alice = client('alice', address);
    await alice.cedeActive(1000, 5000);
    alice.close();
    const carol = client('carol', address);
    await carol.gracefulFailover(5000);
    carol.close();
    expect(calls).toEqual(['cede 1000 by alice at 127.0.0.1', 'failover by carol at 127.0.0.1']);
  });

  it('reports a controller failure as ServiceFailedException with its message', async () => {
    const { address } = await start('*', { fail: 'nn2 is not currently healthy. Cannot be failover target' });
    const c = client('anyone', address);
    const error = await c.gracefulFailover(5000).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'refused', cause: expect.any(ServiceFailedError) });
    expect((error as Error).message).toContain('not currently healthy');
    c.close();
  });

  it.each([
    ['a peer that could not be asked to cede', new PeerCedeError('Unable to cede nn2', 'nn2:8019')],
    ['a controller that is not running', new ControllerNotRunningError('ZK Failover Controller is stopped')],
  ])("reports %s as java.io.IOException, as Java's ZKFC lets it through", async (_name, failure) => {
    const { address } = await start('*', { fail: failure });
    const c = client('anyone', address);
    const error = await c.gracefulFailover(5000).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'failed', message: failure.message });
    expect(((error as Error).cause as RemoteError).className).toBe('java.io.IOException');
    c.close();
  });

  it('binds like ZKFCRpcServer: servicerpc-bind-host, else rpc-bind-host, else the NameNode service host', () => {
    expect(zkfcBindHost('0.0.0.0', '10.0.0.9', 'nn1.example.com')).toBe('0.0.0.0');
    expect(zkfcBindHost(undefined, '10.0.0.9', 'nn1.example.com')).toBe('10.0.0.9');
    expect(zkfcBindHost(' ', undefined, 'nn1.example.com')).toBe('nn1.example.com');
  });
});
