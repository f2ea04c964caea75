import { existsSync } from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/**
 * Where `npm run web:build` puts the client (scripts/ensure-web.sh builds it
 * when stale). COO_WEB_DIR points elsewhere: a build of a work in progress.
 */
export const WEB_CLIENT_DIR = process.env.COO_WEB_DIR ?? path.resolve(import.meta.dirname, '../../web/dist');

/**
 * The page's Content Security Policy: everything from this server only. The
 * WebSocket is same-origin ('self' covers wss: to this host in CSP Level 3);
 * images may be blob: (previews of files being sent) and data: (icons).
 */
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "worker-src 'self'",
  "manifest-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "object-src 'none'",
].join('; ');

const MISSING_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Coo</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;line-height:1.5}</style>
</head>
<body>
<h1>Coo</h1>
<p>This Coo server is running, but its web client has not been built. Run
<code>bin/coo serve</code> (which builds it) or <code>npm run web:build</code>, then reload.</p>
<ul>
<li><a href="/api/v1/openapi.json">REST API (OpenAPI document)</a></li>
<li><a href="/healthz">Health check</a></li>
</ul>
</body>
</html>
`;

/**
 * Serves the web client: `/` is the app (index.html, never cached, so a new
 * version is picked up at once), `/assets/*` are content-hashed files cached
 * for a year, `/sw.js` is the service worker (never cached, scope `/`).
 * Routes inside the app are hash routes, so no other path needs index.html.
 */
export async function installWebClient(app: FastifyInstance, root: string = WEB_CLIENT_DIR): Promise<void> {
  if (!existsSync(path.join(root, 'index.html'))) {
    app.get('/', { schema: { hide: true } }, async (_request, reply) =>
      reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(MISSING_PAGE),
    );
    return;
  }
  await app.register(fastifyStatic, {
    root,
    prefix: '/',
    wildcard: false,
    index: ['index.html'],
    schemaHide: true,
    dotfiles: 'deny',
    // Our own cache-control below, per kind of file.
    cacheControl: false,
    setHeaders(res, filePath) {
      const relative = path.relative(root, filePath);
      if (relative.startsWith(`assets${path.sep}`)) {
        res.header('cache-control', 'public, max-age=31536000, immutable');
      } else {
        res.header('cache-control', 'no-cache');
      }
      if (filePath.endsWith('.html')) res.header('content-security-policy', CSP);
      if (relative === 'sw.js') res.header('service-worker-allowed', '/');
    },
  });
}
