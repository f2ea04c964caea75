import { parseValidityDate } from '../../directory/user-fields.ts';
import { MailSettingsService } from '../../mail/delivery/mail-settings-service.ts';
import type { Services } from '../../services.ts';
import { actorOf } from '../auth.ts';
import {
  addressParams,
  errorResponses,
  isoTime,
  noContent,
  tokenSecurity,
  type ApiApp,
} from './common.schema.ts';
import {
  addMailRuleBody,
  forwardingAnswerSchema,
  forwardingSchema,
  mailRuleListSchema,
  mailRuleParams,
  mailRuleSchema,
  setForwardingBody,
  toApiRule,
} from './mail.schema.ts';

const tags = ['mail'];

/**
 * /users/{address}/mail/forwarding and /users/{address}/mail/rules: a
 * user's forwarding and delivery rules, through the same service as
 * `coo mail`.
 */
export function registerMailRoutes(app: ApiApp, services: Services): void {
  const settings = new MailSettingsService(services);

  app.get(
    '/users/:address/mail/forwarding',
    {
      schema: {
        tags,
        summary: "Where the user's mail is forwarded (null: not forwarded)",
        security: tokenSecurity,
        params: addressParams,
        response: { 200: forwardingAnswerSchema, ...errorResponses },
      },
    },
    async (request) => {
      const forwarding = await settings.forwarding(request.params.address);
      return { forwarding: forwarding ? { ...forwarding, updatedAt: isoTime(forwarding.updatedAt) } : null };
    },
  );

  app.put(
    '/users/:address/mail/forwarding',
    {
      schema: {
        tags,
        summary: "Forward the user's mail to one address, keeping a copy or not (SRS and ARC applied)",
        security: tokenSecurity,
        params: addressParams,
        body: setForwardingBody,
        response: { 200: forwardingSchema, ...errorResponses },
      },
    },
    async (request) => {
      const set = await settings.setForwarding(request.params.address, request.body, actorOf(request));
      return { ...set, updatedAt: isoTime(set.updatedAt) };
    },
  );

  app.delete(
    '/users/:address/mail/forwarding',
    {
      schema: {
        tags,
        summary: 'Stop forwarding (also when it was off)',
        security: tokenSecurity,
        params: addressParams,
        response: { 204: noContent, ...errorResponses },
      },
    },
    async (request, reply) => {
      await settings.clearForwarding(request.params.address, actorOf(request));
      return reply.code(204).send();
    },
  );

  app.get(
    '/users/:address/mail/rules',
    {
      schema: {
        tags,
        summary: "The user's delivery rules, in the order they apply",
        security: tokenSecurity,
        params: addressParams,
        response: { 200: mailRuleListSchema, ...errorResponses },
      },
    },
    async (request) => ({ rules: (await settings.rules(request.params.address)).map(toApiRule) }),
  );

  app.post(
    '/users/:address/mail/rules',
    {
      schema: {
        tags,
        summary: 'Add a rule after the others: block a sender, file into a folder, or auto-reply while away',
        security: tokenSecurity,
        params: addressParams,
        body: addMailRuleBody,
        response: { 201: mailRuleSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const params =
        body.kind === 'autoreply'
          ? {
              subject: body.params.subject,
              body: body.params.body,
              ...dateParam('from', body.params.from, 'start'),
              ...dateParam('until', body.params.until, 'end'),
            }
          : body.params;
      const rule = await settings.addRule(
        request.params.address,
        { kind: body.kind, params },
        actorOf(request),
      );
      return reply.code(201).send(toApiRule(rule));
    },
  );

  app.delete(
    '/users/:address/mail/rules/:id',
    {
      schema: {
        tags,
        summary: 'Remove a rule',
        security: tokenSecurity,
        params: mailRuleParams,
        response: { 204: noContent, ...errorResponses },
      },
    },
    async (request, reply) => {
      await settings.removeRule(request.params.address, request.params.id, actorOf(request));
      return reply.code(204).send();
    },
  );
}

function dateParam(
  name: 'from' | 'until',
  value: string | null | undefined,
  edge: 'start' | 'end',
): Record<string, number> {
  if (value === undefined || value === null) return {};
  const time = parseValidityDate(name, value, edge);
  return time === null ? {} : { [name]: time };
}
