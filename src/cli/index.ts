// The `gatehouse` command.
import { ConfigError, configHelp, parseConfig } from '../config.ts';
import { startGatehouse, VERSION } from '../server.ts';
import { CliError, exportCommand, importCommand } from '../openapi/cli.ts';

const USAGE = `Usage: gatehouse serve [options]
       gatehouse import FILE [--deploy STAGE] [--url URL]      (gatehouse import --help)
       gatehouse export API STAGE [--type swagger|oas30] [--yaml] (gatehouse export --help)

An API gateway that behaves like Amazon API Gateway (REST APIs).

Options (each also as an environment variable):
${configHelp()}
`;

export async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(USAGE);
    return;
  }
  if (command === '--version' || command === 'version') {
    process.stdout.write(VERSION + '\n');
    return;
  }
  if (command === 'import' || command === 'export') {
    try {
      await (command === 'import' ? importCommand(rest) : exportCommand(rest));
    } catch (err) {
      if (err instanceof CliError) throw new Error(`gatehouse ${command}: ${err.message}`);
      throw err;
    }
    return;
  }
  if (command !== 'serve') {
    throw new ConfigError(`unknown command '${command}'\n\n${USAGE}`);
  }
  const config = parseConfig(rest, process.env);
  const gatehouse = await startGatehouse(config);
  if (config.logLevel !== 'silent') {
    process.stdout.write(`gatehouse ${VERSION} serving ${gatehouse.url} (data: ${config.dataDir}, account ${config.accountId})\n`);
  }
  const stop = (signal: string) => {
    if (config.logLevel !== 'silent') process.stdout.write(`gatehouse: ${signal}, stopping\n`);
    gatehouse.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}
