import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CooError } from '../errors.ts';
import { HelpRequested, hoistDataOption, parseCommand, parseWholeNumber, UsageError } from './args.ts';

const shape = {
  topic: 'user',
  command: 'user add',
  options: { name: { type: 'string' }, admin: { type: 'boolean' } },
  positionals: ['ADDRESS'],
} as const;

function usageMessage(args: string[]): string {
  try {
    parseCommand({ ...shape, args });
  } catch (error) {
    assert.ok(error instanceof UsageError);
    assert.equal(error.topic, 'user');
    return error.message;
  }
  assert.fail('expected a usage error');
}

test('parseCommand adds --data with ./data as its default', () => {
  const { values, positionals } = parseCommand({ ...shape, args: ['a@example.com', '--name', 'A'] });
  assert.equal(values.data, './data');
  assert.equal(values.name, 'A');
  assert.deepEqual(positionals, ['a@example.com']);
});

test('parseCommand turns every malformed command line into a usage error naming the command', () => {
  assert.equal(usageMessage(['a@example.com', '--colour']), 'user add: unknown option --colour');
  assert.equal(usageMessage(['a@example.com', '--name']), 'user add: option --name needs a value');
  assert.equal(usageMessage(['a@example.com', '--name', '--admin']), 'user add: option --name needs a value');
  assert.equal(usageMessage(['a@example.com', '--admin=yes']), 'user add: option --admin takes no value');
  assert.equal(usageMessage([]), 'user add: missing ADDRESS');
  assert.equal(
    usageMessage(['a@example.com', 'b@example.com']),
    'user add: unexpected argument "b@example.com"',
  );
});

test('parseCommand reports --help as a request for the topic help', () => {
  assert.throws(() => parseCommand({ ...shape, args: ['--help'] }), HelpRequested);
  assert.throws(() => parseCommand({ ...shape, args: ['-h'] }), HelpRequested);
});

test('hoistDataOption moves a leading --data behind the next word', () => {
  assert.deepEqual(hoistDataOption(['--data', 'd', 'user', 'list']), ['user', 'list', '--data', 'd']);
  assert.deepEqual(hoistDataOption(['--data=d', 'list', '--json']), ['list', '--json', '--data=d']);
  assert.deepEqual(hoistDataOption(['list', '--data', 'd']), ['list', '--data', 'd']);
  assert.deepEqual(hoistDataOption(['--data', 'd']), []);
});

test('parseWholeNumber accepts digits only, from the minimum', () => {
  assert.equal(parseWholeNumber('--limit', '25', 1), 25);
  for (const bad of ['0', '-1', '1.5', 'ten', '']) {
    assert.throws(() => parseWholeNumber('--limit', bad, 1), CooError);
  }
});
