// Free loopback ports for tests and tools, written once. Ports are picked at random below Linux's
// ephemeral range (so outgoing connections cannot take them meanwhile) and verified by binding
// them; a process that binds one later may still lose a race, which the harnesses retry.

import { createServer, type Server } from 'node:net';

const PORT_RANGE_LOW = 20000;
const PORT_RANGE_HIGH = 32000;
function listenOnce(host: string, port: number): Promise<Server | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen({ host, port, exclusive: true }, () => resolve(server));
  });
}

/**
 * Pick `count` distinct ports that are free right now on `host`: random ports below the ephemeral
 * range, each verified by binding it (all held at once, then released). A JVM may still lose a race
 * for one; startZooKeeper() then retries with new ports.
 */
export async function pickFreePorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  const held: Server[] = [];
  const ports: number[] = [];
  try {
    for (let tries = 0; ports.length < count; tries++) {
      if (tries > count * 200)
        throw new Error(`could not find ${count} free ports on ${host} in ${PORT_RANGE_LOW}-${PORT_RANGE_HIGH}`);
      const port = PORT_RANGE_LOW + Math.floor(Math.random() * (PORT_RANGE_HIGH - PORT_RANGE_LOW));
      if (ports.includes(port)) continue;
      const server = await listenOnce(host, port);
      if (server === undefined) continue;
      held.push(server);
      ports.push(port);
    }
    return ports;
  } finally {
    await Promise.all(held.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  }
}

/** One free port on `host`. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const [port] = await pickFreePorts(1, host);
  if (port === undefined) throw new Error(`no free port on ${host}`);
  return port;
}
