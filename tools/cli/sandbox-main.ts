// Entry point of the sandbox (`npm start`, scripts/sandbox.sh): see src/sandbox/sandbox.ts.
import { join } from 'node:path';
import { runSandbox } from '../sandbox/sandbox.js';
import { REPO_ROOT } from '../testing/mini-cluster.js';

const args = process.argv.slice(2);
const code = await runSandbox({
  check: args.includes('--check'),
  baseDir: join(REPO_ROOT, '.sandbox'),
  out: (text) => process.stdout.write(text),
});
process.exit(code);
