// Entry point of `zkfc`: process I/O, signals and the exit code around runZkfc. The daemon's bundle
// (dist/zkfc.cjs, scripts/bundle-daemon.mjs) exports `main`, which bin/zkfc.js calls once the
// bundle is loaded; loading it runs no daemon code (the build loads it to make its code cache).
import { runZkfc } from '../daemon/daemon.js';

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

/** Runs `zkfc` with the process's arguments, environment and signals; exits with its code. */
export function main(): void {
  // A repeated SIGTERM while stopping is ignored: the shutdown (leaving the election, closing the
  // ZooKeeper session) must finish, or the peer waits for our session to expire. A second SIGINT
  // (Ctrl-C twice at a terminal) still ends the process at once.
  const stopSignal = new Promise<string>((resolve) => {
    process.on('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  // A rejection (a bug) is left unhandled: Node prints it and exits with code 1.
  void runZkfc(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    confirm,
    env: process.env,
    stopSignal,
  }).then((code) => {
    // Let pino flush, then exit with Hadoop's code (open handles must not keep a stopped daemon alive).
    setTimeout(() => process.exit(code), 50).unref();
    process.exitCode = code;
  });
}
