import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { bodyOffset, fieldValues, headerFields, readHeaderBlock, splitMessage } from './header-block.ts';

const MESSAGE = Buffer.from(
  'Received: from a\r\n\tby b; Mon, 23 Nov 2026 09:00:00 +0900\r\nSubject: =?UTF-8?B?5Lya6K2w?=\r\n' +
    ' folded\r\nX-Empty:\r\n\r\nbody\r\n\r\nmore body\r\n',
);

test('the body starts after the first empty line, with CRLF or bare LF; none means all header', () => {
  assert.equal(MESSAGE.subarray(bodyOffset(MESSAGE)).toString(), 'body\r\n\r\nmore body\r\n');
  assert.equal(bodyOffset(Buffer.from('A: b\n\nbody')), 6);
  assert.equal(bodyOffset(Buffer.from('\r\nbody')), 2);
  assert.equal(bodyOffset(Buffer.from('A: b\r\nC: d\r\n')), -1);
  assert.deepEqual(splitMessage(Buffer.from('A: b')).body.length, 0);
});

test('fields are unfolded, named in lower case, and kept raw', () => {
  const fields = headerFields(splitMessage(MESSAGE).header);
  assert.deepEqual(
    fields.map((f) => [f.name, f.value]),
    [
      ['received', 'from a\tby b; Mon, 23 Nov 2026 09:00:00 +0900'],
      ['subject', '=?UTF-8?B?5Lya6K2w?= folded'],
      ['x-empty', ''],
    ],
  );
  assert.equal(fields[1]?.raw.toString(), 'Subject: =?UTF-8?B?5Lya6K2w?=\r\n folded');
  assert.deepEqual(fieldValues(MESSAGE, 'SUBJECT'), ['=?UTF-8?B?5Lya6K2w?= folded']);
});

test('the header block is found whatever the chunks a stream is cut into', async () => {
  const expected = MESSAGE.subarray(0, bodyOffset(MESSAGE));
  for (let cut = 1; cut < MESSAGE.length; cut++) {
    const stream = Readable.from([MESSAGE.subarray(0, cut), MESSAGE.subarray(cut)]);
    assert.deepEqual(await readHeaderBlock(stream), expected, `cut at ${cut}`);
  }
  const endless = Readable.from([Buffer.alloc(64, 0x41), Buffer.alloc(64, 0x41)]);
  assert.equal((await readHeaderBlock(endless, 100)).length, 100, 'bounded by the limit');
});
