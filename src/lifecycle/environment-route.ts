// POST {"environment": "staging"} switches the active profile for requests that start afterwards.
// Served on the inspector's port only, never on the proxy port, where any page the upstream
// answers runs: behind the inspector's gate, only curl, scripts and its own page can switch.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Logger } from 'pino'
import { SETTINGS } from '../config/settings.js'
import { SettingError } from '../config/parse-values.js'
import type { LiveConfig } from '../config/live-config.js'
import { describeProfile, profileSummaries, withEnvironment } from '../config/profiles.js'
import { type EnvironmentName } from '../config/profile-table.js'
import { activeProfileWarnings, prodNotice } from '../config/environment-warnings.js'
import { secretKeyRefusal } from '../config/key-warnings.js'
import { sendProxyError } from '../reply-error.js'
import { ERRORS } from '../errors.js'

export const ENVIRONMENT_PATH = '/__proxy/api/environment'

export async function environmentRoute (app: FastifyInstance, options: { live: LiveConfig, logger: Logger }): Promise<void> {
  const { live, logger } = options
  const state = () => {
    const config = live.running()
    return { environment: config.environment, environments: profileSummaries(config), prodReadOnly: config.prodReadOnly }
  }

  app.get(ENVIRONMENT_PATH, async (_request, reply) => {
    reply.header('cache-control', 'no-store')
    return state()
  })

  // JSON only, like every control request on the inspector's port (gate.ts refuses the rest).
  app.post<{ Body: { environment?: unknown } | null }>(ENVIRONMENT_PATH, { bodyLimit: 4096 }, async (request, reply) => {
    const target = environmentOf(request, reply)
    if (target === undefined) return reply
    const previous = live.running()
    if (target === previous.environment) {
      logger.info(`environment: ${target} is already active; nothing changed`)
      return { ...state(), previous: previous.environment, changed: false }
    }
    const next = withEnvironment(previous, target)
    const refusal = secretKeyRefusal(next)
    if (refusal !== undefined) return sendProxyError(reply, ERRORS.badRequest, `not switched to ${target}: ${refusal.problem}; fix: ${refusal.fix}`, 409)
    live.replace(next)
    const [summary] = profileSummaries(next).filter(profile => profile.active)
    const own = summary!.configured ? '' : ` (${target} has no profile of its own: these are the unsuffixed settings; set BKEND_API_KEY_${target.toUpperCase()} for its own key)`
    const notice = prodNotice(next)
    logger[notice === undefined ? 'info' : 'warn'](`environment: switched ${previous.environment} → ${target} for requests that start from now on: ${describeProfile(summary!)}${own}; requests in flight finish on ${previous.environment}${notice === undefined ? '' : ` ${notice}`}`)
    const warnings = activeProfileWarnings(previous, next)
    for (const warning of warnings) logger.warn(warning)
    return { ...state(), previous: previous.environment, changed: true, warnings }
  })
}

function environmentOf (request: FastifyRequest<{ Body: { environment?: unknown } | null }>, reply: FastifyReply): EnvironmentName | undefined {
  const raw = request.body?.environment
  try {
    if (raw === undefined) throw new SettingError('is missing', 'staging')
    return SETTINGS.environment.parse(raw)
  } catch (error) {
    if (!(error instanceof SettingError)) throw error
    const fix = error.fix === '' ? 'dev, staging or prod' : `{"environment": "${error.fix}"}`
    sendProxyError(reply, ERRORS.badRequest, `"environment" ${raw === undefined ? '' : `${JSON.stringify(raw)} `}${error.message}: send ${raw === undefined ? '{"environment": "staging"}' : fix}`)
    return undefined
  }
}
