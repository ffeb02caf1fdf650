// Entry point for running the CLI from source (tests, development): node --import tsx src/cli/main.ts serve
import { describeFailure, main } from './index.ts';

main(process.argv.slice(2)).catch((err) => {
  process.stderr.write(describeFailure(err) + '\n');
  process.exit(1);
});
