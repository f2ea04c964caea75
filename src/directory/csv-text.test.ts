import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeCsv, parseCsvRecords } from './csv-text.ts';
import { encodeShiftJis, firstUnencodable } from './shift-jis.ts';

test('every character the Shift_JIS decoder produces encodes back to bytes that decode to it', () => {
  const decoder = new TextDecoder('shift_jis', { fatal: true });
  let checked = 0;
  for (let lead = 0x81; lead <= 0xfc; lead++) {
    if (lead >= 0xa0 && lead < 0xe0) continue;
    for (let trail = 0x40; trail <= 0xfc; trail++) {
      let text: string;
      try {
        text = decoder.decode(Uint8Array.of(lead, trail));
      } catch {
        continue;
      }
      assert.equal(decoder.decode(encodeShiftJis(text)), text);
      checked++;
    }
  }
  assert.ok(checked > 7000, `${checked} characters`);
  const ascii = 'address,name\\~\r\n';
  assert.deepEqual(encodeShiftJis(ascii), Buffer.from(ascii, 'latin1'));
  assert.deepEqual(encodeShiftJis('ｱ'), Buffer.of(0xb1));
});

test('Shift_JIS encoding prefers the IBM rows Excel writes over the NEC-selected duplicates', () => {
  // U+2170 (small roman numeral one): 0xEEEF (NEC-selected) and 0xFA40 (IBM); WHATWG encodes 0xFA40.
  assert.deepEqual(encodeShiftJis('ⅰ'), Buffer.of(0xfa, 0x40));
});

test('a character outside Shift_JIS is named, not replaced', () => {
  assert.equal(firstUnencodable('田中 😀 太郎'), '😀');
  assert.equal(firstUnencodable('田中 太郎'), undefined);
  assert.throws(() => encodeShiftJis('Ω̈'), /"̈" \(U\+0308\) has no Shift_JIS encoding/);
});

test('auto-detection: UTF-8 when valid (BOM dropped), else Shift_JIS; a named encoding is not second-guessed', () => {
  assert.deepEqual(decodeCsv(Buffer.from('\uFEFFa,b\n', 'utf8'), 'auto'), {
    ok: true,
    text: 'a,b\n',
    encoding: 'utf-8',
  });
  assert.deepEqual(decodeCsv(encodeShiftJis('名前\n'), 'auto'), {
    ok: true,
    text: '名前\n',
    encoding: 'shift_jis',
  });
  const utf8Only = decodeCsv(encodeShiftJis('a\n名前\n'), 'utf-8');
  assert.deepEqual(utf8Only, { ok: false, error: { line: 2, message: 'line 2 is not valid UTF-8 text' } });
});

test('records carry the line they start on, across quoted line breaks and blank lines', () => {
  const texts = [
    'a,b\r\n1,2\r\n\r\n"x\r\ny",3\r\n4,5\r\n',
    'a,b\n1,2\n\n"x\ny",3\n4,5',
    'a,b\r1,2\r\r"x\ry",3\r4,5\r',
  ];
  for (const text of texts) {
    const parsed = parseCsvRecords(text);
    assert.ok(parsed.ok);
    assert.deepEqual(
      parsed.records.map((r) => r.line),
      [1, 2, 4, 6],
    );
  }
});

test('fields: quoted commas, doubled quotes, empty fields and a last line without a line break', () => {
  const parsed = parseCsvRecords('a,"b,c","say ""hi""",,"",\n"",x');
  assert.ok(parsed.ok);
  assert.deepEqual(
    parsed.records.map((r) => r.fields),
    [
      ['a', 'b,c', 'say "hi"', '', '', ''],
      ['', 'x'],
    ],
  );
});

test('malformed quoting is an error naming the line, not a crash', () => {
  const open = parseCsvRecords('a,b\n1,"2\n3,4\n');
  assert.deepEqual(open.ok ? undefined : open.error, {
    line: 2,
    message: 'the CSV cannot be read: a quote opened on this line is never closed',
  });
  const stray = parseCsvRecords('a,b\n1,x"y"\n');
  assert.equal(stray.ok ? undefined : stray.error.line, 2);
  const trailing = parseCsvRecords('a,"b"c\n');
  assert.equal(
    trailing.ok ? undefined : trailing.error.message,
    'the CSV cannot be read: unexpected "c" after a closing quote',
  );
});
