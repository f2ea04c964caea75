/** Memos and their per-recipient read confirmations. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface MemoTables {}
