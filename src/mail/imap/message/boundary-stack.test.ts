import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BoundaryStack } from './boundary-stack.ts';

function matchLine(stack: BoundaryStack, line: string) {
  return stack.match(Buffer.from(`x\n${line}\r\n`), 2);
}

test('a line matches by prefix; the longest boundary wins, then the innermost', () => {
  const stack = new BoundaryStack();
  assert.equal(matchLine(stack, '--a'), null);
  assert.equal(stack.push(Buffer.from('a')), 0);
  assert.equal(stack.push(Buffer.from('ab')), 1);
  assert.equal(stack.push(Buffer.from('a')), 2);
  assert.deepEqual(matchLine(stack, '--a'), { level: 2, length: 3 });
  assert.deepEqual(matchLine(stack, '--ab--'), { level: 1, length: 4 });
  assert.deepEqual(matchLine(stack, '--ac'), { level: 2, length: 3 });
  assert.equal(matchLine(stack, '-a'), null);
  assert.equal(matchLine(stack, '--b'), null);
  assert.equal(stack.match(Buffer.from('--a'), 0)?.level, 2, 'at the very end of the buffer');
});

test('popping leaves the outer boundaries as they were', () => {
  const stack = new BoundaryStack();
  stack.push(Buffer.from('outer'));
  stack.push(Buffer.from('outer-inner'));
  stack.push(Buffer.from('outer'));
  stack.pop();
  assert.deepEqual(matchLine(stack, '--outer'), { level: 0, length: 7 });
  stack.pop();
  assert.deepEqual(matchLine(stack, '--outer-inner'), { level: 0, length: 7 });
  assert.equal(stack.size, 1);
  stack.pop();
  stack.pop();
  assert.equal(matchLine(stack, '--outer'), null);
  assert.equal(stack.size, 0);
});
