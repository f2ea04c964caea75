import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_TYPE_LENGTH, parseFrame, requestIdOf } from './frame-parser.ts';

test('a request frame yields its type, id and body', () => {
  const parsed = parseFrame('{"t":"msg.send","id":7,"text":"hi"}');
  assert.deepEqual(parsed, {
    ok: true,
    envelope: { t: 'msg.send', id: 7, body: { t: 'msg.send', id: 7, text: 'hi' } },
  });
});

test('a frame without id is fire-and-forget', () => {
  const parsed = parseFrame('{"t":"typing"}');
  assert.ok(parsed.ok);
  assert.equal(parsed.envelope.id, undefined);
});

test('malformed frames are refused with a problem naming what is wrong', () => {
  const cases: [string, RegExp, number | undefined][] = [
    ['not json', /not JSON/, undefined],
    ['{"t":"a"', /not JSON/, undefined],
    ['[1,2]', /JSON object/, undefined],
    ['null', /JSON object/, undefined],
    ['"hello"', /JSON object/, undefined],
    ['{"id":3}', /no type/, 3],
    ['{"t":"","id":4}', /no type/, 4],
    ['{"t":5}', /no type/, undefined],
    ['{"t":"x","id":-1}', /"id"/, undefined],
    ['{"t":"x","id":1.5}', /"id"/, undefined],
    ['{"t":"x","id":"1"}', /"id"/, undefined],
    [`{"t":"${'x'.repeat(MAX_TYPE_LENGTH + 1)}","id":9}`, /too long/, 9],
  ];
  for (const [text, problem, re] of cases) {
    const parsed = parseFrame(text);
    assert.equal(parsed.ok, false, text);
    if (parsed.ok) continue;
    assert.match(parsed.problem, problem, text);
    assert.equal(parsed.re, re, text);
  }
});

test('the request id of a frame is found cheaply for rate-limit answers', () => {
  assert.equal(requestIdOf('{"t":"x","id":42,"text":"…"}'), 42);
  assert.equal(requestIdOf('{"t":"x"}'), undefined);
  assert.equal(requestIdOf('garbage'), undefined);
});
