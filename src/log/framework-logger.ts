// The logger Fastify and reply-from get: the banner and the exchange log replace their own lines,
// so only errors pass; one object for every request, not a pino child per request.
import type { FastifyBaseLogger } from 'fastify'
import type { Logger } from 'pino'

export function frameworkLogger (logger: Logger): FastifyBaseLogger {
  const ignore = (): void => {}
  const framework = {
    level: 'error',
    fatal: logger.fatal.bind(logger),
    error: logger.error.bind(logger),
    warn: ignore,
    info: ignore,
    debug: ignore,
    trace: ignore,
    silent: ignore,
    child: () => framework
  }
  return framework as unknown as FastifyBaseLogger
}
