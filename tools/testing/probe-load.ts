// Load of repeated health probes on NameNodes, as monitoring systems and busy clients put on a
// real cluster: `concurrency` Hadoop IPC connections per NameNode, each calling getServiceStatus
// then monitorHealth back to back until stopped. Used by the catalogue's "graceful failover under
// load" scenario and the chaos runner. Errors (a NameNode being fenced or restarted) are counted,
// never thrown; a failed connection is retried after a short pause.

import { RpcHAServiceClientFactory } from '../../src/hadoop/ha-service-client.js';
import type { HostPort } from '../../src/core/types.js';
import { sleep } from './wait.js';

export interface ProbeLoadStats {
  readonly calls: number;
  readonly errors: number;
}

export class HealthProbeLoad {
  private running = true;
  private calls = 0;
  private errors = 0;
  private readonly loops: Promise<void>[] = [];

  constructor(
    targets: readonly HostPort[],
    options: { readonly concurrency?: number; readonly effectiveUser: string; readonly rpcTimeoutMs?: number },
  ) {
    const factory = new RpcHAServiceClientFactory({ effectiveUser: options.effectiveUser, connectTimeoutMs: 2000 });
    const timeoutMs = options.rpcTimeoutMs ?? 5000;
    for (const target of targets) {
      for (let i = 0; i < (options.concurrency ?? 4); i++) {
        this.loops.push(
          (async () => {
            const client = factory.create(target);
            try {
              while (this.running) {
                try {
                  await client.getServiceStatus(timeoutMs);
                  await client.monitorHealth(timeoutMs);
                  this.calls += 2;
                } catch {
                  this.errors++;
                  await sleep(20);
                }
              }
            } finally {
              client.close();
            }
          })(),
        );
      }
    }
  }

  stats(): ProbeLoadStats {
    return { calls: this.calls, errors: this.errors };
  }

  async stop(): Promise<ProbeLoadStats> {
    this.running = false;
    await Promise.all(this.loops);
    return this.stats();
  }
}
