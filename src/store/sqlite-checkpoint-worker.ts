/**
 * The checkpointer's thread: its own connection to the database file copies
 * committed WAL frames into the main file (and fsyncs both), so that work
 * never runs on the server's event loop. PASSIVE never blocks the writer.
 */
import { DatabaseSync } from 'node:sqlite';
import { parentPort, workerData } from 'node:worker_threads';

const { file } = workerData as { file: string };
const db = new DatabaseSync(file, { timeout: 10_000 });
db.exec('pragma synchronous = normal');
// This connection only checkpoints; it never writes.
db.exec('pragma wal_autocheckpoint = 0');

parentPort?.on('message', (message: 'checkpoint' | 'close') => {
  if (message === 'close') {
    db.close();
    parentPort?.close();
    return;
  }
  try {
    const row = db.prepare('pragma wal_checkpoint(passive)').get() as {
      busy: number;
      log: number;
      checkpointed: number;
    };
    parentPort?.postMessage({ ok: true, log: row.log, checkpointed: row.checkpointed });
  } catch (error) {
    parentPort?.postMessage({ ok: false, error: error instanceof Error ? error.message : String(error) });
  }
});
