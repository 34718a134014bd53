// The logger Fastify and reply-from get. Their own lines (listening, per request,
// "response errored") are replaced by the banner and the exchange log, so only errors
// pass, to our pino. One object for every request: Fastify otherwise builds a pino child
// logger per request, which the exchange log never uses.
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
