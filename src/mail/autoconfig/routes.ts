import type { FastifyInstance, FastifyReply } from 'fastify';
import type { LoadedConfig } from '../../config/loader.ts';
import type { ListenerName } from '../../config/schema.ts';
import { parseAddress } from '../../directory/address.ts';
import type { DomainService } from '../../directory/domain-service.ts';
import { CooError } from '../../errors.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import { autodiscoverRequestAddress, autodiscoverResponse } from './autodiscover.ts';
import { mailEndpoints, type MailEndpoints } from './mail-endpoints.ts';
import { appleMobileconfig } from './mobileconfig.ts';
import { thunderbirdConfig } from './thunderbird.ts';

/** The listeners and their state (server.ts), read per request: the ports they really listen on. */
export type ListenerStates = () => readonly {
  name: ListenerName;
  state: { kind: 'running'; address: { port: number } } | { kind: 'skipped' };
}[];

// An autodiscover request is a few hundred bytes of XML.
const AUTODISCOVER_BODY_LIMIT = 16 * 1024;
const ADDRESS_MAX = 320;

/**
 * Mail apps configure themselves from the `http` listener, without logging
 * in: Thunderbird's autoconfig, Outlook's autodiscover and an Apple
 * configuration profile, each naming the server's host name and the ports
 * of the running mail listeners. Only our domains are answered.
 */
export async function installMailAutoconfig(
  app: FastifyInstance,
  services: { config: LoadedConfig; directory: { domains: DomainService } },
  listeners: ListenerStates,
): Promise<void> {
  const deps = { config: services.config, domains: services.directory.domains, listeners };
  await app.register(async (scope) => {
    // XML bodies only here: the rest of the API takes JSON alone.
    scope.addContentTypeParser(
      ['text/xml', 'application/xml'],
      { parseAs: 'string', bodyLimit: AUTODISCOVER_BODY_LIMIT },
      (_request, body, done) => done(null, body),
    );
    const endpoints = (): MailEndpoints => {
      const ports = new Map<ListenerName, number>();
      for (const listener of deps.listeners()) {
        if (listener.state.kind === 'running') ports.set(listener.name, listener.state.address.port);
      }
      return mailEndpoints(deps.config.config.server.hostname, ports);
    };
    const ourAddress = async (text: unknown): Promise<string> => {
      if (typeof text !== 'string' || text.length > ADDRESS_MAX) {
        throw new CooError(ErrorCode.INVALID_ADDRESS, 'expected an email address (name@domain)');
      }
      const address = parseAddress(text);
      await ourDomain(address.domain);
      return address.address;
    };
    const ourDomain = async (domain: string): Promise<void> => {
      if (!(await deps.domains.list()).some((d) => d.name === domain)) {
        throw new CooError(ErrorCode.NOT_FOUND, `this server has no mail domain ${domain}`);
      }
    };
    const xml = (reply: FastifyReply, text: string) =>
      reply.header('cache-control', 'no-store').type('application/xml; charset=utf-8').send(text);

    const thunderbird = async (request: { query: unknown }, reply: FastifyReply) => {
      const given = (request.query as Record<string, unknown>).emailaddress;
      let domain: string;
      if (given === undefined) {
        const main = (await deps.domains.list()).find((d) => d.isDefault);
        if (!main) throw new CooError(ErrorCode.NOT_FOUND, 'no mail domain is set up');
        domain = main.name;
      } else {
        domain = (await ourAddress(given)).split('@')[1] ?? '';
      }
      return xml(reply, thunderbirdConfig(endpoints(), domain));
    };
    const hidden = { schema: { hide: true } };
    scope.get('/.well-known/autoconfig/mail/config-v1.1.xml', hidden, thunderbird);
    scope.get('/mail/config-v1.1.xml', hidden, thunderbird);

    const outlook = async (request: { body: unknown }, reply: FastifyReply) => {
      const body = typeof request.body === 'string' ? request.body : '';
      const address = await ourAddress(autodiscoverRequestAddress(body));
      return xml(reply, autodiscoverResponse(endpoints(), address));
    };
    scope.post('/autodiscover/autodiscover.xml', hidden, outlook);
    scope.post('/Autodiscover/Autodiscover.xml', hidden, outlook);

    scope.get('/apple/mail.mobileconfig', hidden, async (request, reply) => {
      const address = await ourAddress((request.query as Record<string, unknown>).email);
      return reply
        .header('cache-control', 'no-store')
        .header('content-disposition', 'attachment; filename="mail.mobileconfig"')
        .type('application/x-apple-aspen-config; charset=utf-8')
        .send(appleMobileconfig(endpoints(), address));
    });
  });
}
