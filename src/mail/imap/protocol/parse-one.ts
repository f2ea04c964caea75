import assert from 'node:assert/strict';
import type { Command, ParseFailure, TaggedCommand } from './ast.ts';
import { parseCommand, type ParserOptions } from './command-parser.ts';
import { CommandReader } from './command-reader.ts';

/**
 * For the parser's tests: frames the input with the real reader (a string
 * gets its CRLF; limits generous enough for long test lines) and parses the
 * one frame it must make.
 */
export function parseOne(input: string | Buffer, options?: ParserOptions): TaggedCommand | ParseFailure {
  const bytes = typeof input === 'string' ? Buffer.from(`${input}\r\n`) : input;
  const reader = new CommandReader({
    maxLineBytes: 1 << 20,
    maxCommandBytes: 1 << 21,
    maxAppendBytes: 1 << 20,
  });
  const frames = reader.feed(bytes).flatMap((event) => (event.kind === 'frame' ? [event.frame] : []));
  assert.equal(frames.length, 1, `one frame from ${JSON.stringify(String(input))}`);
  return parseCommand(frames[0]!, options);
}

/** The command the input parses to; fails the test when it does not parse. */
export function commandOf(input: string | Buffer, options?: ParserOptions): Command {
  const parsed = parseOne(input, options);
  assert.ok(!('status' in parsed), `${String(input)} failed: ${JSON.stringify(parsed)}`);
  return parsed.command;
}

/** The failure the input parses to; fails the test when it parses. */
export function failureOf(input: string | Buffer, options?: ParserOptions): ParseFailure {
  const parsed = parseOne(input, options);
  assert.ok('status' in parsed, `${String(input)} parsed: ${JSON.stringify(parsed)}`);
  return parsed;
}
