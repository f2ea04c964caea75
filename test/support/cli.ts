import { LISTENER_NAMES } from '../../src/config/schema.ts';
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config/loader.ts';
import { isCooError } from '../../src/errors.ts';
import { openServices } from '../../src/services.ts';

/** The real launcher, as an admin runs it. */
export const COO_BIN = path.resolve(import.meta.dirname, '../../bin/coo');

export const DOMAIN = 'example.com';
export const ADMIN = `admin@${DOMAIN}`;

export interface CooResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Written to the child's stdin, which is then closed. */
  input?: string | Buffer;
  cwd?: string;
  env?: Record<string, string>;
  timeoutMs?: number;
}

/** Runs `bin/coo ARGS...` to its end. stdin is always a pipe (never a terminal). */
export function runCoo(args: string[], options: RunOptions = {}): Promise<CooResult> {
  const child = spawn(COO_BIN, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const done = collect(child, options.timeoutMs ?? 60_000);
  child.stdin.end(options.input ?? '');
  return done;
}

function collect(child: ChildProcess, timeoutMs: number): Promise<CooResult> {
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`coo did not finish within ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** A folder under the system temp dir, removed by the returned function. */
export function tempDir(prefix = 'coo-cli-'): { dir: string; remove: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Cheap argon2 so tests that create many users stay fast; the config stays valid. */
export function useFastHashing(dataDir: string): void {
  const file = path.join(dataDir, 'coo.toml');
  const text = readFileSync(file, 'utf8')
    .replace(/^argon2_memory_kib = \d+$/m, 'argon2_memory_kib = 1024')
    .replace(/^argon2_passes = \d+$/m, 'argon2_passes = 1');
  writeFileSync(file, text);
}

/** Every listener on a free loopback port, so nothing a test starts collides with anything. */
export const LOOPBACK_LISTENERS = LISTENER_NAMES.flatMap((name) => ['--listen', `${name}=127.0.0.1:0`]);

/**
 * A data dir made once by the real `coo init` (admin ADMIN, fast hashing),
 * copied for each test: init makes RSA keys and takes seconds, a copy none.
 */
export class DataDirTemplate {
  readonly #root = tempDir('coo-cli-template-');
  readonly #template = path.join(this.#root.dir, 'template');
  #copies = 0;

  async create(extraArgs: string[] = []): Promise<void> {
    const result = await runCoo([
      'init',
      '--data',
      this.#template,
      '--domain',
      DOMAIN,
      '--admin',
      ADMIN,
      '--hostname',
      `mail.${DOMAIN}`,
      ...LOOPBACK_LISTENERS,
      ...extraArgs,
    ]);
    if (result.code !== 0) throw new Error(`coo init failed: ${result.stderr}`);
    useFastHashing(this.#template);
  }

  /** A fresh copy of the template, for one test. */
  copy(): string {
    const dir = path.join(this.#root.dir, `data-${++this.#copies}`);
    cpSync(this.#template, dir, { recursive: true });
    return dir;
  }

  remove(): void {
    this.#root.remove();
  }
}

/** Runs coo on one data dir: `coo(...args)` appends `--data DIR`. */
export function cooOn(dataDir: string) {
  return (args: string[], options: RunOptions = {}) => runCoo([...args, '--data', dataDir], options);
}

/** The stderr of a failed command, checked to be exactly one line. */
export function oneLine(result: CooResult): string {
  const lines = result.stderr.trimEnd().split('\n');
  if (lines.length !== 1) throw new Error(`expected one line on stderr, got:\n${result.stderr}`);
  return lines[0] ?? '';
}

/**
 * Logs in through the real AuthService on the data dir, as every protocol
 * does; resolves to 'ok', or to the error code when the login is refused.
 */
export async function tryLogin(dataDir: string, login: string, password: string): Promise<string> {
  const services = await openServices(loadConfig(dataDir));
  try {
    await services.auth.login({ login, password, protocol: 'cli-test', remote: '127.0.0.1' });
    return 'ok';
  } catch (error) {
    if (isCooError(error)) return error.code;
    throw error;
  } finally {
    await services.close();
  }
}

/** The password after "Password (shown once): ", checking it is shown exactly once. */
export function shownPassword(output: string): string {
  const matches = [...output.matchAll(/Password \(shown once\): (\S+)/g)];
  if (matches.length !== 1) throw new Error(`expected the password shown once, got:\n${output}`);
  return matches[0]?.[1] ?? '';
}

export interface ServeProcess {
  child: ChildProcess;
  output(): { stdout: string; stderr: string };
  /** The JSON log lines written so far. */
  logLines(): Record<string, unknown>[];
  /** Resolves once `ready` holds for the output so far; rejects if the process ends first. */
  waitFor(ready: (output: { stdout: string; stderr: string }) => boolean, timeoutMs?: number): Promise<void>;
  /** Sends the signal and resolves to how the process ended. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `bin/coo serve ARGS...` in the background. */
export function startServe(args: string[]): ServeProcess {
  const child = spawn(COO_BIN, ['serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const waiters = new Set<() => void>();
  const changed = () => {
    for (const waiter of waiters) waiter();
  };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    changed();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    changed();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('close', (code, signal) => {
      resolve({ code, signal });
      changed();
    });
  });
  const output = () => ({ stdout, stderr });
  return {
    child,
    output,
    exited,
    logLines: () =>
      stdout
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    waitFor: (ready, timeoutMs = 30_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (ready(output())) finish();
          else if (child.exitCode !== null || child.signalCode !== null) {
            finish(
              new Error(`coo serve ended (${child.exitCode ?? child.signalCode}):\n${stdout}\n${stderr}`),
            );
          }
        };
        const timer = setTimeout(
          () => finish(new Error(`coo serve not ready within ${timeoutMs} ms:\n${stdout}\n${stderr}`)),
          timeoutMs,
        );
        const finish = (error?: Error) => {
          clearTimeout(timer);
          waiters.delete(check);
          if (error) reject(error);
          else resolve();
        };
        waiters.add(check);
        check();
      }),
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
