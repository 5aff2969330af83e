// The HTTP boundary for errors: ApiError, and the one handler turning every error into a status and a JSON body.
import type { FastifyInstance } from 'fastify';
import { ConfigFileError } from '../config/errors.js';
import { PipelineError } from '../pipeline/errors.js';
import { PlanError } from '../pipeline/plan.js';
import { PlatformError } from '../platform/errors.js';
import { ReleaseError } from '../release/errors.js';
import { RolloutError } from '../rollout/errors.js';
import { StoreError } from '../store/errors.js';

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
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: ApiErrorCode | string,
    message: string,
    readonly field?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The JSON body of every error response. */
export interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string; readonly field?: string };
}

const PIPELINE_STATUS: Record<PipelineError['code'], number> = {
  RUN_NOT_FOUND: 404,
  APPROVAL_NOT_FOUND: 404,
  RUN_FINISHED: 409,
  RUN_ACTIVE: 409,
  RUN_NOT_RESUMABLE: 409,
  APPROVAL_DECIDED: 409,
  CONFIG_INVALID: 422,
};

const ROLLOUT_STATUS: Record<RolloutError['code'], number> = {
  SERVICE_UNKNOWN: 404,
  ENVIRONMENT_UNKNOWN: 404,
  ROLLOUT_ACTIVE: 409,
  NO_ROLLOUT: 409,
  NOTHING_TO_ROLL_BACK_TO: 409,
  ENDPOINT_UNAVAILABLE: 503,
};

const STORE_STATUS: Partial<Record<StoreError['code'], number>> = {
  NOT_FOUND: 404,
  APPROVAL_DECIDED: 409,
  ROLLOUT_ACTIVE: 409,
  INVALID_INPUT: 400,
  EVENT_INVALID: 400,
};

/** Fastify's own request errors (parsing, limits) that are the client's fault. */
const FASTIFY_CODES: Record<string, ApiErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_JSON_BODY: 'BAD_JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'BAD_JSON',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'INVALID_REQUEST',
};

/** Maps any error to the status and body the API answers with; statuses >= 500 hide the details. */
export function toHttpError(error: unknown): { status: number; body: ErrorBody } {
  const body = (status: number, code: string, message: string, field?: string) => ({
    status,
    body: { error: { code, message, ...(field === undefined ? {} : { field }) } },
  });
  if (error instanceof ApiError) return body(error.status, error.code, error.message, error.field);
  if (error instanceof PipelineError) return body(PIPELINE_STATUS[error.code], error.code, error.message);
  if (error instanceof PlanError) return body(422, error.code, error.message);
  if (error instanceof RolloutError) return body(ROLLOUT_STATUS[error.code], error.code, error.message);
  if (error instanceof ReleaseError && error.code === 'RELEASE_NOT_FOUND')
    return body(404, error.code, error.message);
  if (error instanceof ConfigFileError) return body(503, error.code, error.message);
  if (error instanceof PlatformError) {
    const status = error.code.endsWith('NOT_FOUND') ? 404 : error.code === 'BAD_REQUEST' ? 400 : 503;
    return body(status, error.code, error.message);
  }
  if (error instanceof StoreError) {
    const status = STORE_STATUS[error.code];
    if (status !== undefined) return body(status, error.code, error.message);
  }
  const fastify = error as { code?: unknown; statusCode?: unknown; message?: unknown };
  if (typeof fastify.code === 'string' && fastify.code in FASTIFY_CODES) {
    const status = typeof fastify.statusCode === 'number' ? fastify.statusCode : 400;
    return body(status, FASTIFY_CODES[fastify.code] ?? 'INVALID_REQUEST', String(fastify.message));
  }
  if (error instanceof SyntaxError && fastify.statusCode === 400)
    return body(400, 'BAD_JSON', `the request body is not valid JSON: ${error.message}`);
  if (typeof fastify.statusCode === 'number' && fastify.statusCode >= 400 && fastify.statusCode < 500)
    return body(fastify.statusCode, 'INVALID_REQUEST', String(fastify.message));
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
