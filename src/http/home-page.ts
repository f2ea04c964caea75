import type { FastifyInstance } from 'fastify';

// A placeholder until the web client is served from here.
const HOME_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Coo</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;line-height:1.5}</style>
</head>
<body>
<h1>Coo</h1>
<p>This Coo server is running. The web client is not served here yet.</p>
<ul>
<li><a href="/api/v1/openapi.json">REST admin API (OpenAPI document)</a></li>
<li><a href="/healthz">Health check</a></li>
</ul>
</body>
</html>
`;

export function installHomePage(app: FastifyInstance): void {
  app.get('/', { schema: { hide: true } }, async (_request, reply) =>
    reply.type('text/html; charset=utf-8').send(HOME_PAGE),
  );
}
