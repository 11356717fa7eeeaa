// Entry point of the sandbox (`npm start`, scripts/sandbox.sh): tools/sandbox/sandbox.ts on simulated
// NameNodes, or tools/sandbox/hadoop-sandbox.ts on real Hadoop with `--hadoop`.
import { join } from 'node:path';
import { runSandbox } from '../sandbox/sandbox.js';
import { runHadoopSandbox } from '../sandbox/hadoop-sandbox.js';
import { REPO_ROOT } from '../testing/mini-cluster.js';

const args = process.argv.slice(2);
const out = (text: string): void => void process.stdout.write(text);
const code = args.includes('--hadoop')
  ? await runHadoopSandbox({ check: args.includes('--check'), out })
  : await runSandbox({
      check: args.includes('--check'),
      baseDir: join(REPO_ROOT, '.sandbox'),
      out,
    });
process.exit(code);
