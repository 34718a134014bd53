// SIGTERM/SIGINT: stop accepting, give open requests SHUTDOWN_GRACE_MS, then exit 0; a second
// signal exits at once with 1. Required: as PID 1 in a container Node has no default handler.
// One Ctrl-C on `npm start` arrives twice (the terminal signals npm and the proxy, then npm
// forwards its copy), so a repeat within REPEAT_WINDOW_MS is the same key press.
import type { Logger } from 'pino'

export const REPEAT_WINDOW_MS = 150

export interface ShutdownOptions {
  graceMs: number
  logger: Logger
  exit: (code: number) => void
}

/** As a signal does, exiting with `code` once drained; also for a bug (state after an unknown throw cannot be trusted). */
export type StopProxy = (reason: string, code: number) => void

interface Stoppable {
  beginShutdown: () => void
  cutOpenConnections: () => void
  close: () => PromiseLike<unknown>
}

export function installShutdown (app: Stoppable, options: ShutdownOptions): StopProxy {
  const { graceMs, logger, exit } = options
  let firstSignalAt: number | undefined
  let exitCode = 0

  const stop: StopProxy = (reason, code) => {
    exitCode = Math.max(exitCode, code)
    if (firstSignalAt !== undefined) return
    firstSignalAt = performance.now()
    logger.info(`${reason}: shutting down; open requests get ${graceMs} ms to finish`)
    app.beginShutdown()
    const force = setTimeout(() => {
      logger.warn(`grace period of ${graceMs} ms is over: closing the connections still open`)
      app.cutOpenConnections()
    }, graceMs)
    // Should closing hang anyway, the process must still end (Docker waits 10 s, then kills).
    const deadline = setTimeout(() => {
      logger.error('shutdown did not finish in time; exiting')
      exit(exitCode)
    }, graceMs + 2000)
    deadline.unref()
    app.close().then(() => {
      clearTimeout(force)
      clearTimeout(deadline)
      // Let the last 'close' events (force-closed streams) log their exchanges first.
      setImmediate(() => {
        logger.info('stopped')
        exit(exitCode)
      })
    }, (error: unknown) => {
      logger.error({ err: error }, 'error while shutting down')
      exit(1)
    })
  }

  let exitingNow = false
  const onSignal = (signal: NodeJS.Signals): void => {
    if (firstSignalAt !== undefined) {
      const afterMs = performance.now() - firstSignalAt
      if (afterMs < REPEAT_WINDOW_MS) {
        logger.debug(`${signal} again after ${afterMs.toFixed(1)} ms: the same request to stop (npm forwards the terminal's signal)`)
        return
      }
      // npm's copy of this second press arrives while the log flushes: one exit, one line.
      if (exitingNow) return
      exitingNow = true
      logger.warn(`${signal} again: exiting now`)
      exit(1)
      return
    }
    stop(signal, 0)
  }
  process.on('SIGTERM', onSignal)
  process.on('SIGINT', onSignal)
  return stop
}
