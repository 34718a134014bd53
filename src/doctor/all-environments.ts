// `doctor --all-environments`: the auth and environment steps once per configured profile
// (each with its own key, project and URL), then which key works where. bkend ties a key
// to one environment, so a key copied into the wrong profile shows up here as "works with
// dev, not staging" before a request fails with 404 data/environment-not-found.
// A key travels only with its own profile's project, URL and scheme: the cross-check changes
// X-Environment alone, and is not made where another profile has a URL of its own, nor for
// a key sent as X-API-Key (it names its environment itself).
import { listedEnvironments, profilesOf, withEnvironment } from '../config/profiles.js'
import { type EnvironmentName } from '../config/profile-table.js'
import type { Config } from '../config/settings.js'
import { configuredHeaders } from '../forward/upstream-headers.js'
import { redactSecret } from '../redact/redact.js'
import { configuredAuthScheme } from '../diagnose/auth-scheme.js'
import { checkAuth, checkEnvironment, interpretProbe } from './auth.js'
import { httpGet } from './http-get.js'
import { fail, pass, type DoctorContext, type StepResult } from './step.js'

export async function checkAllEnvironments (context: DoctorContext): Promise<StepResult[]> {
  const steps: StepResult[] = []
  const names = listedEnvironments(context.config)
  const profiles = profilesOf(context.config)
  for (const environment of names) {
    const profileContext: DoctorContext = { ...context, config: withEnvironment(context.config, environment), probe: undefined }
    const auth = await checkAuth(profileContext)
    steps.push({ ...auth, environment }, { ...checkEnvironment(profileContext), environment })
  }
  // Every key against every listed environment (its own answer is already known from above).
  const keyed = names.filter(name => profiles[name].apiKey !== '')
  const works = new Map<string, boolean>()
  await Promise.all(keyed.flatMap(owner => names.map(async environment => {
    const pair = `${owner}>${environment}`
    if (owner === environment) {
      works.set(pair, steps.some(step => step.environment === owner && step.step === 'auth' && step.status === 'pass'))
      return
    }
    if (profiles[owner].apiUrl !== profiles[environment].apiUrl || configuredAuthScheme(profiles[owner]) === 'api-key') return
    works.set(pair, await keyWorks(context, owner, environment))
  })))
  return [...steps, keysStep(names, keyed, profiles, works)]
}

/** The owner's key, project and URL, asking for another environment. */
async function keyWorks (context: DoctorContext, owner: EnvironmentName, environment: EnvironmentName): Promise<boolean> {
  const config: Config = { ...withEnvironment(context.config, owner), environment }
  const outcome = await httpGet(context.dispatcher, config.apiUrl + config.doctorProbePath, Object.fromEntries(configuredHeaders(config)), context.stepTimeoutMs)
  return interpretProbe(outcome, config).status === 'pass'
}

function keysStep (names: EnvironmentName[], keyed: EnvironmentName[], profiles: ReturnType<typeof profilesOf>, works: Map<string, boolean>): StepResult {
  const said: string[] = []
  const fixes: string[] = []
  for (const owner of names) {
    if (!keyed.includes(owner)) {
      said.push(`${owner} has no key`)
      continue
    }
    const where = names.filter(environment => works.get(`${owner}>${environment}`) === true)
    const unchecked = names.filter(environment => !works.has(`${owner}>${environment}`))
    const key = `${owner} key ${redactSecret(profiles[owner].apiKey)}`
    const notTried = unchecked.length === 0 ? '' : ` (not tried with ${unchecked.join(', ')}: a key goes only to its own profile's URL, and a key sent as X-API-Key names its environment itself)`
    said.push(`${key} works with ${where.length === 0 ? 'none of them' : where.join(', ')}${where.includes(owner) ? '' : ` (not ${owner})`}${notTried}`)
    if (!where.includes(owner)) {
      const instead = where.length === 0 ? '' : ` (it is accepted by ${where.join(', ')})`
      fixes.push(`give ${owner} a key issued for ${owner}: BKEND_API_KEY_${owner.toUpperCase()}${instead}`)
    }
  }
  const detail = said.join('; ')
  return fixes.length === 0 ? pass('keys', detail) : fail('keys', detail, fixes.join('; '))
}
