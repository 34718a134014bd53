// The environment switch in the page's header: the active profile, the configured ones,
// and POST /__proxy/api/environment on change. Prod is marked so it cannot be missed.

const PATH = '/__proxy/api/environment'

/** The environment requests go to now (switched here, or by another client). */
export async function activeEnvironment () {
  const response = await fetch(PATH)
  if (!response.ok) throw new Error(`HTTP ${response.status}`)
  return (await response.json()).environment
}

export async function createEnvironmentSwitch (select, say) {
  const show = state => {
    select.replaceChildren(...state.environments.map(profile => {
      const option = document.createElement('option')
      option.value = profile.environment
      option.textContent = `${profile.environment}${profile.environment === 'prod' ? (state.prodReadOnly ? ' (read-only)' : ' (WRITES ALLOWED)') : ''}`
      option.title = `key ${profile.apiKey ?? 'not set'}, project ${profile.projectId ?? 'not set'}, ${profile.apiUrl}`
      return option
    }))
    select.value = state.environment
    select.classList.toggle('prod', state.environment === 'prod')
    // With one profile every row has the same environment: its column would say nothing.
    document.body.classList.toggle('one-environment', state.environments.length < 2)
  }
  const load = async () => {
    const response = await fetch(PATH)
    if (response.ok) show(await response.json())
  }
  select.addEventListener('change', async () => {
    const response = await fetch(PATH, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ environment: select.value }) })
    const body = await response.json()
    if (!response.ok) say(`switch failed: ${body?.error?.message ?? response.status}`)
    else say(`switched to ${body.environment}: requests that start from now on use its key, project and URL`)
    await load()
  })
  await load()
}
