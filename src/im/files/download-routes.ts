import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { errorBody } from '../../http/error-handler.ts';
import { isoTime, isoTimeSchema, queryFlag, type ApiApp } from '../../http/routes/common.schema.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import { FILES_PATH, type FileInfo } from '../../protocol/im/files.ts';
import { parseRange } from './byte-range.ts';
import { contentDisposition } from './content-disposition.ts';
import { toFileInfo, type FileRow, type FileUser, type FileVariant } from './file-service.ts';
import { imUserOf } from '../sessions/rest-auth.ts';
import { fileUserOf, TRANSFER_TIMEOUT_MS, type FileRouteDeps } from './upload-routes.ts';

const tags = ['files'];

const fileParams = z.object({
  id: z.string().regex(/^[0-9a-f]{32}$/, 'a file id is 32 hex digits'),
});
const downloadQuery = z.object({
  inline: queryFlag.optional().describe('Ask to show it in the browser (only for images, audio, video, PDF)'),
  ticket: z
    .string()
    .max(200)
    .optional()
    .describe('A download ticket (POST …/ticket) in place of the Authorization header'),
});
const ticketSchema = z.object({
  url: z.string().describe('The file, with the ticket: a plain link a browser can follow'),
  expiresAt: isoTimeSchema.describe('When the link stops working (about a minute)'),
});

/**
 * Types a browser may show in place; anything else is always a download,
 * so an uploaded HTML or SVG file never runs as a page of this origin.
 */
const INLINE_TYPES =
  /^(image\/(png|jpeg|gif|webp|avif)|audio\/[a-z0-9.+-]+|video\/[a-z0-9.+-]+|application\/pdf)$/;

/**
 * GET FILES_PATH/ID (the file), /ID/preview (the image preview) and
 * /ID/info (its description). Only the uploader and whoever may read a
 * conversation or memo it is attached to get it; anyone else is told it
 * does not exist. Ranges (RFC 9110 §14) let players seek and downloads resume.
 */
export function registerDownloadRoutes(app: ApiApp, deps: FileRouteDeps): void {
  const options = {
    exposeHeadRoute: false,
    onRequest: deps.userSession,
    handlerTimeout: TRANSFER_TIMEOUT_MS,
    schema: { tags, params: fileParams, querystring: downloadQuery },
  };

  app.get(
    `${FILES_PATH}/:id`,
    {
      ...options,
      onRequest: deps.downloadSession,
      schema: { ...options.schema, summary: 'Download a file (Range); the bearer token or a ticket' },
    },
    async (request, reply) => {
      const user = fileUserOf(request);
      const row = await deps.files.readable(request.params.id, user.id);
      const disposition =
        request.query.inline === true && INLINE_TYPES.test(row.mime_type) ? 'inline' : 'attachment';
      return sendVariant(deps, request, reply, { row, user, variant: 'file', disposition });
    },
  );

  app.get(
    `${FILES_PATH}/:id/preview`,
    { ...options, schema: { ...options.schema, summary: "An image's preview (WebP)" } },
    async (request, reply) => {
      const user = fileUserOf(request);
      const row = await deps.files.readable(request.params.id, user.id);
      return sendVariant(deps, request, reply, { row, user, variant: 'preview', disposition: 'inline' });
    },
  );

  app.post(
    `${FILES_PATH}/:id/ticket`,
    {
      onRequest: deps.userSession,
      schema: {
        tags,
        summary: 'A link to the file that works for a minute without the Authorization header',
        params: fileParams,
        response: { 200: ticketSchema },
      },
    },
    async (request): Promise<z.infer<typeof ticketSchema>> => {
      const user = imUserOf(request);
      const row = await deps.files.readable(request.params.id, user.userId);
      const { ticket, expiresAt } = await deps.issueTicket(user.deviceId, row.id);
      return {
        url: `${FILES_PATH}/${row.id}?ticket=${encodeURIComponent(ticket)}`,
        expiresAt: isoTime(expiresAt),
      };
    },
  );

  const infoOptions = {
    onRequest: deps.userSession,
    schema: { tags, summary: 'Describe a file', params: fileParams },
  };
  app.get(`${FILES_PATH}/:id/info`, infoOptions, async (request): Promise<FileInfo> => {
    const user = fileUserOf(request);
    return toFileInfo(await deps.files.readable(request.params.id, user.id));
  });
}

interface Sending {
  row: FileRow;
  user: FileUser;
  variant: FileVariant;
  disposition: 'inline' | 'attachment';
}

async function sendVariant(
  deps: FileRouteDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  { row, user, variant, disposition }: Sending,
): Promise<FastifyReply> {
  const preview = variant === 'preview';
  const size = preview ? await deps.files.previewSize(row) : row.size;
  const mimeType = (preview ? row.preview_mime_type : row.mime_type) ?? 'application/octet-stream';
  // Strong: a blob id is the SHA-256 of exactly these bytes.
  const etag = `"${preview ? row.preview_blob_id : row.sha256}"`;
  const name = preview ? `${row.name}.preview.webp` : row.name;
  reply
    .header('accept-ranges', 'bytes')
    .header('etag', etag)
    .header('content-disposition', contentDisposition(disposition, name));

  // RFC 9110 §13.1.5 If-Range: a range of another version would be garbage; send it all.
  const ifRange = request.headers['if-range'];
  const rangeHeader = ifRange === undefined || ifRange === etag ? request.headers.range : undefined;
  const asked = parseRange(rangeHeader, size);
  if (asked.kind === 'unsatisfiable') {
    // RFC 9110 §15.5.17: 416 names the current length.
    return reply
      .code(416)
      .header('content-range', `bytes */${size}`)
      .send(
        errorBody(
          ErrorCode.INVALID_INPUT,
          `the range "${String(rangeHeader).slice(0, 60)}" is outside the ${size} bytes`,
        ),
      );
  }
  const range = asked.kind === 'range' ? asked.range : undefined;
  const stream = await deps.files.openForDownload(row, variant, range, user);
  reply.header('content-type', mimeType);
  if (range) {
    reply
      .code(206)
      .header('content-range', `bytes ${range.start}-${range.end}/${size}`)
      .header('content-length', String(range.end - range.start + 1));
  } else {
    reply.code(200).header('content-length', String(size));
  }
  return reply.send(stream);
}
