#!/usr/bin/env node
// Entry point of the `slipway` command: runs the compiled CLI.
import { main } from '../dist/cli/main.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`slipway: internal error (this is a bug): ${error?.stack ?? error}\n`);
    process.exitCode = 70;
  },
);
