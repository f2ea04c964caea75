import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { CooError } from '../../errors.ts';
import { errorBody } from '../../http/error-handler.ts';
import type { ApiApp } from '../../http/routes/common.schema.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import { FILES_PATH } from '../../protocol/im/files.ts';
import type { LimitReader } from '../../settings/live-limits.ts';
import { imUserOf } from '../sessions/rest-auth.ts';
import type { FileService, FileUser } from './file-service.ts';
import { UPLOAD_ID_PATTERN, type TusUploads } from './tus-uploads.ts';

export interface FileRouteDeps {
  uploads: TusUploads;
  files: FileService;
  /** im.max-upload-size, else [im] max_upload_size: read at each upload. */
  maxBytes: LimitReader;
  /** requireUserSession (run as onRequest): the device token of a remembered login, put on request.imUser. */
  userSession: preHandlerAsyncHookHandler;
  /** The same, or a download ticket (`?ticket=`): for GET of a file, which a plain link fetches. */
  downloadSession: preHandlerAsyncHookHandler;
  /** Signs a download ticket of this device for this file. */
  issueTicket(deviceId: number, fileId: string): Promise<{ ticket: string; expiresAt: number }>;
}

/** What the file routes need of the sessions: made by the messenger from its DeviceService. */
export type FileRouteAuth = Pick<FileRouteDeps, 'userSession' | 'downloadSession' | 'issueTicket'>;

/** The user of a request that passed the userSession hook, as the file service wants it. */
export function fileUserOf(request: FastifyRequest): FileUser {
  const user = imUserOf(request);
  return { id: user.userId, actor: { name: user.address, protocol: 'http', remote: user.remote } };
}

/**
 * Uploads and downloads are long: they may outlast the API's handler
 * timeout by far. The server's request timeout still cuts a single PATCH;
 * the client resumes with the next one (docs/protocol/files.md).
 */
export const TRANSFER_TIMEOUT_MS = 24 * 60 * 60 * 1000;

const TUS_VERSION = '1.0.0';
const tags = ['files'];
const OFFSET_OCTET_STREAM = 'application/offset+octet-stream';

/**
 * The tus endpoints: POST FILES_PATH creates an upload, HEAD/PATCH/DELETE
 * FILES_PATH/ID resume, continue and cancel it. Authentication, the size
 * limit and the headers tus-node-server would answer with bare text are
 * checked here first, so those errors carry the API's error body; the rest
 * of the protocol is @tus/server's.
 */
export function registerUploadRoutes(app: ApiApp, deps: FileRouteDeps): void {
  const forward = async (request: FastifyRequest, reply: FastifyReply, user: FileUser) => {
    const response = await deps.uploads.handle(webRequestOf(request), user, request.id);
    return sendTusResponse(reply, response);
  };
  const config = { handlerTimeout: TRANSFER_TIMEOUT_MS, onRequest: deps.userSession };

  // tus §5.2 discovery: what the server supports and its size limit; no credentials needed.
  app.route({
    method: 'OPTIONS',
    url: FILES_PATH,
    schema: { tags, summary: 'tus discovery: version, extensions, Tus-Max-Size' },
    handler: async (request, reply) => {
      const response = await deps.uploads.handle(webRequestOf(request), anonymous(request), request.id);
      return sendTusResponse(reply, response);
    },
  });

  for (const url of [FILES_PATH, `${FILES_PATH}/`]) {
    app.route({
      method: 'POST',
      url,
      schema: { tags, summary: 'tus: create an upload (docs/protocol/files.md)', hide: url.endsWith('/') },
      ...config,
      handler: async (request, reply) => {
        const user = fileUserOf(request);
        const refused = refuseOtherTusVersions(request, reply);
        if (refused) return refused;
        checkUploadLength(request, await deps.maxBytes.read());
        return forward(request, reply, user);
      },
    });
  }

  app.route({
    method: ['HEAD', 'PATCH', 'DELETE'],
    url: `${FILES_PATH}/:id`,
    schema: { tags, summary: 'tus: offset of (HEAD), bytes for (PATCH) or cancel (DELETE) an upload' },
    ...config,
    handler: async (request, reply) => {
      const user = fileUserOf(request);
      const refused = refuseOtherTusVersions(request, reply);
      if (refused) return refused;
      const id = (request.params as { id: string }).id;
      if (request.method === 'PATCH') checkPatchHeaders(request);
      if ((await deps.uploads.uploaderOf(id)) === user.id) {
        const recovered = request.method === 'HEAD' && (await deps.uploads.finishIfComplete(id, user));
        if (!recovered) return forward(request, reply, user);
      }
      const finished = UPLOAD_ID_PATTERN.test(id) ? await deps.files.ownFile(id, user.id) : undefined;
      if (!finished) throw new CooError(ErrorCode.IM_FILE_UNKNOWN, `no upload ${id.slice(0, 64)} of yours`);
      // The last PATCH's answer may have been lost: HEAD tells the client it is complete.
      if (request.method === 'HEAD') {
        return reply
          .code(200)
          .header('tus-resumable', TUS_VERSION)
          .header('upload-offset', String(finished.size))
          .header('upload-length', String(finished.size))
          .send();
      }
      throw new CooError(ErrorCode.UPLOAD_CONFLICT, `upload ${id} is complete (${finished.size} bytes)`);
    },
  });
}

