#!/usr/bin/env node
// Entry point of the `slipway` command: runs the compiled CLI.
import { main } from '../dist/bundle/main.js';

// A reader that goes away (`slipway events | head`) ends the output, not the program with a stack.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`slipway: internal error (this is a bug): ${error?.stack ?? error}\n`);
    process.exitCode = 70;
  },
);
