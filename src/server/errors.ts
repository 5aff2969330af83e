// The HTTP boundary for errors: ApiError, and the one handler turning every error into a status and a JSON body.
import type { FastifyInstance } from 'fastify';
import { HTTP_STATUS, kindOfHttpStatus } from '../errors/http-status.js';
import { SlipwayError } from '../errors/slipway-error.js';

/** Stable codes of errors the API itself raises. */
export type ApiErrorCode =
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'INVALID_REQUEST'
  | 'BAD_JSON'
  | 'BODY_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'INTERNAL';

/** An error with the HTTP status it should get; `field` names the offending request field. */
export class ApiError extends SlipwayError<ApiErrorCode | string> {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    code: ApiErrorCode | string,
    message: string,
    readonly field?: string,
    options?: { readonly cause?: unknown },
  ) {
    // The status is chosen where the error is raised; the kind follows from it.
    super(code, kindOfHttpStatus(status), message, options);
  }
}

/** The JSON body of every error response. */
export interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string; readonly field?: string };
}

/** Fastify's own request errors (parsing, limits) that are the client's fault. */
const FASTIFY_CODES: Record<string, ApiErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_JSON_BODY: 'BAD_JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'BAD_JSON',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'INVALID_REQUEST',
};

/** Maps any error to the status and body the API answers with; a 500 hides the details. */
export function toHttpError(error: unknown): { status: number; body: ErrorBody } {
  const body = (status: number, code: string, message: string, field?: string) => ({
    status,
    body: { error: { code, message, ...(field === undefined ? {} : { field }) } },
  });
  if (error instanceof ApiError) return body(error.status, error.code, error.message, error.field);
  if (error instanceof SlipwayError && error.kind !== 'failed' && error.kind !== 'internal')
    return body(HTTP_STATUS[error.kind], error.code, error.message);
  const fastify = error as { code?: unknown; statusCode?: unknown; message?: unknown };
  if (typeof fastify.code === 'string' && fastify.code in FASTIFY_CODES) {
    const status = typeof fastify.statusCode === 'number' ? fastify.statusCode : 400;
    return body(status, FASTIFY_CODES[fastify.code] ?? 'INVALID_REQUEST', String(fastify.message));
  }
  if (error instanceof SyntaxError && fastify.statusCode === 400)
    return body(400, 'BAD_JSON', `the request body is not valid JSON: ${error.message}`);
  if (typeof fastify.statusCode === 'number' && fastify.statusCode >= 400 && fastify.statusCode < 500)
    return body(fastify.statusCode, 'INVALID_REQUEST', String(fastify.message));
  // A failure or a bug: its message may hold a path, a query or a driver's words, so only the log sees it.
  return body(500, 'INTERNAL', 'internal server error (it was logged)');
}

/** Installs the one error handler and a JSON 404 on `app`; 5xx errors go to `log` with their stack. */
export function installErrorHandler(app: FastifyInstance, log: (message: string) => void): void {
  app.setErrorHandler((error, request, reply) => {
    const { status, body } = toHttpError(error);
    if (status >= 500) {
      const stack = error instanceof Error ? (error.stack ?? error.message) : String(error);
      log(`${request.method} ${request.url.split('?')[0]} failed: ${stack}`);
    }
    return reply.code(status).type('application/json').send(body);
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({
      error: { code: 'NOT_FOUND', message: `no route ${request.method} ${request.url.split('?')[0]}` },
    } satisfies ErrorBody),
  );
}