/** Stands in for a user on OPTIONS, which touches no upload. */
function anonymous(request: FastifyRequest): FileUser {
  return { id: 0, actor: { name: 'anonymous', protocol: 'http', remote: request.ip } };
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * tus §2.2 Tus-Resumable: required on every request but OPTIONS. Without
 * it, or with another version, the answer is 412 with Tus-Version naming
 * the version this server speaks.
 */
function refuseOtherTusVersions(request: FastifyRequest, reply: FastifyReply): FastifyReply | undefined {
  const version = header(request, 'tus-resumable');
  if (version === TUS_VERSION) return undefined;
  const message =
    version === undefined
      ? `send "Tus-Resumable: ${TUS_VERSION}" (the tus protocol version)`
      : `tus version "${version.slice(0, 20)}" is not supported; this server speaks ${TUS_VERSION}`;
  return reply.code(412).header('tus-version', TUS_VERSION).send(errorBody(ErrorCode.INVALID_INPUT, message));
}

/** The size limit, before anything is stored: an Upload-Length over it is refused with 413. */
function checkUploadLength(request: FastifyRequest, maxBytes: number): void {
  const length = header(request, 'upload-length');
  if (length === undefined) return;
  if (!/^\d{1,16}$/.test(length))
    throw new CooError(ErrorCode.INVALID_INPUT, 'Upload-Length must be a number of bytes');
  if (Number(length) > maxBytes) {
    throw new CooError(
      ErrorCode.BLOB_TOO_LARGE,
      `the file is ${length} bytes; files may be at most ${maxBytes} bytes`,
    );
  }
}

/** tus §3.2 PATCH: Upload-Offset and Content-Type application/offset+octet-stream are required. */
function checkPatchHeaders(request: FastifyRequest): void {
  const offset = header(request, 'upload-offset');
  if (offset === undefined)
    throw new CooError(ErrorCode.INVALID_INPUT, 'PATCH needs Upload-Offset: where these bytes start');
  if (!/^\d{1,16}$/.test(offset))
    throw new CooError(ErrorCode.INVALID_INPUT, 'Upload-Offset must be a number of bytes');
  const type = header(request, 'content-type')?.split(';')[0]?.trim().toLowerCase();
  if (type !== OFFSET_OCTET_STREAM) {
    throw new CooError(ErrorCode.UNSUPPORTED_MEDIA_TYPE, `a PATCH body must be ${OFFSET_OCTET_STREAM}`);
  }
}

/** The Fastify request as a fetch Request for @tus/server, its body streamed, not buffered. */
function webRequestOf(request: FastifyRequest): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one);
  }
  const withBody = request.method === 'POST' || request.method === 'PATCH';
  return new Request(new URL(request.url, 'https://coo.invalid'), {
    method: request.method,
    headers,
    body: withBody ? (Readable.toWeb(request.raw) as ReadableStream<Uint8Array>) : null,
    duplex: 'half',
  });
}

/** tus answers errors in plain text; ours carry the API's error body with a code. */
function tusErrorCode(status: number): ErrorCode {
  if (status === 404 || status === 410) return ErrorCode.IM_FILE_UNKNOWN;
  if (status === 409) return ErrorCode.UPLOAD_CONFLICT;
  if (status === 413) return ErrorCode.BLOB_TOO_LARGE;
  if (status === 415) return ErrorCode.UNSUPPORTED_MEDIA_TYPE;
  if (status >= 500 && status !== 501) return ErrorCode.INTERNAL;
  return ErrorCode.INVALID_INPUT;
}

async function sendTusResponse(reply: FastifyReply, response: Response): Promise<FastifyReply> {
  reply.code(response.status);
  for (const [name, value] of response.headers) {
    if (name !== 'content-type' && name !== 'content-length') reply.header(name, value);
  }
  const text = await response.text();
  if (response.status < 400) return reply.send();
  const code = tusErrorCode(response.status);
  const message =
    code === ErrorCode.INTERNAL
      ? `the upload failed on the server; the log has the details under request id ${reply.request.id}`
      : text.trim().split('\n')[0] || `upload request refused (${response.status})`;
  return reply.send(errorBody(code, message));
}
