/** Visibility rules: which units and groups may see and message which. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface VisibilityTables {}
