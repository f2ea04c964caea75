import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DotStuffer, TopLimiter } from './message-stream.ts';

/** What goes on the wire for this message, fed in the given pieces. */
function wire(pieces: Buffer[]): string {
  const stuffer = new DotStuffer();
  const out = pieces.flatMap((piece) => stuffer.push(piece));
  out.push(stuffer.end());
  return Buffer.concat(out).toString('latin1');
}

/** What a client makes of it (RFC 1939 §3): lines up to ".", one leading dot removed. */
function unstuff(text: string): string {
  assert.ok(text.endsWith('\r\n.\r\n') || text === '.\r\n', `no terminator: ${JSON.stringify(text)}`);
  const body = text === '.\r\n' ? '' : text.slice(0, -3);
  return body.replace(/(^|\n)\.\./g, '$1.');
}

function everySplit(message: string, check: (pieces: Buffer[]) => void): void {
  const bytes = Buffer.from(message, 'latin1');
  for (let at = 0; at <= bytes.length; at++) check([bytes.subarray(0, at), bytes.subarray(at)]);
  check([...bytes].map((byte) => Buffer.from([byte])));
}

test('dot-stuffing doubles a leading dot on every line, at every split, and a client gets the bytes back', () => {
  const message = '.first\r\nSubject: x\r\n\r\n.\r\n..two\r\nmiddle.dot\r\n.';
  const expected = '..first\r\nSubject: x\r\n\r\n..\r\n...two\r\nmiddle.dot\r\n..\r\n.\r\n';
  everySplit(message, (pieces) => {
    const sent = wire(pieces);
    assert.equal(sent, expected);
    assert.equal(unstuff(sent).slice(0, -2), message);
  });
});

test('a message ending in CRLF gets just ".", one without a final CRLF gets CRLF "." ', () => {
  assert.equal(wire([Buffer.from('a\r\n')]), 'a\r\n.\r\n');
  assert.equal(wire([Buffer.from('a')]), 'a\r\n.\r\n');
  assert.equal(wire([]), '.\r\n');
});

test('a dot after a bare LF is stuffed too, so a lone "." line never ends the reply early', () => {
  assert.equal(wire([Buffer.from('a\n.\nb\n')]), 'a\n..\nb\n.\r\n');
});

function top(message: string, lines: number, pieces?: number[]): { sent: string; done: boolean } {
  const limiter = new TopLimiter(lines);
  const bytes = Buffer.from(message, 'latin1');
  const cuts = pieces ?? [bytes.length];
  let start = 0;
  let sent = '';
  for (const cut of [...cuts, bytes.length]) {
    const { piece, done } = limiter.take(bytes.subarray(start, cut));
    sent += piece.toString('latin1');
    if (done) return { sent, done };
    start = cut;
  }
  return { sent, done: false };
}

test('TOP sends the header, the blank line and n body lines, whatever the chunks', () => {
  const message = 'From: a\r\nSubject: b\r\n\r\none\r\ntwo\r\nthree\r\n';
  assert.deepEqual(top(message, 0), { sent: 'From: a\r\nSubject: b\r\n\r\n', done: true });
  assert.deepEqual(top(message, 2), { sent: 'From: a\r\nSubject: b\r\n\r\none\r\ntwo\r\n', done: true });
  assert.deepEqual(top(message, 10), { sent: message, done: false });
  for (let at = 0; at <= message.length; at++) {
    assert.equal(top(message, 1, [at]).sent, 'From: a\r\nSubject: b\r\n\r\none\r\n', `split at ${at}`);
  }
});

test('TOP of a message with no body sends the whole header', () => {
  assert.deepEqual(top('From: a\r\nSubject: b\r\n', 5), { sent: 'From: a\r\nSubject: b\r\n', done: false });
});
