/**
 * Content-Disposition for a download (RFC 6266 §4): a plain-ASCII `filename`
 * for old clients and the exact UTF-8 name as `filename*` (RFC 8187, which
 * replaced RFC 5987), which every current browser prefers.
 */
export function contentDisposition(kind: 'attachment' | 'inline', fileName: string): string {
  return `${kind}; filename="${asciiFallback(fileName)}"; filename*=UTF-8''${encodeExtValue(fileName)}`;
}

/** RFC 8187 §3.2.1 attr-char: what may stand unencoded in an ext-value. */
const ATTR_CHAR = /[A-Za-z0-9!#$&+\-.^_`|~]/;

function encodeExtValue(text: string): string {
  let out = '';
  for (const char of text) {
    if (ATTR_CHAR.test(char)) {
      out += char;
      continue;
    }
    for (const byte of Buffer.from(char, 'utf8'))
      out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** RFC 6266 §4.3: a quoted-string of printable ASCII; anything else becomes "_". */
function asciiFallback(text: string): string {
  const replaced = [...text].map((char) =>
    /^[\x20-\x7e]$/.test(char) && char !== '"' && char !== '\\' ? char : '_',
  );
  return replaced.join('');
}
