// In a container the image listens on 0.0.0.0 on purpose: the banner says how to publish
// on loopback in one info line instead of warning on every start. Outside one, it warns.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { bannerFacts } from '../src/lifecycle/banner.js'
import { inContainer } from '../src/config/surroundings.js'
import { builtInDefaults, SETTING_KEYS, type Config, type SettingKey } from '../src/config/settings.js'
import { startCli } from './helpers/cli.js'

const ORIGIN = Object.fromEntries(SETTING_KEYS.map(key => [key, 'built-in default'])) as Record<SettingKey, string>
// A key in a documented format: auto sends it as X-API-Key, with no format warning.
const KEY = `pk_${'0123456789abcdef'.repeat(4)}`
const config = (host: string): Config => ({ ...builtInDefaults(), host, apiKey: KEY })
const NOTICE = 'in a container, listening on 0.0.0.0 so the published ports reach the proxy and the inspector; publish both on loopback only: docker run -p 127.0.0.1:8787:8787 -p 127.0.0.1:8788:8788, or in compose ports: ["127.0.0.1:8787:8787", "127.0.0.1:8788:8788"]'

t.test('in a container, a non-loopback HOST is one info line naming docker run -p and compose ports', async t => {
  const facts = bannerFacts(config('0.0.0.0'), ORIGIN, 8787, { inContainer: true })
  t.same([facts.notices, facts.warnings], [[NOTICE], []])
})

t.test('outside a container the warning stays; on loopback there is neither', async t => {
  const outside = bannerFacts(config('0.0.0.0'), ORIGIN, 8787, { inContainer: false })
  t.same(outside.notices, [])
  t.match(outside.warnings, [/^listening on 0\.0\.0\.0, not loopback/])
  const loopback = bannerFacts(config('127.0.0.1'), ORIGIN, 8787, { inContainer: true })
  t.same([loopback.notices, loopback.warnings], [[], []])
})

t.test('a container is known by the `container` variable, which the image sets', async t => {
  t.same([inContainer({ container: 'docker' }), inContainer({ container: 'podman' }), inContainer({ container: '' }), inContainer({})], [true, true, false, false])
  const runtimeStage = readFileSync(new URL('../Dockerfile', import.meta.url), 'utf8').split(/^FROM /m).at(-1) ?? ''
  t.match(runtimeStage, /^ENV container=docker$/m, 'the runtime stage of the Dockerfile sets it')
})

t.test('CLI in a container: the info line, even at LOG_LEVEL=warn, and no warning', async t => {
  const cli = await startCli(t, [], { env: { HOST: '0.0.0.0', container: 'docker', BKEND_API_KEY: KEY, LOG_LEVEL: 'warn' } })
  await cli.waitForStdout(/in a container/)
  const [p, i] = [cli.port, cli.inspectorPort]
  t.match(cli.stdout(), new RegExp(`INFO: in a container, listening on 0\\.0\\.0\\.0 so the published ports reach the proxy and the inspector; publish both on loopback only: docker run -p 127\\.0\\.0\\.1:${p}:${p} -p 127\\.0\\.0\\.1:${i}:${i}, or in compose ports: \\["127\\.0\\.0\\.1:${p}:${p}", "127\\.0\\.0\\.1:${i}:${i}"\\]$`, 'm'))
  t.notMatch(cli.stdout(), /WARN/)
  t.same(await cli.stop(), { code: 0, signal: null })
})
