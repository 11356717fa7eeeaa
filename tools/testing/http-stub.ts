// Plain HTTP servers on 127.0.0.1 standing in for a NameNode's HTTP side (JMX, /isActive,
// /stacks) in tests, written once: each serves a handler on a port of its own, and closeAll()
// destroys the connections still open (a handler that never answers keeps one) and closes them.

import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export class HttpStubs {
  private readonly servers: http.Server[] = [];
  private readonly sockets = new Set<Socket>();

  /** Serve `handler` on a free loopback port; resolves to the port. */
  async serve(handler: http.RequestListener): Promise<number> {
    const server = http.createServer(handler);
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    this.servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return (server.address() as AddressInfo).port;
  }

  /** Client connections the servers hold open now (a client that closes its own leaves none). */
  get openConnections(): number {
    return this.sockets.size;
  }

  /** Destroy every open connection and close every server (afterEach). */
  async closeAll(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    await Promise.all(this.servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
  }
}
