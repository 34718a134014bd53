// GET /__proxy/health: what the proxy runs with, for compose healthchecks and people. Never the key.
import type { FastifyInstance } from 'fastify'
import type { Config } from '../config/settings.js'
import { VERSION } from '../config/version.js'

export async function healthRoute (app: FastifyInstance, options: { config: Config, droppedLogLines: () => number }): Promise<void> {
  const { config, droppedLogLines } = options
  const body = {
    status: 'ok',
    version: VERSION,
    upstream: config.apiUrl,
    mcpUpstream: config.mcpUrl,
    environment: config.environment,
    projectId: config.projectId || null,
    keySet: config.apiKey !== '',
    allowedOrigins: config.corsOrigins,
    allowedHosts: ['localhost', '*.localhost', '127.0.0.0/8', '[::1]', ...config.allowedHosts]
  }
  app.get('/__proxy/health', async (_request, reply) => {
    reply.header('cache-control', 'no-store')
    return { ...body, droppedLogLines: droppedLogLines() }
  })
}
