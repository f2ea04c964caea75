import type { TlsCertificates } from '../../tls/tls-certificates.ts';
import { actorOf } from '../auth.ts';
import { errorResponses, tokenSecurity, type ApiApp } from './common.schema.ts';
import { replaceCertificateBody, tlsCertificateSchema } from './tls.schema.ts';

const tags = ['operations'];

/** What the routes need of the server's certificate: what it says, and replacing it. */
export type CertificateHolder = Pick<TlsCertificates, 'info' | 'replace'>;

/**
 * /tls/certificate: the certificate of every TLS listener. A replacement is
 * checked, written under [tls] and used by new connections at once, without a
 * restart; audited as 'tls.replace' without the key.
 */
export function registerTlsRoutes(app: ApiApp, certificates: () => Promise<CertificateHolder>): void {
  app.get(
    '/tls/certificate',
    {
      schema: {
        tags,
        summary: 'The TLS certificate the listeners present',
        security: tokenSecurity,
        response: { 200: tlsCertificateSchema, ...errorResponses },
      },
    },
    async () => (await certificates()).info,
  );

  app.put(
    '/tls/certificate',
    {
      schema: {
        tags,
        summary: 'Replace the TLS certificate and key; new connections use it at once',
        description:
          'TLS_INVALID (400) says what is wrong: not PEM, the key does not match, expired, not yet valid, chain out of order.',
        security: tokenSecurity,
        body: replaceCertificateBody,
        response: { 200: tlsCertificateSchema, ...errorResponses },
      },
    },
    async (request) =>
      (await certificates()).replace(request.body.certificate, request.body.privateKey, actorOf(request)),
  );
}
