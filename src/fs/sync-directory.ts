import { open } from 'node:fs/promises';

/**
 * Fsyncs a folder, so a file renamed into it survives a crash: the rename is
 * a change to the folder, not to the file.
 */
export async function syncDirectory(dir: string): Promise<void> {
  // Windows cannot open a folder for fsync; NTFS journals renames anyway.
  if (process.platform === 'win32') return;
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
