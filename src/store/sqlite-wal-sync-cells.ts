/** The shared memory between WalSync and its thread: four Int32 cells. */
export const CELL = {
  /** The newest sync generation asked for (wraps around; compared by difference). */
  requested: 0,
  /** The newest generation made durable, or given up on when `failed` is set. */
  done: 1,
  /** 1 once a flush failed. */
  failed: 2,
  /** 1 asks the thread to end. */
  stop: 3,
} as const;

export const CELL_COUNT = 4;

/** How often the WAL file's identity is checked. */
export const REPLACEMENT_CHECK_MS = 1000;

export interface WalSyncWorkerData {
  walFile: string;
  state: SharedArrayBuffer;
}

/** Whether generation `a` is at or after `b`, across the wrap of a 32-bit counter. */
export function atOrAfter(a: number, b: number): boolean {
  return ((a - b) | 0) >= 0;
}
