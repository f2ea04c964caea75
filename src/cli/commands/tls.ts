import { readFile, stat } from 'node:fs/promises';
import { CLI_ACTOR } from '../../directory/types.ts';
import { CooError } from '../../errors.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import type { ApiTlsCertificate } from '../../protocol/tls.ts';
import { dispatch, parseCommand, requireOption } from '../args.ts';
import type { Command } from '../command.ts';
import { print, printJson } from '../output.ts';
import { withServices } from '../with-services.ts';

const usage = `Usage: coo tls SUBCOMMAND [--data DIR] ...

The TLS certificate every listener presents: the files named in [tls] of
coo.toml (by default DIR/tls/cert.pem and DIR/tls/key.pem).

  tls show [--json]
      What the certificate says: subject, names, issuer, validity, key and
      SHA-256 fingerprint.
  tls install --cert FILE --key FILE
      Checks the certificate (PEM: the server's own first, then its
      intermediates in order) and its unencrypted PEM private key: the key
      must match and the certificate be valid now. Then writes both files
      and records tls.replace in the audit log. A running "coo serve" on
      the same data dir switches to it within 5 seconds, without a restart;
      otherwise the next start uses it.

--data DIR: the data dir (default ./data).`;

const TOPIC = 'tls';
const DAY_MS = 24 * 60 * 60 * 1000;

async function show(args: string[]): Promise<number> {
  const { values } = parseCommand({
    topic: TOPIC,
    command: 'tls show',
    args,
    options: { json: { type: 'boolean' } },
  });
  const [{ loadConfig }, { describeCertificatePem }] = await Promise.all([
    import('../../config/loader.ts'),
    import('../../tls/certificate-check.ts'),
  ]);
  const file = loadConfig(values.data).paths.tlsCert;
  const text = await readPem(file, `TLS certificate ${file}`, Infinity);
  const info = describeCertificatePem(text);
  if (values.json) printJson(info);
  else print(describe(info, file));
  return 0;
}

async function install(args: string[]): Promise<number> {
  const { values } = parseCommand({
    topic: TOPIC,
    command: 'tls install',
    args,
    options: { cert: { type: 'string' }, key: { type: 'string' } },
  });
  const certFile = requireOption(TOPIC, 'tls install', 'cert', values.cert);
  const keyFile = requireOption(TOPIC, 'tls install', 'key', values.key);
  const [{ TLS_PEM_LIMITS, describeCertificatePem }, { certificateReplaced, installCertificateFiles }] =
    await Promise.all([import('../../tls/certificate-check.ts'), import('../../tls/tls-certificates.ts')]);
  const certText = await readPem(certFile, `--cert ${certFile}`, TLS_PEM_LIMITS.certificateChars);
  const keyText = await readPem(keyFile, `--key ${keyFile}`, TLS_PEM_LIMITS.keyChars);
  // The services open first, so an unreachable database stops the command before anything is written.
  const { info, paths } = await withServices(values.data, async (services) => {
    const paths = { certPath: services.config.paths.tlsCert, keyPath: services.config.paths.tlsKey };
    const previous = await readFile(paths.certPath, 'utf8')
      .then((text) => describeCertificatePem(text))
      .catch(() => undefined);
    const checked = await installCertificateFiles(paths, certText, keyText);
    await services.audit.append(certificateReplaced(CLI_ACTOR, checked.info, previous));
    return { info: checked.info, paths };
  });
  print(`installed ${info.subject}, valid until ${info.notAfter}`);
  print(`  ${paths.certPath}`);
  print(`  ${paths.keyPath}`);
  print('a running server switches to it within 5 seconds');
  return 0;
}

/** Reads a PEM file given on the command line, refusing one far larger than any certificate or key. */
async function readPem(file: string, what: string, maxChars: number): Promise<string> {
  try {
    const size = (await stat(file)).size;
    if (size > maxChars) {
      throw new CooError(
        ErrorCode.TLS_INVALID,
        `${what} is ${size} bytes, too large for a PEM certificate or key`,
      );
    }
    return await readFile(file, 'utf8');
  } catch (error) {
    if (error instanceof CooError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new CooError(ErrorCode.INVALID_INPUT, `${what} cannot be read: ${reason}`);
  }
}

function describe(info: ApiTlsCertificate, file: string): string {
  const daysLeft = Math.floor((Date.parse(info.notAfter) - Date.now()) / DAY_MS);
  const state = daysLeft < 0 ? 'EXPIRED' : `${daysLeft} days left`;
  const names = [...info.dnsNames, ...info.ipAddresses];
  const rows: [string, string][] = [
    ['subject', info.subject],
    ['issuer', `${info.issuer}${info.selfSigned ? ' (self-signed)' : ''}`],
    ['names', names.join(', ') || '-'],
    ['valid from', info.notBefore],
    ['valid until', `${info.notAfter} (${state})`],
    ['key', info.publicKey],
    ['chain', info.chainLength === 1 ? '1 certificate' : `${info.chainLength} certificates`],
    ['serial', info.serialNumber],
    ['sha-256', info.fingerprint256],
    ['file', file],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join('\n');
}

export const tlsCommand: Command = {
  usage,
  run: (args) => dispatch(TOPIC, args, { show, install }),
};
