import { z } from 'zod';
import { CONVERSATION_LIMITS } from '../../protocol/im/conversations.ts';

/**
 * Pieces of the chat and memo frame schemas. These check shapes and rough
 * bounds (a frame is at most 64 KiB anyway); the services check the exact
 * rules, so every front end gets the same answers.
 */

export const requestId = z.number().int().nonnegative().optional();
/** A database id: a whole number from 1. */
export const entityId = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
export const seq = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
export const userIds = z.array(entityId).max(CONVERSATION_LIMITS.membersPerRequest);
/** Page sizes are checked by the services, which name the limit. */
export const pageLimit = z.number().int().optional();
/** Upload ids of the files area. */
export const fileIds = z.array(z.string().min(1).max(100)).max(CONVERSATION_LIMITS.attachmentsPerMessage);
