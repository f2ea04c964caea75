import type { ApiApp } from '../../http/routes/common.schema.ts';
import { registerDownloadRoutes } from './download-routes.ts';
import { registerUploadRoutes, type FileRouteDeps } from './upload-routes.ts';

/**
 * The file endpoints, in a scope of their own: tus bodies stream straight to
 * the upload store, so no content-type parser may read them first.
 */
export function installFileRoutes(app: ApiApp, deps: FileRouteDeps): void {
  app.register(async (scope: ApiApp) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, _payload, done) => {
      done(null);
    });
    // Refused before its body was read (no token, over the limit…): close the
    // connection rather than let Node read and discard what may be gigabytes.
    scope.addHook('onSend', async (request, reply) => {
      if (reply.statusCode >= 400 && !request.raw.complete) reply.header('connection', 'close');
    });
    registerUploadRoutes(scope, deps);
    registerDownloadRoutes(scope, deps);
  });
}
