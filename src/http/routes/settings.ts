import { z } from 'zod';
import type { Services } from '../../services.ts';
import { AdminSettings, type SettingValue } from '../../settings/admin-settings.ts';
import { actorOf } from '../auth.ts';
import { errorResponses, tokenSecurity, type ApiApp } from './common.schema.ts';

const tags = ['settings'];

const settingSchema = z
  .object({
    name: z.string().describe('e.g. im.login-policy'),
    value: z.union([z.string(), z.number(), z.boolean()]),
    description: z.string(),
    isDefault: z.boolean().describe('Never set: the default applies'),
  })
  .meta({ id: 'Setting' }) satisfies z.ZodType<SettingValue>;

const settingParams = z.object({ name: z.string().min(1).max(100) });
const setSettingBody = z.strictObject({ value: z.union([z.string().max(1000), z.number(), z.boolean()]) });

/** /settings: server settings changed at run time (the login policy, limits…), audited as 'settings.set'. */
export function registerSettingRoutes(app: ApiApp, services: Services): void {
  // The config gives the limits their defaults: coo.toml's values while an admin has not set them.
  const settings = new AdminSettings({
    store: services.store,
    audit: services.audit,
    config: services.config.config,
  });

  app.get(
    '/settings',
    {
      schema: {
        tags,
        summary: 'Every run-time setting with its value',
        security: tokenSecurity,
        response: { 200: z.object({ settings: z.array(settingSchema) }), ...errorResponses },
      },
    },
    async () => ({ settings: await settings.list() }),
  );

  app.get(
    '/settings/:name',
    {
      schema: {
        tags,
        summary: 'One setting',
        security: tokenSecurity,
        params: settingParams,
        response: { 200: settingSchema, ...errorResponses },
      },
    },
    async (request) => settings.get(request.params.name),
  );

  app.put(
    '/settings/:name',
    {
      schema: {
        tags,
        summary: 'Change a setting; takes effect at once',
        security: tokenSecurity,
        params: settingParams,
        body: setSettingBody,
        response: { 200: settingSchema, ...errorResponses },
      },
    },
    async (request) => settings.set(request.params.name, request.body.value, actorOf(request)),
  );
}
