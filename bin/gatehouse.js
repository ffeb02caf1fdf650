#!/usr/bin/env node
// Runs the compiled CLI (dist/, built by `npm ci` through the prepare script) in this very
// process: no child is spawned, so the PID a script sees (or --pid-file writes) is the server's.
import { describeFailure, main } from '../dist/cli/index.js';

main(process.argv.slice(2)).catch((err) => {
  process.stderr.write(describeFailure(err) + '\n');
  process.exit(1);
});
