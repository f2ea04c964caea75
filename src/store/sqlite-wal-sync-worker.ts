/**
 * The WAL flusher's thread: waits on a shared cell for a new sync
 * generation, fdatasyncs the WAL file and publishes the generation it made
 * durable. It needs nothing of the server's event loop, and the event loop
 * needs nothing of it but a load from shared memory (see sqlite-wal-sync.ts).
 */
import { closeSync, fdatasyncSync, fstatSync, fsyncSync, openSync, statSync } from 'node:fs';
import path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { CELL, REPLACEMENT_CHECK_MS, type WalSyncWorkerData } from './sqlite-wal-sync-cells.ts';

const { walFile, state } = workerData as WalSyncWorkerData;
const cells = new Int32Array(state);
let fd: number | undefined;
let inode = 0;
let checkedAt = 0;

/**
 * The WAL file, reopened if SQLite replaced it (it deletes it when the last
 * connection closes, which another process may be). Checked at most once a
 * second.
 */
function walDescriptor(): number {
  const now = performance.now();
  if (fd !== undefined && now - checkedAt < REPLACEMENT_CHECK_MS) return fd;
  checkedAt = now;
  const { ino } = statSync(walFile);
  if (fd !== undefined && inode === ino) return fd;
  if (fd !== undefined) closeSync(fd);
  fd = openSync(walFile, 'r+');
  inode = fstatSync(fd).ino;
  // A new WAL file's name must survive a power cut too.
  const directory = openSync(path.dirname(walFile), 'r');
  try {
    fsyncSync(directory);
  } finally {
    closeSync(directory);
  }
  return fd;
}

for (;;) {
  // Sleeps while nothing newer than what is done was asked for.
  Atomics.wait(cells, CELL.requested, Atomics.load(cells, CELL.done));
  if (Atomics.load(cells, CELL.stop) === 1) break;
  const requested = Atomics.load(cells, CELL.requested);
  if (requested === Atomics.load(cells, CELL.done)) continue;
  try {
    // fdatasync: the WAL is mostly rewritten in place, so no metadata needs a journal commit.
    fdatasyncSync(walDescriptor());
    Atomics.store(cells, CELL.done, requested);
    parentPort?.postMessage({ done: requested });
  } catch (error) {
    // Sticky: after a failed flush nothing written since can be called durable. The cells are
    // written before the message, which makes the event loop read them.
    Atomics.store(cells, CELL.failed, 1);
    Atomics.store(cells, CELL.done, requested);
    parentPort?.postMessage({ failed: error instanceof Error ? error.message : String(error) });
  }
}
if (fd !== undefined) closeSync(fd);
parentPort?.close();
