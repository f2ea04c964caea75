import { z } from 'zod';
import {
  DIRECTORY_PAGE_DEFAULT,
  DIRECTORY_PAGE_MAX,
  DIRECTORY_QUERY_MAX,
  DIRECTORY_SEARCH_DEFAULT,
  DIRECTORY_SEARCH_MAX,
  type DirectoryProfile,
  type DirectorySearchResult,
  type DirectoryTree,
  type DirectoryUnitPage,
} from '../../protocol/im/directory.ts';
import { frameHandler, type FrameHandler, type ImConnection } from '../types.ts';
import type { DirectoryService } from './directory-service.ts';

/** What `directory.unit {watch: true}` needs of presence. */
export interface PresenceWatching {
  watch(connection: ImConnection, userIds: readonly number[]): Promise<unknown>;
}

const id = z.number().int().positive();

const profileSchema = z.union([
  z.object({ t: z.literal('directory.profile'), userId: id }),
  z.object({ t: z.literal('directory.profile'), address: z.string().min(1).max(320) }),
]);

/** The directory frames, served by one DirectoryService. */
export function directoryHandlers(directory: DirectoryService, presence: PresenceWatching): FrameHandler[] {
  return [
    frameHandler({
      type: 'directory.tree',
      schema: z.object({ t: z.literal('directory.tree') }),
      handle: async (connection): Promise<DirectoryTree> => directory.tree(connection.session.userId),
    }),
    frameHandler({
      type: 'directory.unit',
      schema: z.object({
        t: z.literal('directory.unit'),
        unitId: id,
        offset: z.number().int().min(0).max(1_000_000).default(0),
        limit: z.number().int().min(1).max(DIRECTORY_PAGE_MAX).default(DIRECTORY_PAGE_DEFAULT),
        watch: z.boolean().default(false),
      }),
      handle: async (connection, frame): Promise<DirectoryUnitPage> => {
        const page = await directory.unit(connection.session.userId, frame.unitId, frame.offset, frame.limit);
        if (frame.watch) {
          await presence.watch(
            connection,
            page.members.map((member) => member.id),
          );
        }
        return page;
      },
    }),
    frameHandler({
      type: 'directory.search',
      schema: z.object({
        t: z.literal('directory.search'),
        query: z.string().trim().min(1).max(DIRECTORY_QUERY_MAX),
        limit: z.number().int().min(1).max(DIRECTORY_SEARCH_MAX).default(DIRECTORY_SEARCH_DEFAULT),
      }),
      handle: async (connection, frame): Promise<DirectorySearchResult> => ({
        people: await directory.search(connection.session.userId, frame.query, frame.limit),
      }),
    }),
    frameHandler({
      type: 'directory.profile',
      schema: profileSchema,
      handle: async (connection, frame): Promise<DirectoryProfile> =>
        directory.profile(
          connection.session.userId,
          'userId' in frame ? { userId: frame.userId } : { address: frame.address },
        ),
    }),
  ];
}
