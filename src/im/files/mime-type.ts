/**
 * The type a file is stored and served with. The content decides when its
 * first bytes are a format we know (a client cannot call a PNG a PDF);
 * otherwise the declared type, if it is well-formed; otherwise octet-stream.
 */

export const OCTET_STREAM = 'application/octet-stream';

/** How many leading bytes sniffing needs. */
export const SNIFF_BYTES = 16;

interface Signature {
  type: string;
  offset: number;
  bytes: readonly number[];
  /**
   * A container many formats share (ZIP holds .docx and .xlsx, ISO media
   * holds MP4 and MOV): a well-formed declared type wins over it.
   */
  container?: boolean;
}

const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));

const SIGNATURES: readonly Signature[] = [
  { type: 'image/png', offset: 0, bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
  { type: 'image/jpeg', offset: 0, bytes: [0xff, 0xd8, 0xff] },
  { type: 'image/gif', offset: 0, bytes: ascii('GIF87a') },
  { type: 'image/gif', offset: 0, bytes: ascii('GIF89a') },
  { type: 'image/webp', offset: 8, bytes: ascii('WEBP') },
  { type: 'image/tiff', offset: 0, bytes: [0x49, 0x49, 0x2a, 0x00] },
  { type: 'image/tiff', offset: 0, bytes: [0x4d, 0x4d, 0x00, 0x2a] },
  { type: 'image/avif', offset: 4, bytes: ascii('ftypavif') },
  { type: 'image/heic', offset: 4, bytes: ascii('ftypheic') },
  { type: 'application/pdf', offset: 0, bytes: ascii('%PDF-') },
  { type: 'application/gzip', offset: 0, bytes: [0x1f, 0x8b] },
  { type: 'application/zip', offset: 0, bytes: [0x50, 0x4b, 0x03, 0x04], container: true },
  { type: 'video/mp4', offset: 4, bytes: ascii('ftyp'), container: true },
];

/** RFC 6838 §4.2: type "/" subtype, restricted-name characters; parameters are dropped. */
const MEDIA_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/;

/** The format the first bytes show, or undefined. */
export function sniffSignature(head: Uint8Array): Signature | undefined {
  return SIGNATURES.find((signature) => {
    if (signature.type === 'image/webp' && !startsWith(head, 0, ascii('RIFF'))) return false;
    return startsWith(head, signature.offset, signature.bytes);
  });
}

/** A declared type, lower-cased and without parameters, or undefined when malformed. */
export function normaliseDeclaredType(declared: string | undefined | null): string | undefined {
  const bare = declared?.split(';')[0]?.trim().toLowerCase();
  return bare !== undefined && MEDIA_TYPE.test(bare) ? bare : undefined;
}

export function decideMimeType(head: Uint8Array, declared: string | undefined | null): string {
  const sniffed = sniffSignature(head);
  const claimed = normaliseDeclaredType(declared);
  if (sniffed && !sniffed.container) return sniffed.type;
  return claimed ?? sniffed?.type ?? OCTET_STREAM;
}

/** Raster formats a preview is attempted for (SVG is left out: it is a document, not pixels). */
export function isPreviewableImage(mimeType: string): boolean {
  return ['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/tiff', 'image/avif'].includes(
    mimeType,
  );
}

function startsWith(head: Uint8Array, offset: number, bytes: readonly number[]): boolean {
  if (head.length < offset + bytes.length) return false;
  return bytes.every((byte, i) => head[offset + i] === byte);
}
