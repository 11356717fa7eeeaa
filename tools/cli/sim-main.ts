// Entry point of `zkfc-sim` (bin/zkfc-sim.js): runs one simulated NameNode process until
// SIGTERM (or SIGINT / SIGHUP), or checks transition logs for overlapping active periods. stdout
// carries exactly one line per started NameNode, "zkfc-sim namenode <ns>.<nn>
// rpc=<host>:<port> http=<host>:<port>", so harnesses can read the real ports; logs (pino JSON)
// go to stderr. Exit codes: 0 clean stop, 1 failure (or exit-on-activate), 2 usage error, 137
// `crash` fault; check-transitions exits 1 when it finds a split brain or unreadable lines.

import { pino } from 'pino';
import { errorMessage } from '../../src/errors.js';
import { parseSimArgs, SIM_USAGE, SimUsageError } from '../namenode-sim/cli-args.js';
import { NameNodeSimulator } from '../namenode-sim/sim-namenode.js';
import { findSplitBrain, readTransitionLogs } from '../namenode-sim/transition-log.js';

async function main(argv: readonly string[]): Promise<void> {
  let command;
  try {
    command = parseSimArgs(argv);
  } catch (error) {
    if (error instanceof SimUsageError) {
      process.stderr.write(`zkfc-sim: ${error.message}\n${SIM_USAGE}\n`);
      process.exit(2);
    }
    throw error;
  }

  if (command.command === 'help') {
    process.stdout.write(`${SIM_USAGE}\n`);
    return;
  }

  if (command.command === 'check-transitions') {
    const { entries, errors } = readTransitionLogs(command.files);
    for (const error of errors) process.stdout.write(`unreadable line ${error.file}:${error.line}: ${error.reason}\n`);
    const violations = findSplitBrain(entries);
    for (const v of violations) {
      process.stdout.write(
        `split brain in ${v.nameserviceId}: ${v.first.namenodeId} (pid ${v.first.pid}) and ` +
          `${v.second.namenodeId} (pid ${v.second.pid}) both active from ${v.second.startNs} ns\n`,
      );
    }
    process.stdout.write(`${entries.length} entries, ${violations.length} overlapping active periods\n`);
    process.exitCode = violations.length > 0 || errors.length > 0 ? 1 : 0;
    return;
  }

  const logger = pino(
    { level: command.logLevel, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime },
    pino.destination({ fd: 2, sync: true }),
  );
  const sim = await NameNodeSimulator.start({
    ...command.options,
    logger,
    // The transition log line is written before this runs; exit at once like a dying NameNode.
    exit: (code) => process.exit(code),
  });
  process.stdout.write(`${sim.describe()}\n`);

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    sim.stop(`${signal} received`).then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGHUP', () => stop('SIGHUP'));
  // Whatever ends the process, an active NameNode must not look active forever in the log.
  process.on('exit', () => sim.model.recordExit('process exit'));
  process.on('uncaughtException', (error) => {
    logger.fatal({ err: error }, 'uncaught exception');
    process.exit(1);
  });
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`zkfc-sim: ${errorMessage(error)}\n`);
  process.exit(1);
});
