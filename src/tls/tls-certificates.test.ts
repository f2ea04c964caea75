import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import type { AuditEntryInput } from '../audit/audit-log.ts';
import { createLogger } from '../log.ts';
import { generateSelfSignedCertificate, type TlsKeyPair } from './self-signed.ts';
import { installCertificateFiles, TlsCertificates } from './tls-certificates.ts';
import { writeTlsFiles } from './tls-files.ts';

const ADMIN = { name: 'admin@example.com', protocol: 'http', remote: '192.0.2.7' };

describe('TlsCertificates', () => {
  let root: string;
  let pairs: TlsKeyPair[];
  let dirs = 0;

  before(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'coo-tls-holder-'));
    pairs = await Promise.all(
      ['first.example.com', 'second.example.com', 'third.example.com'].map((name) =>
        generateSelfSignedCertificate(name),
      ),
    );
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  /** A holder over fresh files with the first pair, recording what it audits, logs and announces. */
  async function holder() {
    const dir = path.join(root, `case-${++dirs}`, 'tls');
    const certPath = path.join(dir, 'cert.pem');
    const keyPath = path.join(dir, 'key.pem');
    await writeTlsFiles(certPath, keyPath, pairs[0] as TlsKeyPair);
    const audited: AuditEntryInput[] = [];
    const logged: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logged.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
        done();
      },
    });
    const tls = await TlsCertificates.load({
      certPath,
      keyPath,
      audit: { append: async (entry) => audited.push(entry) },
      logger: createLogger('info', sink),
    });
    const announced: string[] = [];
    tls.onChange((pair, info) => announced.push(`${info.subject} ${pair.certPem.length}`));
    return { tls, dir, certPath, keyPath, audited, logged, announced };
  }

  it('replace() writes both files (the key for its owner only), switches at once and audits without the key', async () => {
    const { tls, dir, certPath, keyPath, audited, announced } = await holder();
    const before = tls.info.fingerprint256;
    const next = pairs[1] as TlsKeyPair;
    const info = await tls.replace(next.certPem, next.keyPem, ADMIN);
    assert.equal(info.subject, 'CN=second.example.com');
    assert.equal(tls.certPem, next.certPem);
    assert.equal(tls.keyPem, next.keyPem);
    assert.equal(readFileSync(certPath, 'utf8'), next.certPem);
    assert.equal(readFileSync(keyPath, 'utf8'), next.keyPem);
    assert.equal(statSync(keyPath).mode & 0o777, 0o600);
    assert.equal(statSync(certPath).mode & 0o777, 0o644);
    assert.deepEqual(readdirSync(dir).sort(), ['cert.pem', 'key.pem'], 'no temporary file left');
    assert.deepEqual(announced, [`CN=second.example.com ${next.certPem.length}`]);
    assert.equal(audited.length, 1);
    const entry = audited[0];
    assert.equal(entry?.action, 'tls.replace');
    assert.equal(entry?.actor, ADMIN.name);
    assert.equal(entry?.target, 'CN=second.example.com');
    assert.equal(entry?.details?.previousFingerprint256, before);
    assert.equal(entry?.details?.fingerprint256, info.fingerprint256);
    const serialised = JSON.stringify(entry);
    assert.ok(!serialised.includes('PRIVATE KEY'), 'the key stays out of the audit log');
    assert.equal(await tls.reloadFromFiles(), 'unchanged', 'its own write is no outside change');
  });

  it('a refused pair changes nothing: files, certificate, subscribers and audit stay as they were', async () => {
    const { tls, certPath, keyPath, audited, announced } = await holder();
    const first = pairs[0] as TlsKeyPair;
    await assert.rejects(
      tls.replace((pairs[1] as TlsKeyPair).certPem, (pairs[2] as TlsKeyPair).keyPem, ADMIN),
      { code: 'TLS_INVALID' },
    );
    assert.equal(tls.certPem, first.certPem);
    assert.equal(readFileSync(certPath, 'utf8'), first.certPem);
    assert.equal(readFileSync(keyPath, 'utf8'), first.keyPem);
    assert.deepEqual(announced, []);
    assert.deepEqual(audited, []);
  });

  it('reloadFromFiles() takes a valid pair written by someone else, and keeps the old one over an invalid pair', async () => {
    const { tls, certPath, keyPath, announced, audited, logged } = await holder();
    assert.equal(await tls.reloadFromFiles(), 'unchanged');
    const next = pairs[1] as TlsKeyPair;
    await installCertificateFiles({ certPath, keyPath }, next.certPem, next.keyPem);
    assert.equal(await tls.reloadFromFiles(), 'reloaded');
    assert.equal(tls.info.subject, 'CN=second.example.com');
    assert.equal(await tls.reloadFromFiles(), 'unchanged');
    assert.deepEqual(audited, [], 'whoever wrote the files recorded it');

    writeFileSync(certPath, (pairs[2] as TlsKeyPair).certPem);
    assert.equal(await tls.reloadFromFiles(), 'invalid');
    assert.equal(tls.info.subject, 'CN=second.example.com');
    const warning = logged.find((line) => line.level === 40);
    assert.match(String(warning?.problem), /does not match/);
    assert.equal(await tls.reloadFromFiles(), 'unchanged', 'an invalid pair is looked at once');
    writeFileSync(keyPath, (pairs[2] as TlsKeyPair).keyPem);
    assert.equal(await tls.reloadFromFiles(), 'reloaded');
    assert.equal(tls.info.subject, 'CN=third.example.com');
    assert.deepEqual(
      announced.map((line) => line.split(' ')[0]),
      ['CN=second.example.com', 'CN=third.example.com'],
    );
  });

  it('a subscriber that throws does not keep the others from switching', async () => {
    const { tls, announced, logged } = await holder();
    tls.onChange(() => {
      throw new Error('cannot switch');
    });
    const reached: string[] = [];
    const unsubscribe = tls.onChange((_pair, info) => reached.push(info.subject));
    await tls.replace((pairs[1] as TlsKeyPair).certPem, (pairs[1] as TlsKeyPair).keyPem, ADMIN);
    unsubscribe();
    await tls.replace((pairs[2] as TlsKeyPair).certPem, (pairs[2] as TlsKeyPair).keyPem, ADMIN);
    assert.equal(announced.length, 2);
    assert.deepEqual(reached, ['CN=second.example.com']);
    assert.ok(logged.some((line) => line.level === 50 && /could not switch/.test(String(line.msg))));
  });
});
