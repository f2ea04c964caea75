import { createPrivateKey, randomBytes, X509Certificate, type KeyObject } from 'node:crypto';
import { link, mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { CooError } from '../errors.ts';
import type { TlsKeyPair } from './self-signed.ts';
import { syncDirectory } from '../fs/sync-directory.ts';

export interface WriteTlsFilesOptions {
  /** Replace files already there; without it, an existing file is FILE_EXISTS. */
  overwrite?: boolean;
}

export interface LoadedTlsFiles extends TlsKeyPair {
  /** The first certificate of the file: the server's own, before any chain. */
  certificate: X509Certificate;
  key: KeyObject;
}

/**
 * Writes a certificate and its key, the key readable by its owner only. Each
 * file is written whole and fsynced before it takes its name, so a crash or
 * a reload never sees half a file.
 */
export async function writeTlsFiles(
  certPath: string,
  keyPath: string,
  pair: TlsKeyPair,
  options: WriteTlsFilesOptions = {},
): Promise<void> {
  if (!options.overwrite) {
    for (const file of [certPath, keyPath]) {
      if (await exists(file)) {
        throw new CooError('FILE_EXISTS', `${file} already exists; remove it or choose to overwrite it`);
      }
    }
  }
  const overwrite = options.overwrite ?? false;
  await writeFileDurably(certPath, pair.certPem, 0o644, overwrite);
  await writeFileDurably(keyPath, pair.keyPem, 0o600, overwrite);
}

/**
 * Replaces a certificate and its key that may be in use. Both new files are
 * written whole and fsynced under temporary names first, then renamed over
 * the old ones one right after the other, so a reader (the server's file
 * poll, a restart) sees the old pair or the new one, save for the instant
 * between the two renames; a crash there is caught at start by the key check.
 */
export async function replaceTlsFiles(certPath: string, keyPath: string, pair: TlsKeyPair): Promise<void> {
  const staged: { temp: string; file: string }[] = [];
  try {
    staged.push({ temp: await stageFile(certPath, pair.certPem, 0o644), file: certPath });
    staged.push({ temp: await stageFile(keyPath, pair.keyPem, 0o600), file: keyPath });
    for (const { temp, file } of staged) await rename(temp, file);
  } catch (error) {
    await Promise.all(staged.map(({ temp }) => unlink(temp).catch(() => undefined)));
    throw error;
  }
  for (const dir of new Set(staged.map(({ file }) => path.dirname(file)))) await syncDirectory(dir);
}

/** Reads a certificate and its key and checks they parse and belong together; CONFIG_INVALID naming the file otherwise. */
export async function loadTlsFiles(certPath: string, keyPath: string): Promise<LoadedTlsFiles> {
  const certPem = await readConfigFile(certPath, 'TLS certificate');
  const keyPem = await readConfigFile(keyPath, 'TLS private key');
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(certPem);
  } catch (error) {
    throw invalid(`TLS certificate ${certPath} is not a PEM certificate: ${reason(error)}`);
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(keyPem);
  } catch (error) {
    throw invalid(`TLS private key ${keyPath} is not an unencrypted PEM private key: ${reason(error)}`);
  }
  if (!certificate.checkPrivateKey(key)) {
    throw invalid(`TLS private key ${keyPath} does not belong to the certificate in ${certPath}`);
  }
  return { certPem, keyPem, certificate, key };
}

async function writeFileDurably(
  file: string,
  content: string,
  mode: number,
  overwrite: boolean,
): Promise<void> {
  const temp = await stageFile(file, content, mode);
  try {
    if (overwrite) {
      await rename(temp, file);
    } else {
      // link() fails if the name was taken since the check above; rename() would replace it.
      await link(temp, file).catch((error: unknown) => {
        if ((error as { code?: unknown }).code !== 'EEXIST') throw error;
        throw new CooError('FILE_EXISTS', `${file} already exists; remove it or choose to overwrite it`);
      });
      await unlink(temp);
    }
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await syncDirectory(path.dirname(file));
}

/** Writes a file's content under a temporary name beside it, fsynced; resolves with that name. */
async function stageFile(file: string, content: string, mode: number): Promise<string> {
  const dir = path.dirname(file);
  await mkdir(dir, { recursive: true });
  const temp = path.join(dir, `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx', mode);
  try {
    await handle.writeFile(content);
    // The umask may have narrowed the mode; the certificate must stay readable by others.
    await handle.chmod(mode);
    await handle.sync();
  } catch (error) {
    await handle.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await handle.close();
  return temp;
}

async function readConfigFile(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw invalid(`${what} ${file} cannot be read: ${reason(error)}`);
  }
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    (error: unknown) => {
      if ((error as { code?: unknown }).code === 'ENOENT') return false;
      throw error;
    },
  );
}

function invalid(message: string): CooError {
  return new CooError('CONFIG_INVALID', message);
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
