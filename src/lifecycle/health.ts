// GET /__proxy/health: what the proxy runs with now, for compose healthchecks and people. Never the key.
import type { FastifyInstance } from 'fastify'
import type { Config } from '../config/settings.js'
import { VERSION } from '../config/version.js'
import { profileSummaries } from '../config/profiles.js'
import { answeredHostNames } from '../guard/host-check.js'
import { chooseAuthScheme } from '../config/auth-scheme.js'

export interface HealthOptions {
  runningConfig: () => Config
  droppedLogLines: () => number
  /** The inspector's page for a client that used this Host, or null with INSPECTOR=false. */
  inspectorUrl: (host: string | undefined) => string | null
}

export async function healthRoute (app: FastifyInstance, options: HealthOptions): Promise<void> {
  const { runningConfig, droppedLogLines, inspectorUrl } = options
  app.get('/__proxy/health', async (request, reply) => {
    const config = runningConfig()
    reply.header('cache-control', 'no-store')
    return {
      status: 'ok',
      version: VERSION,
      upstream: config.apiUrl,
      mcpUpstream: config.mcpUrl,
      environment: config.environment,
      environments: profileSummaries(config),
      prodReadOnly: config.prodReadOnly,
      projectId: config.projectId || null,
      keySet: config.apiKey !== '',
      authScheme: chooseAuthScheme(config.apiKey, config.authScheme).scheme,
      allowedOrigins: config.corsOrigins,
      allowedHosts: answeredHostNames(config.allowedHosts),
      droppedLogLines: droppedLogLines(),
      inspectorUrl: inspectorUrl(request.headers.host)
    }
  })
}
