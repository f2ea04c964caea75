import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MessageSummary } from '../message/summary.ts';
import { planDelivery } from './delivery-plan.ts';
import { senderMatches, type MailRule } from './rules.ts';

const SUMMARY: MessageSummary = {
  subject: '[Sales] 月報',
  fromAddress: 'boss@corp.example',
  fromName: '部長',
  recipients: ['taro@example.com'],
  messageId: 'm1@corp.example',
  date: undefined,
  autoSubmitted: '',
  precedence: '',
  fromList: false,
  deliveredTo: [],
  receivedCount: 1,
};

const block = (id: number, sender: string): MailRule => ({
  id,
  kind: 'block',
  params: { sender },
  position: id,
  createdAt: 0,
});
const file = (id: number, contains: string, mailbox: string): MailRule => ({
  id,
  kind: 'file',
  params: { match: { field: 'subject', contains }, mailbox },
  position: id,
  createdAt: 0,
});
const away = (id: number, until?: number): MailRule => ({
  id,
  kind: 'autoreply',
  params: { subject: '', body: 'away', until },
  position: id,
  createdAt: 0,
});

function plan(rules: MailRule[], forwarding?: { target: string; keepCopy: boolean }, summary = SUMMARY) {
  return planDelivery({
    userAddress: 'taro@example.com',
    mailFrom: 'bounce@mailer.corp.example',
    summary,
    rules,
    forwarding,
    now: 1000,
  });
}

test('a block rule matches the envelope sender or the From address, a domain with its subdomains', () => {
  assert.deepEqual(plan([block(1, '@corp.example')]), { kind: 'blocked', ruleId: 1 });
  assert.deepEqual(plan([block(2, 'boss@corp.example')]), { kind: 'blocked', ruleId: 2 });
  assert.equal(plan([block(3, '@example.com')]).kind, 'accept');
  assert.equal(senderMatches('@corp.example', 'x@notcorp.example'), false);
  assert.equal(senderMatches('@corp.example', ''), false);
});

test('the first matching file rule picks the folder; an active auto-reply is found', () => {
  const result = plan([
    file(1, 'nothing', 'A'),
    file(2, '[sales]', 'Sales'),
    file(3, '月報', 'Reports'),
    away(4),
  ]);
  assert.deepEqual(result, {
    kind: 'accept',
    mailbox: 'Sales',
    forwardTo: undefined,
    forwardLoop: false,
    autoreply: { ruleId: 4, params: { subject: '', body: 'away', until: undefined } },
  });
  const expired = plan([away(1, 500)]);
  assert.equal(
    expired.kind === 'accept' ? expired.autoreply : 'blocked',
    undefined,
    'an auto-reply that ended',
  );
});

test('forwarding keeps a copy or not; a copy that was here before is kept instead of forwarded again', () => {
  const forwarded = plan([], { target: 'x@remote.example', keepCopy: false });
  assert.equal(forwarded.kind === 'accept' && forwarded.mailbox, undefined);
  assert.equal(forwarded.kind === 'accept' && forwarded.forwardTo, 'x@remote.example');
  const kept = plan([], { target: 'x@remote.example', keepCopy: true });
  assert.equal(kept.kind === 'accept' && kept.mailbox, 'INBOX');
  const loop = plan(
    [],
    { target: 'x@remote.example', keepCopy: false },
    { ...SUMMARY, deliveredTo: ['taro@example.com'] },
  );
  assert.deepEqual(loop.kind === 'accept' && [loop.mailbox, loop.forwardTo, loop.forwardLoop], [
    'INBOX',
    undefined,
    true,
  ]);
});
