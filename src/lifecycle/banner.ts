// The start-up banner: what the proxy runs with and what to give the frontend.
import type { Config, SettingKey } from '../config/settings.js'
import { redactSecret } from '../redact/redact.js'
import { isLoopbackName } from '../guard/host-check.js'
import { VERSION } from '../config/version.js'
import { quotedValueWarnings } from '../config/quoted-values.js'
import { describeProfile, profileSummaries, type ProfileSummary } from '../config/profiles.js'
import { prodNotice, prodWritesWarning, profileKeyWarnings } from '../config/environment-warnings.js'
import { ENVIRONMENT_PATH } from './environment-route.js'
import { keyFormatWarnings } from '../config/key-warnings.js'
import { chooseAuthScheme, describeScheme } from '../config/auth-scheme.js'
import { answeredHostNames } from '../guard/host-check.js'

export interface BannerFacts {
  listening: string
  frontendBaseUrl: string
  apiUpstream: string
  mcpUpstream: string
  environment: string
  environments: ProfileSummary[]
  /** The line that cannot be missed while prod is active; null otherwise. */
  prod: string | null
  switchCommand: string
  projectId: string | null
  apiKey: string | null
  authScheme: string
  allowedOrigins: readonly string[]
  allowedHosts: string[]
  /** null with INSPECTOR=false. */
  inspector: string | null
  notices: string[]
  warnings: string[]
}

export interface BannerSurroundings {
  /** The proxy runs in a container, where listening beyond loopback is how the port gets published. */
  inContainer: boolean
}

/** `inspectorPort`: the port the inspector listens on (null: off); the configured one when not given. */
export function bannerFacts (config: Config, origin: Record<SettingKey, string>, port: number, surroundings: BannerSurroundings = { inContainer: false }, inspectorPort: number | null = config.inspector ? config.inspectorPort : null): BannerFacts {
  const bracketed = config.host.includes(':') ? `[${config.host}]` : config.host
  const loopback = isLoopbackName(bracketed.toLowerCase())
  const notices: string[] = []
  const warnings: string[] = []
  if (!config.apiKey) {
    warnings.push('BKEND_API_KEY is not set: requests go upstream without a key (X-API-Key or Authorization) unless the app sends its own. Set it in the environment or in .env.')
  }
  const ports = inspectorPort === null ? [port] : [port, inspectorPort]
  if (!loopback && surroundings.inContainer) {
    notices.push(`in a container, listening on ${config.host} so the published ${ports.length === 1 ? 'port reaches the proxy' : 'ports reach the proxy and the inspector'}; publish ${ports.length === 1 ? 'it' : 'both'} on loopback only: docker run ${ports.map(p => `-p 127.0.0.1:${p}:${p}`).join(' ')}, or in compose ports: [${ports.map(p => `"127.0.0.1:${p}:${p}"`).join(', ')}]`)
  } else if (!loopback) {
    warnings.push(`listening on ${config.host}, not loopback: other machines can reach the ${ports.length === 1 ? 'port' : 'ports'}, though only Host names in ALLOWED_HOSTS and loopback are answered. Outside a container keep HOST=127.0.0.1; in Docker publish with ${ports.map(p => `-p 127.0.0.1:${p}:${p}`).join(' ')}.`)
  }
  warnings.push(...quotedValueWarnings(config, origin), ...profileKeyWarnings(config), ...keyFormatWarnings(config))
  const scheme = chooseAuthScheme(config.apiKey, config.authScheme)
  // In the api-key scheme the key carries its project: a configured project id is not sent.
  const projectNote = scheme.scheme === 'api-key' ? ', not sent: the key carries its project' : ''
  const writesToProd = prodWritesWarning(config)
  if (writesToProd !== undefined) warnings.push(writesToProd)
  const environments = profileSummaries(config)
  const other = environments.find(profile => !profile.active)?.environment ?? (config.environment === 'dev' ? 'staging' : 'dev')
  return {
    listening: `http://${bracketed}:${port}`,
    frontendBaseUrl: `http://localhost:${port}`,
    apiUpstream: `${config.apiPrefix}/* → ${config.apiUrl}${config.apiPrefix}/*`,
    mcpUpstream: `${config.mcpPrefix}/* → ${config.mcpUrl}/*`,
    environment: `${config.environment} (${origin.environment})`,
    environments,
    prod: prodNotice(config) ?? null,
    switchCommand: inspectorPort === null
      ? `set BKEND_ENVIRONMENT=${other} in .env (applied on save; with INSPECTOR=false there is no switch over HTTP)`
      : `curl -X POST http://localhost:${inspectorPort}${ENVIRONMENT_PATH} -H 'content-type: application/json' -d '{"environment": "${other}"}'`,
    projectId: config.projectId ? `${config.projectId} (${origin.projectId})${projectNote}` : scheme.scheme === 'api-key' ? 'not needed: the key carries its project' : null,
    apiKey: config.apiKey ? `${redactSecret(config.apiKey)} (${origin.apiKey})` : null,
    authScheme: describeScheme(scheme, origin.authScheme),
    allowedOrigins: config.corsOrigins,
    allowedHosts: answeredHostNames(config.allowedHosts),
    inspector: inspectorPort === null ? null : `http://localhost:${inspectorPort}/__proxy/`,
    notices,
    warnings
  }
}

export function bannerTitle (facts: BannerFacts): string {
  return `bkend-dev-proxy ${VERSION} listening on ${facts.listening}`
}

export function bannerText (facts: BannerFacts): string {
  const profiles = facts.environments.length < 2 ? [] : facts.environments.map(profile => `    ${profile.environment.padEnd(10)} ${describeProfile(profile)}${profile.active ? ' (active)' : ''}`)
  return [
    bannerTitle(facts),
    ...(facts.prod === null ? [] : [facts.prod]),
    `  API          ${facts.apiUpstream}`,
    `  MCP          ${facts.mcpUpstream}`,
    `  environment  ${facts.environment}`,
    ...profiles,
    `  switch       ${facts.switchCommand}`,
    `  project id   ${facts.projectId ?? 'not set (BKEND_PROJECT_ID)'}`,
    `  API key      ${facts.apiKey ?? 'NOT SET (BKEND_API_KEY)'}`,
    `  auth         ${facts.authScheme}`,
    `  origins      ${facts.allowedOrigins.join(', ') || 'none'}`,
    `  hosts        ${facts.allowedHosts.join(', ')}`,
    `  inspector    ${facts.inspector ?? 'off (INSPECTOR=false)'}`,
    `  → point your frontend at ${facts.frontendBaseUrl} (keep the /v1 in request paths), e.g. VITE_BKEND_API_URL=${facts.frontendBaseUrl}`
  ].join('\n')
}
