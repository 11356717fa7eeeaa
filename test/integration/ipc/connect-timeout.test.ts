// Goal: the IPC client's connect timeout holds against a black-holed port: the connect fails with
// a typed RpcConnectError (ETIMEDOUT, timedOut) within connectTimeoutMs, and the connection is left
// closed. Needs root and iptables, hence an integration test (test/unit uses only in-process TCP).
// Method: a real iptables DROP on a free loopback port (test/support/iptables.ts), always removed.

import { afterEach, expect, it } from 'vitest';
import {
  MonitorHealthRequestProtoSchema,
  MonitorHealthResponseProtoSchema,
} from '../../../src/gen/HAServiceProtocol_pb.js';
import { IpcConnection } from '../../../src/ipc/client.js';
import { RpcConnectError } from '../../../src/ipc/errors.js';
import { HA_SERVICE_PROTOCOL } from '../../../src/hadoop/protocol-names.js';
import { freePort } from '../../../tools/testing/net.js';
import { blockLoopbackPort, type PortBlock } from '../../support/iptables.js';

let block: PortBlock | undefined;
let connection: IpcConnection | undefined;

afterEach(async () => {
  connection?.close();
  await block?.remove();
});

it('connect timeout: a black-holed port (iptables DROP) fails within connectTimeoutMs', async () => {
  const port = await freePort();
  block = await blockLoopbackPort(port);
  connection = new IpcConnection({
    address: { host: '127.0.0.1', port },
    protocol: HA_SERVICE_PROTOCOL,
    effectiveUser: 'hdfs',
    connectTimeoutMs: 300,
  });
  const started = performance.now();
  const error = await connection
    .call('monitorHealth', MonitorHealthRequestProtoSchema, {}, MonitorHealthResponseProtoSchema, 10_000)
    .catch((e: unknown) => e);
  const elapsed = performance.now() - started;
  expect(error).toBeInstanceOf(RpcConnectError);
  expect(error).toMatchObject({ errno: 'ETIMEDOUT', timedOut: true });
  expect(elapsed).toBeGreaterThanOrEqual(290);
  expect(elapsed).toBeLessThan(3_000);
  expect(connection.connected).toBe(false);
});
