// The small commands' arguments: positionals, and `--flag value` / `--flag=value` for the flags a
// command names (a flag it does not name is an error, as is one without its value).
import { CliError } from '../openapi/cli.ts';

export function parseFlags(argv: readonly string[], valued: ReadonlyMap<string, string>): { positional: string[]; flags: Map<string, string> } {
  const positional: string[] = [];
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('-')) {
      positional.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = eq === -1 ? a : a.slice(0, eq);
    const key = valued.get(name);
    if (key === undefined) throw new CliError(`unknown option ${name}`);
    const v = eq === -1 ? argv[++i] : a.slice(eq + 1);
    if (v === undefined || v === '') throw new CliError(`${name} needs a value`);
    flags.set(key, v);
  }
  return { positional, flags };
}
