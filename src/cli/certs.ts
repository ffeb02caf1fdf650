// `gatehouse certs`: certificates for custom domain names, imported into a running gateway's ACM
// API (the same ImportCertificate call as `aws acm import-certificate`, signed when credentials
// are in the environment). A domain name then names one by certificateArn or regionalCertificateArn.
import { readFileSync } from 'node:fs';
import { CliError } from '../openapi/cli.ts';
import { ManagementClient } from './management-client.ts';
import { parseFlags } from './flags.ts';

export const CERTS_USAGE = `Usage: gatehouse certs import --cert FILE --key FILE [--chain FILE] [--certificate-arn ARN]
                              [--url URL] [--region REGION]
       gatehouse certs list [--url URL] [--region REGION]

import   imports a PEM certificate and its private key (and chain) and prints its ACM ARN; with
         --certificate-arn, replaces that certificate (rotation: new HTTPS connections to the
         domain names that use it get the new one, on every process, without a restart)
list     prints the imported certificates: ARN, domain name, status, expiry, whether in use

URL defaults to $GATEHOUSE_URL or http://127.0.0.1:4567. Requests are signed with SigV4 when
AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are set (region: --region, $AWS_REGION,
$AWS_DEFAULT_REGION, else us-east-1); certificates live in that account and region.
`;

const VALUED = new Map([['--cert', 'cert'], ['--key', 'key'], ['--chain', 'chain'], ['--certificate-arn', 'arn'], ['--url', 'url'], ['--region', 'region']]);

const parseArgs = (argv: string[]) => parseFlags(argv, VALUED);

function pemFile(path: string, what: string): string {
  try {
    return readFileSync(path).toString('base64');
  } catch (err) {
    throw new CliError(`cannot read the ${what} ${path}: ${(err as Error).message}`);
  }
}

export async function certsCommand(argv: string[], out: (s: string) => void = (s) => process.stdout.write(s), env: NodeJS.ProcessEnv = process.env): Promise<void> {
  if (argv.length === 0 || argv.some((a) => a === '-h' || a === '--help')) return out(CERTS_USAGE);
  const { positional, flags } = parseArgs(argv);
  const [action, ...rest] = positional;
  if (rest.length > 0) throw new CliError(`unexpected argument ${rest[0]}\n\n${CERTS_USAGE}`);
  const region = flags.get('region');
  const client = new ManagementClient({ url: flags.get('url') ?? env.GATEHOUSE_URL ?? 'http://127.0.0.1:4567', ...(region !== undefined ? { region } : {}) }, env);
  if (action === 'import') {
    const cert = flags.get('cert');
    const key = flags.get('key');
    if (cert === undefined || key === undefined) throw new CliError(`import needs --cert and --key\n\n${CERTS_USAGE}`);
    const chain = flags.get('chain');
    const arn = flags.get('arn');
    const result = await client.json('acm', 'CertificateManager.ImportCertificate', {
      Certificate: pemFile(cert, 'certificate'),
      PrivateKey: pemFile(key, 'private key'),
      ...(chain !== undefined ? { CertificateChain: pemFile(chain, 'certificate chain') } : {}),
      ...(arn !== undefined ? { CertificateArn: arn } : {}),
    }) as { CertificateArn: string };
    out(`${result.CertificateArn}\n`);
    return;
  }
  if (action === 'list') {
    const rows: string[] = [];
    let token: string | undefined;
    do {
      const page = await client.json('acm', 'CertificateManager.ListCertificates', token === undefined ? {} : { NextToken: token }) as {
        CertificateSummaryList: { CertificateArn: string; DomainName: string; Status: string; NotAfter: number; InUse: boolean }[];
        NextToken?: string;
      };
      for (const c of page.CertificateSummaryList) {
        rows.push(`${c.CertificateArn}\t${c.DomainName}\t${c.Status}\t${new Date(c.NotAfter * 1000).toISOString()}\t${c.InUse ? 'in use' : 'not in use'}`);
      }
      token = page.NextToken;
    } while (token !== undefined);
    out(rows.length === 0 ? 'no certificates imported\n' : rows.join('\n') + '\n');
    return;
  }
  throw new CliError(`expected import or list, not ${action ?? 'nothing'}\n\n${CERTS_USAGE}`);
}
