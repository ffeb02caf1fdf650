// Entry point for running the CLI from source (tests, development): node --import tsx src/cli/main.ts serve
import { main } from './index.ts';

main(process.argv.slice(2)).catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.message : err}\n`);
  process.exit(1);
});
