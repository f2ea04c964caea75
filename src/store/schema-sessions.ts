/** Messenger devices, resume tokens and push subscriptions. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface SessionTables {}
