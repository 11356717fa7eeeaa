// Goal: `npm start -- --hadoop --check` works as the README says: a real cluster with our zkfc
// daemons, a crash failover and Hadoop's haadmin -failover back, exit 0 and "check OK".
// Method: the built sandbox entry point as a child process (what scripts/sandbox.sh runs).

import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { REPO_ROOT } from '../../tools/testing/mini-cluster.js';
import { ensureDistBuilt } from '../support/e2e-zkfc.js';

it('npm start -- --hadoop --check fails over on real NameNodes and exits 0', async () => {
  await ensureDistBuilt();
  const run = spawnSync(process.execPath, [join(REPO_ROOT, 'build/tools/cli/sandbox-main.js'), '--hadoop', '--check'], {
    encoding: 'utf8',
    timeout: 280_000,
  });
  expect(run.stdout + run.stderr).toMatch(/check: nn2 is active \d+ ms after nn1 was killed/);
  expect(run.stdout).toMatch(/Hadoop's haadmin -failover nn2 nn1: Failover to NameNode at .* successful/);
  expect(run.stdout).toContain('check OK');
  expect(run.status).toBe(0);
}, 300_000);
