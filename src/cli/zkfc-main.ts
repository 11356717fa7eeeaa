// Entry point of `zkfc` (bin/zkfc.js): process I/O, signals and the exit code around runZkfc.
import { runZkfc } from '../daemon/daemon.js';

// A repeated SIGTERM while stopping is ignored: the shutdown (leaving the election, closing the
// ZooKeeper session) must finish, or the peer waits for our session to expire. A second SIGINT
// (Ctrl-C twice at a terminal) still ends the process at once.
const stopSignal = new Promise<string>((resolve) => {
  process.on('SIGTERM', () => resolve('SIGTERM'));
  process.once('SIGINT', () => resolve('SIGINT'));
});

async function confirm(question: string): Promise<boolean> {
  // Parity: ToolRunner.confirmPrompt — "(Y or N)", repeated until Y/N; end of input is "no".
  // The async iterator queues lines: piped input arrives in one chunk, and a line emitted while
  // no 'line' listener is attached (between two questions) would otherwise be lost.
  // Loaded here: only -formatZK asks, a running daemon never does.
  const { createInterface } = await import('node:readline');
  const rl = createInterface({ input: process.stdin, terminal: false });
  const lines = rl[Symbol.asyncIterator]();
  try {
    for (;;) {
      process.stderr.write(`${question} (Y or N) `);
      const next = await lines.next();
      if (next.done === true) return false;
      const answer = String(next.value);
      const normalized = answer.trim().toLowerCase();
      if (normalized === 'y' || normalized === 'yes') return true;
      if (normalized === 'n' || normalized === 'no') return false;
      process.stderr.write('Invalid input: ' + answer + '\n');
    }
  } finally {
    rl.close();
  }
}

const code = await runZkfc(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  confirm,
  env: process.env,
  stopSignal,
});
// Let pino flush, then exit with Hadoop's code (open handles must not keep a stopped daemon alive).
setTimeout(() => process.exit(code), 50).unref();
process.exitCode = code;
