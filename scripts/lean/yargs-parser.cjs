// Stands in for yargs-parser in the daemon's bundle (scripts/bundle-daemon.mjs, leanStandIns):
// convict parses command-line arguments with it, and the daemon hands convict none
// (src/config/load.ts passes `args: []`; src/daemon/args.ts reads the daemon's command line). No
// arguments parse to `{ _: [] }`, as yargs-parser gives; any argument is refused, so a change that
// starts passing some fails loudly instead of losing them.
'use strict';

module.exports = function parse(args) {
  if (args.length > 0) throw new Error('zkfc bundle: yargs-parser stand-in given arguments (see scripts/lean/)');
  return { _: [] };
};
