import assert from 'node:assert/strict';
import { test } from 'node:test';
import { baseSubject } from './base-subject.ts';

test('RFC 5256 §2.1 base subjects, each step of the algorithm', () => {
  const cases: Array<[string, string, boolean]> = [
    ['Meeting', 'meeting', false],
    ['Re: Meeting', 'meeting', true],
    ['RE:  re:Meeting', 'meeting', true],
    ['Fwd: Fw: meeting', 'meeting', true],
    // subj-refwd with a blob before its colon, and blobs before it.
    ['Re[2]: meeting', 'meeting', true],
    ['[list] Re: meeting', 'meeting', true],
    ['Re: Fwd: [list] 新製品の案内', '新製品の案内', true],
    // Step 2: "(fwd)" trailers and white space, repeatedly.
    ['meeting (fwd) (fwd)  ', 'meeting', true],
    // Step 4: a blob goes only when something is left after it.
    ['[list] meeting', 'meeting', false],
    ['[list]', '[list]', false],
    ['[a][b]', '[b]', false],
    // Step 6: "[fwd: …]" is unwrapped and the algorithm starts again.
    ['[Fwd: Re: meeting (fwd)]', 'meeting', true],
    ['[fwd: meeting', '[fwd: meeting', false],
    // Step 1: white space runs, tabs and folding become one space.
    ['Re:\tthe\r\n  big   meeting', 'the big meeting', true],
    // Words that merely start like a leader are kept.
    ['Regarding: meeting', 'regarding: meeting', false],
    ['Fwdx: meeting', 'fwdx: meeting', false],
    ['Re', 're', false],
    ['', '', false],
    ['Re:', '', true],
    // Full-width letters, as Japanese mailers write them (our NFKC fold).
    ['Ｒｅ：会議の件', '会議の件', true],
    ['ＦＷ： 【重要】 会議', '【重要】 会議', true],
  ];
  for (const [subject, text, isReplyOrForward] of cases) {
    assert.deepEqual(baseSubject(subject), { text, isReplyOrForward }, JSON.stringify(subject));
  }
});
