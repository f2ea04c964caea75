import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isCooError } from '../errors.ts';
import { ErrorCode, type ApiErrorBody } from '../protocol/errors.ts';
import { httpStatusOf } from './error-status.ts';
import { HTTP_LIMITS } from './limits.ts';

type Detail = NonNullable<ApiErrorBody['error']['details']>[number];

interface Answer {
  status: number;
  body: ApiErrorBody;
}

/** What RFC 6750 §3 asks a 401 to carry; the auth hook may have set a more precise one. */
const BEARER_CHALLENGE = 'Bearer realm="coo"';

/** Fastify's own request errors that are the client's fault, and the code each becomes. */
const FRAMEWORK_ERRORS: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_JSON_BODY: ErrorCode.INVALID_INPUT,
  FST_ERR_CTP_EMPTY_JSON_BODY: ErrorCode.INVALID_INPUT,
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: ErrorCode.INVALID_INPUT,
  FST_ERR_BAD_URL: ErrorCode.INVALID_INPUT,
  FST_ERR_MAX_PARAM_LENGTH: ErrorCode.INVALID_INPUT,
  FST_ERR_CTP_BODY_TOO_LARGE: ErrorCode.REQUEST_TOO_LARGE,
  FST_ERR_CTP_INVALID_MEDIA_TYPE: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
  FST_ERR_HANDLER_TIMEOUT: ErrorCode.UNAVAILABLE,
};

/**
 * The one place an HTTP error becomes an answer: a CooError keeps its code, a
 * failed schema check is INVALID_INPUT naming the field, Fastify's own request
 * errors get a code, and anything else is logged with the request id and
 * answered 500 INTERNAL with no internals.
 */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => sendError(error, request, reply));
  app.setNotFoundHandler((request, reply) => {
    const body = errorBody(
      ErrorCode.NOT_FOUND,
      `no such resource: ${request.method} ${shorten(request.url)}`,
    );
    return reply.code(404).send(body);
  });
}

/** Also used for router errors (bad URL encoding) that never reach the error handler. */
export function sendError(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const answer = answerFor(error, request);
  if (answer.status >= 500) request.log.error({ err: error }, 'request failed: %s', answer.body.error.code);
  if (answer.status === 401 && !reply.hasHeader('www-authenticate'))
    reply.header('www-authenticate', BEARER_CHALLENGE);
  return reply.code(answer.status).send(answer.body);
}

function answerFor(error: unknown, request: FastifyRequest): Answer {
  if (isCooError(error)) {
    const body = errorBody(error.code, error.message, error.details);
    return { status: httpStatusOf(error.code), body };
  }
  const fastifyError = error as Partial<FastifyError>;
  if (Array.isArray(fastifyError.validation) && fastifyError.validation.length > 0) {
    return { status: 400, body: validationBody(fastifyError as FastifyError) };
  }
  const code = frameworkCode(fastifyError);
  if (code)
    return { status: httpStatusOf(code), body: errorBody(code, frameworkMessage(fastifyError, request)) };
  const message = `internal error; the server log has the details under request id ${request.id}`;
  return { status: 500, body: errorBody(ErrorCode.INTERNAL, message) };
}

function validationBody(error: FastifyError): ApiErrorBody {
  const where = error.validationContext ?? 'request';
  const details: Detail[] = (error.validation ?? []).map((issue) => {
    const keys = (issue.params as { keys?: unknown }).keys;
    const path = issue.instancePath.replace(/^\//, '').split('/').filter(Boolean).join('.');
    const field =
      Array.isArray(keys) && keys.length > 0 ? [path, keys.join(', ')].filter(Boolean).join('.') : path;
    return { field: field === '' ? where : field, message: issue.message ?? 'is invalid' };
  });
  const first = details[0];
  const about = first && first.field !== where ? `${first.field}: ` : '';
  const message = first ? `invalid ${where}: ${about}${first.message}` : `invalid ${where}`;
  return errorBody(ErrorCode.INVALID_INPUT, message, details);
}

/** A Fastify error about the request: one we know, or any other 4xx of Fastify's, as INVALID_INPUT. */
function frameworkCode(error: Partial<FastifyError>): ErrorCode | undefined {
  const known = error.code === undefined ? undefined : FRAMEWORK_ERRORS[error.code];
  if (known) return known;
  const clientError = error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500;
  return clientError && error.code?.startsWith('FST_') ? ErrorCode.INVALID_INPUT : undefined;
}

function frameworkMessage(error: Partial<FastifyError>, request: FastifyRequest): string {
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return `the request body is larger than the limit of ${request.routeOptions.bodyLimit} bytes`;
  }
  if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return `unsupported content type "${shorten(request.headers['content-type'] ?? '')}"; send application/json`;
  }
  if (error.code === 'FST_ERR_HANDLER_TIMEOUT') return 'the server took too long to answer; try again';
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    return `a part of the path is longer than ${HTTP_LIMITS.paramChars} characters`;
  }
  // Fastify's messages for the others are fixed texts about the request, with nothing internal.
  return error.message ?? 'invalid request';
}

export function errorBody(code: ErrorCode, message: string, details?: readonly Detail[]): ApiErrorBody {
  return {
    error: details && details.length > 0 ? { code, message, details: [...details] } : { code, message },
  };
}

function shorten(text: string, max = 200): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
