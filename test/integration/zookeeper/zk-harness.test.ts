// Goal: the ZooKeeper harness starts real servers (Debian's libzookeeper-java) on free loopback
// ports, controls members (kill, stop, pause, resume, restart), finds the leader, cleans up after
// itself (no JVM left, even when the owning Node process is SIGKILLed) and fails with an
// install hint when java or the jar is missing.
// Method: start a standalone server and a 3-member ensemble with tick 250 ms, observe them only
// from outside (four-letter words, /proc, TCP connects), and run the harness in a child Node
// process (transpiled by ./helpers.ts's transpileForChildProcess) that is then SIGKILLed.

import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startZooKeeper, ZOOKEEPER_INSTALL_HINT, type ZooKeeperEnsemble } from '../../../tools/testing/zk-server.js';
import { processAlive } from '../../../tools/testing/processes.js';
import { waitUntil } from '../../../tools/testing/wait.js';
import { transpileForChildProcess } from './helpers.js';

const INSTALL_TEXT = 'apt-get install -y --no-install-recommends libzookeeper-java default-jre-headless';

function processGroupOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[2]);
}

function portAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('zk harness: prerequisites', () => {
  it('fails with the install command when the ZooKeeper jar is missing', async () => {
    await expect(startZooKeeper({ zookeeperJar: '/nonexistent/zookeeper.jar' })).rejects.toThrow(INSTALL_TEXT);
    expect(ZOOKEEPER_INSTALL_HINT).toContain('scripts/ensure-deps.sh');
  });

  it('fails with the install command when java is missing', async () => {
    await expect(startZooKeeper({ javaPath: '/nonexistent/bin/java' })).rejects.toThrow(INSTALL_TEXT);
  });
});

describe('zk harness: standalone server', () => {
  let zk: ZooKeeperEnsemble | undefined;
  afterEach(async () => {
    await zk?.stopAll();
  });

  it('serves on a free loopback port, answers four-letter words, and leaves nothing behind', async () => {
    zk = await startZooKeeper({ tickMs: 250, minSessionMs: 500, maxSessionMs: 5000 });
    const member = zk.member(1);
    expect(zk.connectString).toBe(`127.0.0.1:${member.clientPort}`);
    expect(await zk.mode(1)).toBe('standalone');
    expect(await zk.leader()).toBe(1);
    expect(await zk.fourLetterWord(1, 'ruok')).toBe('imok');
    const conf = await zk.fourLetterWord(1, 'conf');
    expect(conf).toMatch(/tickTime=250/);
    expect(conf).toMatch(/minSessionTimeout=500/);
    expect(conf).toMatch(/maxSessionTimeout=5000/);
    const pid = member.pid as number;
    expect(processGroupOf(pid)).toBe(pid); // own process group
    const baseDir = zk.baseDir;

    await zk.stopAll();
    expect(processAlive(pid)).toBe(false);
    expect(member.state).toBe('stopped');
    expect(await portAccepts(member.clientPort)).toBe(false);
    expect(existsSync(baseDir)).toBe(false);
    await zk.stopAll(); // idempotent
  });

  it('pause hangs the server, resume brings it back, stop and restart keep the port', async () => {
    zk = await startZooKeeper({ tickMs: 250 });
    zk.pause(1);
    expect(zk.member(1).state).toBe('paused');
    await expect(zk.fourLetterWord(1, 'srvr', 500)).rejects.toThrow(/no reply/);
    zk.resume(1);
    expect(await zk.mode(1)).toBe('standalone');
    const firstPid = zk.member(1).pid;
    await zk.stop(1);
    expect(zk.member(1).state).toBe('stopped');
    expect(await zk.mode(1)).toBeUndefined();
    await zk.restart(1);
    expect(zk.member(1).pid).not.toBe(firstPid);
    expect(await zk.mode(1)).toBe('standalone');
  });
});

describe('zk harness: 3-member ensemble', () => {
  let zk: ZooKeeperEnsemble | undefined;
  afterAll(async () => {
    await zk?.stopAll();
  });

  it('elects a leader, replaces a killed leader, and takes a restarted member back', async () => {
    zk = await startZooKeeper({ nodes: 3, tickMs: 250, syncLimitTicks: 4 });
    expect(zk.connectString.split(',')).toHaveLength(3);
    const modes = await Promise.all([1, 2, 3].map((id) => zk!.mode(id)));
    expect(modes.filter((mode) => mode === 'leader')).toHaveLength(1);
    expect(modes.filter((mode) => mode === 'follower')).toHaveLength(2);
    const ports = zk.members.flatMap((m) => [m.clientPort, m.quorumPort, m.electionPort]);
    expect(new Set(ports).size).toBe(9);

    const oldLeader = await zk.leader();
    await zk.kill(oldLeader);
    expect(zk.member(oldLeader).state).toBe('stopped');
    const newLeader = await zk.leader(20_000);
    expect(newLeader).not.toBe(oldLeader);

    await zk.restart(oldLeader);
    expect(await zk.mode(oldLeader)).toBe('follower');
  });

  it('a paused member does not answer; after resume it serves again', async () => {
    const ensemble = zk!;
    const leader = await ensemble.leader();
    const follower = [1, 2, 3].find((id) => id !== leader) as number;
    ensemble.pause(follower);
    expect(ensemble.member(follower).state).toBe('paused');
    // The kernel still accepts the TCP connection, but the hung JVM never answers.
    await expect(ensemble.fourLetterWord(follower, 'srvr', 700)).rejects.toThrow(/no reply/);
    expect(await ensemble.mode(follower, 500)).toBeUndefined();
    ensemble.resume(follower);
    await ensemble.waitServing(follower, 30_000);
    expect(await ensemble.mode(follower)).toMatch(/^(leader|follower)$/);
  });
});

describe('zk harness: owner process dies', () => {
  it('kills the JVM when the Node process that started it is SIGKILLed', async () => {
    // The harness and every module it imports, transpiled, run in a child process.
    const dir = await transpileForChildProcess('tools/testing/zk-server.ts');
    try {
      writeFileSync(
        join(dir, 'main.mjs'),
        `import { startZooKeeper } from './tools/testing/zk-server.js';
         const zk = await startZooKeeper({ tickMs: 250, baseDir: ${JSON.stringify(join(dir, 'zk'))} });
         console.log(JSON.stringify({ pid: zk.member(1).pid, port: zk.member(1).clientPort }));
         setInterval(() => {}, 1000);`,
      );
      const child = spawn(process.execPath, [join(dir, 'main.mjs')], { stdio: ['ignore', 'pipe', 'inherit'] });
      const line = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          if (out.includes('\n')) resolve(out.split('\n')[0] as string);
        });
        child.once('exit', (code) => reject(new Error(`child exited early (${code})`)));
      });
      const { pid, port } = JSON.parse(line) as { pid: number; port: number };
      expect(processAlive(pid)).toBe(true);
      expect(await portAccepts(port)).toBe(true);

      child.kill('SIGKILL');
      await waitUntil(() => !processAlive(pid), 10_000, `JVM ${pid} gone after its owner was SIGKILLed`);
      await waitUntil(async () => !(await portAccepts(port)), 5_000, `port ${port} closed`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
