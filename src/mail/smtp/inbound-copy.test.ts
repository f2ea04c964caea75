import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { after, test } from 'node:test';
import { MAX_HEADER_BYTES, splitMessage } from '../message/header-block.ts';
import { inboundCopy } from './inbound-copy.ts';
import { ReceivedMessage } from './receive-data.ts';

const HOST = 'mx.example.com';
const TRACE = Buffer.from(
  'Return-Path: <a@sender.example>\r\nAuthentication-Results: mx.example.com; none\r\n',
);
const dir = mkdtempSync(path.join(tmpdir(), 'coo-inbound-copy-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function inMemory(bytes: Buffer): ReceivedMessage {
  return new ReceivedMessage(bytes.length, bytes.subarray(0, MAX_HEADER_BYTES), bytes, undefined);
}

function spooled(bytes: Buffer, name: string): ReceivedMessage {
  const file = path.join(dir, name);
  writeFileSync(file, bytes);
  return new ReceivedMessage(bytes.length, Buffer.from(bytes.subarray(0, MAX_HEADER_BYTES)), undefined, file);
}

async function contentOf(content: Buffer | Readable): Promise<Buffer> {
  return Buffer.isBuffer(content) ? content : buffer(content);
}

function copyOf(message: ReceivedMessage) {
  return inboundCopy({ trace: TRACE, message, header: splitMessage(message.head).header, authservId: HOST });
}

test('our trace goes on top, the forged field goes, and the rest is the message byte for byte', async () => {
  const original = Buffer.from(
    'Authentication-Results: MX.example.com;\r\n dkim=pass header.d=bank.example\r\n' +
      'Authentication-Results: mx.bank.example; spf=pass\r\nFrom: info@bank.example\r\n\r\n' +
      'body \xe6\x97\xa5\xe6\x9c\xac\r\n.\r\n',
    'latin1',
  );
  const copy = copyOf(inMemory(original));
  assert.equal(copy.forgedResults, 1);
  const expectedRest = original.subarray(original.indexOf('Authentication-Results: mx.bank'));
  assert.deepEqual(await contentOf(copy.content), Buffer.concat([TRACE, expectedRest]));
  assert.equal(
    copy.header.toString(),
    `${TRACE.toString()}Authentication-Results: mx.bank.example; spf=pass\r\nFrom: info@bank.example\r\n\r\n`,
  );
});

test('a message spooled to disk is stored the same as one kept in memory, across read chunks', async () => {
  // A header block over 64 KiB (one read chunk), a forged field at its end, a body of several chunks.
  const filler = Array.from({ length: 1500 }, (_, i) => `X-Filler-${i}: ${'f'.repeat(40)}\r\n`).join('');
  const original = Buffer.concat([
    Buffer.from(`${filler}Authentication-Results: mx.example.com;\r\n\tarc=pass\r\nSubject: big\r\n\r\n`),
    Buffer.alloc(300_000, 'b'),
  ]);
  const fromMemory = copyOf(inMemory(original));
  const fromSpool = copyOf(spooled(original, 'big.spool'));
  assert.equal(fromSpool.forgedResults, 1);
  assert.ok(!Buffer.isBuffer(fromSpool.content), 'a spooled message is streamed');
  const expected = Buffer.concat([
    TRACE,
    Buffer.from(`${filler}Subject: big\r\n\r\n`),
    Buffer.alloc(300_000, 'b'),
  ]);
  assert.deepEqual(await contentOf(fromMemory.content), expected);
  assert.deepEqual(await contentOf(fromSpool.content), expected);
});

test('a message with no empty line is all header: a forged field in it still goes', async () => {
  const original = Buffer.from(
    'Subject: headers only\r\nAuthentication-Results: mx.example.com; spf=pass\r\n',
  );
  const copy = copyOf(inMemory(original));
  assert.equal(copy.forgedResults, 1);
  assert.equal((await contentOf(copy.content)).toString(), `${TRACE.toString()}Subject: headers only\r\n`);
});

test('a header block larger than what is kept in memory leaves its cut-off last field alone', async () => {
  const filler = `X-Filler: ${'f'.repeat(MAX_HEADER_BYTES)}\r\n`;
  const original = Buffer.from(`Authentication-Results: mx.example.com; spf=pass\r\n${filler}\r\nbody\r\n`);
  const copy = copyOf(spooled(original, 'huge-header.spool'));
  assert.equal(copy.forgedResults, 1);
  const stored = await contentOf(copy.content);
  assert.deepEqual(stored, Buffer.concat([TRACE, Buffer.from(`${filler}\r\nbody\r\n`)]));
});
