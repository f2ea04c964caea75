import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { foldForSearch, looksLikePhone, phoneDigits } from './search-text.ts';

describe('foldForSearch', () => {
  it('folds katakana (full- and half-width) to hiragana, keeping the long vowel mark', () => {
    assert.equal(foldForSearch('ヤマダ'), 'やまだ');
    assert.equal(foldForSearch('ﾔﾏﾀﾞ'), 'やまだ');
    assert.equal(foldForSearch('ヴァイオリン・ケース'), 'ゔぁいおりん・けーす');
    assert.equal(foldForSearch('ヽヾ'), 'ゝゞ');
  });

  it('folds width and case of Latin text and drops white space, ideographic space included', () => {
    assert.equal(foldForSearch('ＡＬＩＣＥ　Smith'), 'alicesmith');
    assert.equal(foldForSearch(' 山田\t太郎 '), '山田太郎');
  });

  it('leaves kanji, digits and symbols alone, and folds nothing to nothing', () => {
    assert.equal(foldForSearch('営業部 3課'), '営業部3課');
    assert.equal(foldForSearch('😀'), '😀');
    assert.equal(foldForSearch('   '), '');
  });
});

describe('phone queries', () => {
  it('reads digits with separators as a phone number, and keeps only the digits', () => {
    assert.ok(looksLikePhone('03-1234-5678'));
    assert.ok(looksLikePhone('(03) 1234 5678'));
    assert.ok(looksLikePhone('０３１２'), 'full-width digits');
    assert.equal(looksLikePhone('営業3課'), false);
    assert.equal(looksLikePhone('---'), false);
    assert.equal(phoneDigits('+81 (90) 1111-2222'), '819011112222');
    assert.equal(phoneDigits('０３－１２３４'), '031234');
  });
});
