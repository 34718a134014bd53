// `doctor --skip mcp,proxy`: steps left out on request (offline, say). A step that reads
// another's answer goes with it, and a step skipped on request does not fail the doctor.
import { ConfigError } from '../config/load-config.js'
import { closestName } from '../config/did-you-mean.js'
import { STEP_NAMES } from './step.js'

export const SKIPPABLE_STEPS = STEP_NAMES.filter(name => name !== 'config')
// The environment step and the key cross-check read the auth probe; OAuth discovery is the MCP host's.
const FOLLOWERS: Readonly<Record<string, readonly string[]>> = { auth: ['environment', 'keys'], mcp: ['mcp-oauth'] }

/** The --skip values (comma-separated or repeated) → each step not to run and what its line says. */
export function stepsToSkip (values: readonly string[]): Map<string, string> {
  const skipped = new Map<string, string>()
  const names = values.flatMap(value => value.split(',')).map(name => name.trim()).filter(name => name !== '')
  for (const name of names) {
    if (!(SKIPPABLE_STEPS as readonly string[]).includes(name)) {
      const guess = closestName(name, SKIPPABLE_STEPS)
      throw new ConfigError(`bkend-dev-proxy doctor: --skip ${name}: no such step\n  fix: ${guess === undefined ? '' : `did you mean ${guess}? `}the steps are ${SKIPPABLE_STEPS.join(', ')}`)
    }
    skipped.set(name, `skipped on request (--skip ${name})`)
  }
  for (const name of names) {
    for (const follower of FOLLOWERS[name] ?? []) if (!skipped.has(follower)) skipped.set(follower, `not checked: it reads the ${name} step's answer (--skip ${name})`)
  }
  return skipped
}
