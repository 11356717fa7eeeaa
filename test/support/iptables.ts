// Loopback partitions for tests: DROP every TCP packet to and from one local port with iptables,
// so a client's connection to that server goes silent (no RST, no FIN) the way a network
// partition looks. Rules are removed by the returned handle, and, as a safety net, on process
// exit. Needs root (CAP_NET_ADMIN) and the iptables package; otherwise fails with how to get them.

import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const IPTABLES_INSTALL_HINT =
  'partition tests need iptables and root (CAP_NET_ADMIN): apt-get install -y --no-install-recommends iptables ' +
  '(or run scripts/ensure-deps.sh as root), then run the tests as root';

/** The two rules (inbound to the port, inbound from the port) that cut a loopback server off. */
function rulesFor(port: number): string[][] {
  return [
    ['INPUT', '-i', 'lo', '-p', 'tcp', '--dport', String(port), '-j', 'DROP'],
    ['INPUT', '-i', 'lo', '-p', 'tcp', '--sport', String(port), '-j', 'DROP'],
  ];
}

const active = new Set<number>();
let exitHookInstalled = false;

function removeAllSync(): void {
  for (const port of active) {
    for (const rule of rulesFor(port)) {
      try {
        execFileSync('iptables', ['-w', '10', '-D', ...rule], { stdio: 'ignore' });
      } catch {
        // already gone
      }
    }
  }
  active.clear();
}

export interface PortBlock {
  readonly port: number;
  /** Delete the rules. Idempotent. */
  remove(): Promise<void>;
}

/** Fail with an install hint unless iptables works here. */
export async function assertIptablesUsable(): Promise<void> {
  try {
    await run('iptables', ['-w', '10', '-L', 'INPUT', '-n']);
  } catch (error) {
    throw new Error(`${IPTABLES_INSTALL_HINT} (iptables -L failed: ${(error as Error).message.split('\n')[0]})`, {
      cause: error,
    });
  }
}

/** Silently drop all loopback TCP traffic to and from `port` until remove() is called. */
export async function blockLoopbackPort(port: number): Promise<PortBlock> {
  await assertIptablesUsable();
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', removeAllSync);
  }
  active.add(port);
  const inserted: string[][] = [];
  try {
    for (const rule of rulesFor(port)) {
      await run('iptables', ['-w', '10', '-I', ...rule]);
      inserted.push(rule);
    }
  } catch (error) {
    for (const rule of inserted) await run('iptables', ['-w', '10', '-D', ...rule]).catch(() => undefined);
    active.delete(port);
    throw new Error(`${IPTABLES_INSTALL_HINT} (iptables -I failed: ${(error as Error).message.split('\n')[0]})`, {
      cause: error,
    });
  }
  let removed = false;
  return {
    port,
    async remove() {
      if (removed) return;
      removed = true;
      for (const rule of rulesFor(port)) await run('iptables', ['-w', '10', '-D', ...rule]).catch(() => undefined);
      active.delete(port);
    },
  };
}
