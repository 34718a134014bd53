// Starts the real app (buildApp) on 127.0.0.1:0, and its inspector on another free port,
// with a config built from overrides, and captures its log output.
import { PassThrough } from 'node:stream'
import type { AddressInfo } from 'node:net'
import { buildApp, type AppOptions, type ProxyApp } from '../../src/app.js'
import { createLogger } from '../../src/log/logger.js'
import { builtInDefaults, type Config } from '../../src/config/settings.js'
import { LOCALHOST_CERT } from './tls-fixtures.js'

export interface TestProxy {
  url: string
  port: number
  /** http://localhost:<inspector port>, where the page and /__proxy/api/ are; '' with INSPECTOR=false. */
  inspectorUrl: string
  /** The inspector's port; 0 with INSPECTOR=false. */
  inspectorPort: number
  app: ProxyApp
  config: Config
  /** Everything logged so far (waits for the async log stream to catch up). */
  logs: () => Promise<string>
}

interface Teardown { teardown: (fn: () => unknown) => void }

/** The built-in defaults, but never a fixed inspector port (several test runs share the machine). */
export function testConfig (overrides: Partial<Config> = {}): Config {
  return Object.freeze({ ...builtInDefaults(), logFormat: 'pretty', inspectorPort: 0, ...overrides }) as Config
}

export async function startProxy (t: Teardown, overrides: Partial<Config> = {}, options: { trustTestCa?: boolean, app?: Pick<AppOptions, 'rereadConfig'> } = {}): Promise<TestProxy> {
  const config = testConfig({ port: 0, ...overrides })
  const sink = new PassThrough()
  let output = ''
  sink.on('data', (chunk: Buffer) => { output += chunk.toString('utf8') })
  const { logger, exchangeWriter, flush } = createLogger(config, { destination: sink, colorize: false })
  const app = await buildApp(config, { logger, exchangeWriter, upstreamCa: options.trustTestCa === false ? undefined : [LOCALHOST_CERT], ...options.app })
  t.teardown(() => app.close())
  await app.inspectorApp?.listen({ port: 0, host: '127.0.0.1' })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const port = (app.server.address() as AddressInfo).port
  const inspectorPort = (app.inspectorApp?.server.address() as AddressInfo | null)?.port
  return {
    url: `http://localhost:${port}`,
    port,
    inspectorUrl: inspectorPort === undefined ? '' : `http://localhost:${inspectorPort}`,
    inspectorPort: inspectorPort ?? 0,
    app,
    config,
    logs: async () => {
      await flush()
      await new Promise(resolve => setTimeout(resolve, 20))
      return output
    }
  }
}

/** Builds the app without listening, for inject() tests. */
export async function injectableApp (t: Teardown, overrides: Partial<Config> = {}): Promise<ProxyApp> {
  const config = testConfig(overrides)
  const { logger, exchangeWriter } = createLogger(config, { destination: new PassThrough().resume(), colorize: false })
  const app = await buildApp(config, { logger, exchangeWriter })
  t.teardown(() => app.close())
  return app
}
