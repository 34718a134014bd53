// GET /__proxy/api/faults says which faults are active; POST switches them live ({"enabled"}
// or a replacing {"faults": [...]} until the next restart). On the inspector's port, behind its gate.
import type { FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import type { LiveConfig } from '../config/live-config.js'
import { SettingError } from '../config/parse-values.js'
import { faultList, type Fault } from '../config/fault-setting.js'
import { sendProxyError } from '../reply-error.js'
import { ERRORS } from '../errors.js'
import type { FaultSwitch } from './fault-switch.js'

export const FAULTS_PATH = '/__proxy/api/faults'

export interface FaultRoutesOptions {
  live: LiveConfig
  logger: Logger
  faultSwitch: FaultSwitch
}

export async function faultRoutes (app: FastifyInstance, options: FaultRoutesOptions): Promise<void> {
  const { live, logger, faultSwitch } = options
  const state = () => ({
    enabled: faultSwitch.enabled(),
    source: faultSwitch.source(),
    faults: faultSwitch.list(live.running()),
    seed: live.running().faultSeed === '' ? null : live.running().faultSeed
  })

  app.get(FAULTS_PATH, async (_request, reply) => {
    reply.header('cache-control', 'no-store')
    return state()
  })

  app.post<{ Body: unknown }>(FAULTS_PATH, { bodyLimit: 64 * 1024 }, async (request, reply) => {
    const body = request.body
    const wanted = body !== null && typeof body === 'object' && !Array.isArray(body) ? body as { enabled?: unknown, faults?: unknown } : {}
    if (wanted.enabled === undefined && wanted.faults === undefined) {
      return sendProxyError(reply, ERRORS.badRequest, `send {"enabled": false} to turn every fault off, {"enabled": true} to turn them on, or {"faults": [...]} to replace the list`)
    }
    if (wanted.enabled !== undefined && typeof wanted.enabled !== 'boolean') {
      return sendProxyError(reply, ERRORS.badRequest, `"enabled" ${JSON.stringify(wanted.enabled)} must be true or false`)
    }
    let faults: Fault[] | undefined
    if (wanted.faults !== undefined) {
      try {
        faults = faultList(wanted.faults)
      } catch (error) {
        if (!(error instanceof SettingError)) throw error
        return sendProxyError(reply, ERRORS.badRequest, `"faults" ${error.message}; fix: ${error.fix}`)
      }
    }
    faultSwitch.set({ enabled: wanted.enabled, faults })
    const now = state()
    logger.info(`faults: ${now.enabled ? `on, ${now.faults.length} from ${now.source === 'api' ? 'the API' : 'the config file'}` : 'off'} (POST ${FAULTS_PATH})`)
    return now
  })
}
