// Runs the CLI from source in a child process (tests of long-running commands such as `slipway server`).
import { main } from '../../../src/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
