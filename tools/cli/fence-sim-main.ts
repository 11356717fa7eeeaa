// Entry point of the simulated-NameNode fencer (see tools/testing/fence-sim.ts).
import { fenceSimMain } from '../testing/fence-sim.js';

process.exitCode = await fenceSimMain(process.argv.slice(2));
