import type { Insertable, Selectable } from 'kysely';
import type { Executor } from './database.ts';
import type { FileTable } from './schema-files.ts';

export type FileRow = Selectable<FileTable>;
export type NewFileRow = Insertable<FileTable>;

/** Where a file is attached: a conversation or a memo. */
export type AttachmentTarget = { kind: 'conversation'; id: number } | { kind: 'memo'; id: number };

export async function insertFile(db: Executor, row: NewFileRow): Promise<void> {
  await db.insertInto('files').values(row).execute();
}

export function findFile(db: Executor, id: string): Promise<FileRow | undefined> {
  return db.selectFrom('files').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The files among `ids` that this user uploaded (finished uploads only: unfinished ones have no row). */
export function findFilesOfUploader(
  db: Executor,
  ids: readonly string[],
  uploaderId: number,
): Promise<FileRow[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('files')
    .selectAll()
    .where('id', 'in', ids)
    .where('uploader_id', '=', uploaderId)
    .execute();
}

/** Records where files are shown; attaching a file twice to the same place is a no-op. */
export async function insertAttachments(
  db: Executor,
  fileIds: readonly string[],
  target: AttachmentTarget,
  now = Date.now(),
): Promise<void> {
  if (fileIds.length === 0) return;
  await db
    .insertInto('file_attachments')
    .values(
      fileIds.map((fileId) => ({
        file_id: fileId,
        target_kind: target.kind,
        target_id: target.id,
        created_at: now,
      })),
    )
    .onConflict((oc) => oc.columns(['file_id', 'target_kind', 'target_id']).doNothing())
    .execute();
}

/** Every place a file is attached. */
export async function listAttachmentTargets(db: Executor, fileId: string): Promise<AttachmentTarget[]> {
  const rows = await db
    .selectFrom('file_attachments')
    .select(['target_kind', 'target_id'])
    .where('file_id', '=', fileId)
    .orderBy('created_at')
    .execute();
  return rows.flatMap((row): AttachmentTarget[] =>
    row.target_kind === 'conversation' || row.target_kind === 'memo'
      ? [{ kind: row.target_kind, id: row.target_id }]
      : [],
  );
}
