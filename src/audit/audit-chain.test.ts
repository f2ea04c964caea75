import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { canonicalJson, entryHash } from './audit-chain.ts';

describe('audit chain hashing', () => {
  it('writes object keys in one order at every depth, whatever order they were built in', () => {
    const a = canonicalJson({ b: 1, a: { d: [{ y: 1, x: 2 }], c: 'é' } });
    const b = canonicalJson({ a: { c: 'é', d: [{ x: 2, y: 1 }] }, b: 1 });
    assert.equal(a, '{"a":{"c":"é","d":[{"x":2,"y":1}]},"b":1}');
    assert.equal(a, b);
  });

  it('follows JSON.stringify for dates, undefined members and non-finite numbers', () => {
    assert.equal(
      canonicalJson({ when: new Date(0), gone: undefined, big: Infinity }),
      '{"big":null,"when":"1970-01-01T00:00:00.000Z"}',
    );
  });

  it('keeps a "__proto__" key as a plain member', () => {
    assert.equal(canonicalJson(JSON.parse('{"__proto__":{"x":1},"a":1}')), '{"__proto__":{"x":1},"a":1}');
  });

  it('hashes prev_hash, a newline and the canonical JSON array of the fields', () => {
    const fields = {
      seq: 7,
      at: 1_795_000_000_000,
      actor: 'cli',
      action: 'user.create',
      target: 'alice@example.com',
      protocol: 'cli',
      remote: '',
      outcome: 'success',
      details: canonicalJson({ quota: 5, name: 'Alice' }),
    };
    const expected = createHash('sha256')
      .update(
        'abc\n' +
          JSON.stringify([
            7,
            1_795_000_000_000,
            'cli',
            'user.create',
            'alice@example.com',
            'cli',
            '',
            'success',
            {
              name: 'Alice',
              quota: 5,
            },
          ]),
      )
      .digest('hex');
    assert.equal(entryHash('abc', fields), expected);
    assert.notEqual(entryHash('abd', fields), expected);
    assert.notEqual(entryHash('abc', { ...fields, details: '{"name":"Alice", "quota":5}' }), expected);
  });
});
