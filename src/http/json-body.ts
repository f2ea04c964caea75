import type { FastifyInstance } from 'fastify';

/**
 * JSON is the only body the API takes: any other content type is 415. An
 * empty body with a JSON content type counts as no body, so a client that
 * always sends the header can still call action routes such as /disable; a
 * route that needs a body then says so through its schema. Parsing is still
 * Fastify's, which refuses __proto__ and constructor keys.
 */
export function acceptJsonBodiesOnly(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.length === 0) {
      done(null, undefined);
      return;
    }
    // The default parser answers through done() and returns nothing to wait for.
    void parseJson(request, text, done);
  });
}
