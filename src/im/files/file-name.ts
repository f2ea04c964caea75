import { MAX_FILE_NAME_CHARS } from '../../protocol/im/files.ts';

const FALLBACK_NAME = 'file';
// C0 and C1 controls: a name is shown in lists and headers, where they do harm.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/g;

/**
 * The name a file is kept under: what the uploader called it, without any
 * folder part (a name is never a path), control characters or surrounding
 * blanks, and at most MAX_FILE_NAME_CHARS characters with its extension kept.
 */
export function cleanFileName(name: string | undefined | null): string {
  const base = (name ?? '').split(/[/\\]/).pop() ?? '';
  const printable = base.normalize('NFC').replace(CONTROL_CHARACTERS, '').trim();
  if (printable === '' || printable === '.' || printable === '..') return FALLBACK_NAME;
  const chars = [...printable];
  if (chars.length <= MAX_FILE_NAME_CHARS) return printable;
  const dot = printable.lastIndexOf('.');
  const extension = dot > 0 ? [...printable.slice(dot)] : [];
  const keep = extension.length < 16 ? extension : [];
  return chars.slice(0, MAX_FILE_NAME_CHARS - keep.length).join('') + keep.join('');
}
