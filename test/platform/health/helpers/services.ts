// The shared services these tests check against, started by the machine or CI (never stopped here).

/** URLs of the real servers, each with the credentials that work. */
export const SERVICES = {
  postgres: 'postgres://postgres@127.0.0.1:5432/test',
  redis: 'redis://127.0.0.1:6379',
  rabbitmq: 'amqp://guest:guest@127.0.0.1:5672/',
} as const;

/** Added to an assertion message so a failure from a stopped server says so. */
export function hint(kind: keyof typeof SERVICES): string {
  return `(is ${kind} running at ${SERVICES[kind]}?)`;
}
