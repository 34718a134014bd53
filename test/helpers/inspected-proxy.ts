// The real app on 127.0.0.1:0 recording into an inspector the test holds, so a test reads
// the inspector's list and detail views (src/inspector/views.ts) without its HTTP routes.
import { PassThrough } from 'node:stream'
import type { AddressInfo } from 'node:net'
import { buildApp } from '../../src/app.js'
import { createLogger } from '../../src/log/logger.js'
import { createInspector, type Inspector } from '../../src/inspector/inspector.js'
import type { Config } from '../../src/config/settings.js'
import { testConfig } from './proxy.js'

export interface InspectedProxy {
  url: string
  config: Config
  inspector: Inspector
  /** Everything logged so far (waits for the async log stream to catch up). */
  logs: () => Promise<string>
}

interface Teardown { teardown: (fn: () => unknown) => void }

export async function startInspectedProxy (t: Teardown, overrides: Partial<Config>): Promise<InspectedProxy> {
  const config = testConfig({ port: 0, ...overrides })
  const sink = new PassThrough()
  let output = ''
  sink.on('data', (chunk: Buffer) => { output += chunk.toString('utf8') })
  const { logger, exchangeWriter, flush } = createLogger(config, { destination: sink, colorize: false })
  const inspector = createInspector(config)
  const app = await buildApp(config, { logger, exchangeWriter, inspector })
  await app.listen({ port: 0, host: '127.0.0.1' })
  t.teardown(() => app.close())
  const port = (app.server.address() as AddressInfo).port
  return {
    url: `http://localhost:${port}`,
    config,
    inspector,
    logs: async () => {
      await flush()
      await new Promise(resolve => setTimeout(resolve, 20))
      return output
    }
  }
}
