import { z } from 'zod';
import type { Services } from '../services.ts';
import { DeviceService } from '../im/sessions/device-service.ts';
import { adminOf, requireAdminToken } from './auth.ts';
import { registerBotRoutes } from '../im/bots/bot-admin-routes.ts';
import { registerAuditRoutes } from './routes/audit.ts';
import { registerDashboardRoutes, type DashboardSources } from './routes/dashboard.ts';
import { errorResponses, tokenSecurity, type ApiApp } from './routes/common.schema.ts';
import { registerDomainRoutes } from './routes/domains.ts';
import { registerGroupRoutes } from './routes/groups.ts';
import { registerMailRoutes } from './routes/mail.ts';
import { registerMailAdminRoutes } from './routes/mail-admin.ts';
import { registerOrgRoutes } from './routes/org.ts';
import { registerSettingRoutes } from './routes/settings.ts';
import { registerTlsRoutes, type CertificateHolder } from './routes/tls.ts';
import { TlsCertificates } from '../tls/tls-certificates.ts';
import { registerTokenRoutes } from './routes/tokens.ts';
import { registerUserCsvRoutes } from './routes/user-csv.ts';
import { registerUserRoutes } from './routes/users.ts';
import { invalidateVisibilityAfterWrites, registerVisibilityRoutes } from './routes/visibility.ts';

export const API_PREFIX = '/api/v1';

const whoAmISchema = z.object({
  address: z.string().describe('The administrator the token acts as'),
  tokenName: z.string(),
});

/** The web console's logins: an administrator's messenger device token works on the admin API. */
export function adminDeviceCheck(services: Services): DeviceService {
  return new DeviceService({ store: services.store, audit: services.audit, users: services.directory.users });
}

export interface AdminApiOptions {
  /** The messenger's connections and the process's listeners, for GET /dashboard. */
  dashboard?: DashboardSources;
  /**
   * The certificate the listeners present, for /tls/certificate. Without it
   * (the API alone, in tests) the files under [tls] are read and written, and
   * a server running on them picks a replacement up from its file poll.
   */
  tls?: CertificateHolder;
}

/**
 * The REST admin API under /api/v1: every route needs an admin's API token,
 * and every change goes through the same services as the CLI, audited with
 * the admin as actor.
 */
export function installAdminApi(app: ApiApp, services: Services, options: AdminApiOptions = {}): void {
  app.register(
    async (api: ApiApp) => {
      requireAdminToken(api, services.tokens, adminDeviceCheck(services));
      invalidateVisibilityAfterWrites(api, services);
      api.get(
        '/me',
        {
          schema: {
            tags: ['tokens'],
            summary: 'The administrator the token acts as',
            security: tokenSecurity,
            response: { 200: whoAmISchema, ...errorResponses },
          },
        },
        async (request) => {
          const admin = adminOf(request);
          return { address: admin.address, tokenName: admin.tokenName };
        },
      );
      registerUserRoutes(api, services);
      registerUserCsvRoutes(api, services);
      registerMailRoutes(api, services);
      registerMailAdminRoutes(api, services);
      registerOrgRoutes(api, services);
      registerGroupRoutes(api, services);
      registerDomainRoutes(api, services);
      registerTokenRoutes(api, services);
      registerBotRoutes(api, services);
      registerAuditRoutes(api, services);
      registerSettingRoutes(api, services);
      registerVisibilityRoutes(api, services);
      registerDashboardRoutes(api, services, options.dashboard);
      registerTlsRoutes(api, certificateHolder(services, options.tls));
    },
    { prefix: API_PREFIX },
  );
}

function certificateHolder(
  services: Services,
  given: CertificateHolder | undefined,
): () => Promise<CertificateHolder> {
  if (given) return () => Promise.resolve(given);
  let loading: Promise<TlsCertificates> | undefined;
  return async () => {
    loading ??= TlsCertificates.load({
      certPath: services.config.paths.tlsCert,
      keyPath: services.config.paths.tlsKey,
      audit: services.audit,
    }).catch((error: unknown) => {
      // Not kept: the files may be fixed by the next request.
      loading = undefined;
      throw error;
    });
    const holder = await loading;
    // Nothing else watches the files here: look before each answer, so a change by the CLI shows.
    await holder.reloadFromFiles();
    return holder;
  };
}
