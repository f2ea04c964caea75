/**
 * Text folding for directory search, so that what a person types finds what
 * an admin entered however either was written: full-width and half-width
 * forms (ＡＢＣ, ｶﾅ) by NFKC, case, katakana and hiragana (ヤマダ = やまだ),
 * and spaces (山田 太郎 = 山田太郎).
 */

const KATAKANA_FIRST = 0x30a1; // ァ
const KATAKANA_LAST = 0x30f6; // ヶ
const KATAKANA_ITERATION = 0x30fd; // ヽ, ヾ
const HIRAGANA_OFFSET = 0x60;

/** Folds text for comparison: NFKC, lower case, katakana to hiragana, no white space. */
export function foldForSearch(text: string): string {
  let folded = '';
  for (const char of text.normalize('NFKC').toLowerCase()) {
    const code = char.codePointAt(0) ?? 0;
    if (/\s/u.test(char)) continue;
    if (
      (code >= KATAKANA_FIRST && code <= KATAKANA_LAST) ||
      code === KATAKANA_ITERATION ||
      code === KATAKANA_ITERATION + 1
    ) {
      folded += String.fromCodePoint(code - HIRAGANA_OFFSET);
    } else {
      folded += char;
    }
  }
  return folded;
}

/** Only the digits of a phone number, so "03-1234-5678" matches "0312345678" and "1234 5678". */
export function phoneDigits(text: string): string {
  return text.normalize('NFKC').replace(/\D/g, '');
}

/** Whether a query reads as (part of) a phone number: digits with the usual separators. */
export function looksLikePhone(query: string): boolean {
  const normalized = query.normalize('NFKC').trim();
  return /\d/.test(normalized) && /^[\d\s+\-().]+$/.test(normalized);
}
