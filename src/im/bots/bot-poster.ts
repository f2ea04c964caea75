import type { Directory } from '../../directory/index.ts';
import { CooError } from '../../errors.ts';
import {
  BOT_LIMITS,
  type BotMemoRequest,
  type BotMemoResult,
  type BotMessageRequest,
  type BotMessageResult,
} from '../../protocol/bots.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import type { ConversationService } from '../conversations/conversation-service.ts';
import type { ImActor } from '../conversations/deps.ts';
import type { MessageService } from '../conversations/message-service.ts';
import type { MemoService } from '../memos/memo-service.ts';
import type { VisibilityPolicy } from '../types.ts';
import type { BotIdentity } from './bot-service.ts';

export interface BotPosterDeps {
  directory: Directory;
  conversations: ConversationService;
  messages: MessageService;
  memos: MemoService;
  policy: VisibilityPolicy;
}

/**
 * What a bot posts goes through the same services as a person's messages
 * and memos, acting as the bot's account with protocol "bot": the same
 * visibility rules, limits, audit entries, events and push notifications.
 */
export class BotPoster {
  readonly #deps: BotPosterDeps;

  constructor(deps: BotPosterDeps) {
    this.#deps = deps;
  }

  /**
   * A message in the bot's 1:1 with the person addressed, or with each
   * member of the unit (and its sub-units) the bot may message. With an
   * `id`, a retried post sends nothing twice (it is each message's clientId).
   */
  async message(bot: BotIdentity, remote: string, request: BotMessageRequest): Promise<BotMessageResult> {
    const actor = actorOf(bot, remote);
    const people =
      typeof request.to === 'string'
        ? [await this.#person(request.to)]
        : await this.#unit(bot, request.to.unit);
    const sent: BotMessageResult['sent'] = [];
    for (const person of people) {
      const conversation = await this.#deps.conversations.createDirect(actor, person.id);
      const message = await this.#deps.messages.send(actor, {
        conversationId: conversation.id,
        text: request.text,
        ...(request.id === undefined ? {} : { clientId: request.id }),
      });
      sent.push({ to: person.address, conversationId: conversation.id, seq: message.seq });
    }
    return { sent };
  }

  /** A memo to the users and whole units named (the memo service expands the units). */
  async memo(bot: BotIdentity, remote: string, request: BotMemoRequest): Promise<BotMemoResult> {
    const userIds = await Promise.all(
      (request.to.users ?? []).map(async (login) => (await this.#person(login)).id),
    );
    const tree = await this.#deps.directory.org.loadTree();
    const unitIds = (request.to.units ?? []).map((path) => tree.require(path).id);
    const memo = await this.#deps.memos.send(actorOf(bot, remote), {
      ...(request.subject === undefined ? {} : { subject: request.subject }),
      body: request.body,
      to: { userIds, unitIds },
    });
    return { memoId: memo.id, recipients: memo.recipientCount };
  }

  async #person(login: string): Promise<{ id: number; address: string }> {
    const row = await this.#deps.directory.users.requireRow(login);
    return { id: row.id, address: row.address };
  }

  /** The unit's enabled people, sub-units included, whom the bot may message (the memo rule). */
  async #unit(bot: BotIdentity, path: string): Promise<{ id: number; address: string }[]> {
    const members = (await this.#deps.directory.users.list({ unit: path, recursive: true })).filter(
      (user) => !user.disabled && user.id !== bot.userId,
    );
    const reachable = await this.#deps.policy.messageableAmong(
      bot.userId,
      members.map((user) => user.id),
    );
    const people = members.filter((user) => reachable.has(user.id));
    if (people.length === 0) {
      throw new CooError(ErrorCode.INVALID_INPUT, `to: nobody in "${path}" the bot may message`, [
        { field: 'to', message: 'nobody to send to' },
      ]);
    }
    if (people.length > BOT_LIMITS.unitMessageRecipients) {
      throw new CooError(
        ErrorCode.INVALID_INPUT,
        `to: ${people.length} people; a message reaches at most ${BOT_LIMITS.unitMessageRecipients} (send a memo)`,
      );
    }
    return people.map((user) => ({ id: user.id, address: user.address }));
  }
}

function actorOf(bot: BotIdentity, remote: string): ImActor {
  return { userId: bot.userId, address: bot.address, protocol: 'bot', remote };
}
