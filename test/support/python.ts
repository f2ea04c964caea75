/**
 * python3 as the real client of the mail harnesses (imaplib, poplib): a
 * script run with a JSON input on stdin, and the server's certificate as a
 * file for python's ssl module.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** Runs a python3 script with a JSON input on stdin; resolves with its exit code and output. */
export function runPython(
  script: string,
  input: unknown,
  timeoutMs = 30_000,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('python3', ['-c', script], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(JSON.stringify(input));
  });
}

const caFiles = new Map<string, string>();
// The files live as long as the test process; removed when it exits.
process.once('exit', () => {
  for (const file of caFiles.values()) rmSync(path.dirname(file), { recursive: true, force: true });
});

/** The CA as a file, for python's ssl module. */
export function caFile(ca: string): string {
  let file = caFiles.get(ca);
  if (!file) {
    file = path.join(mkdtempSync(path.join(tmpdir(), 'coo-python-ca-')), 'ca.pem');
    writeFileSync(file, ca);
    caFiles.set(ca, file);
  }
  return file;
}
