// Summarises a .cpuprofile (node --cpu-prof): busy self time by function and by package.
// Usage: node bench/profile-summary.mjs <file.cpuprofile> [top=25]
import { readFileSync } from 'node:fs'

const [file, topArg] = process.argv.slice(2)
const profile = JSON.parse(readFileSync(file, 'utf8'))
const top = Number(topArg ?? 25)
const selfUs = new Map(profile.nodes.map(node => [node.id, 0]))
for (let i = 0; i < profile.samples.length; i++) selfUs.set(profile.samples[i], selfUs.get(profile.samples[i]) + (profile.timeDeltas[i] ?? 0))
const idleIds = new Set(profile.nodes.filter(node => node.callFrame.functionName === '(idle)').map(node => node.id))
const total = profile.nodes.reduce((sum, node) => idleIds.has(node.id) ? sum : sum + selfUs.get(node.id), 0)
const byFunction = new Map()
const byPackage = new Map()
for (const node of profile.nodes) {
  const { functionName, url, lineNumber } = node.callFrame
  const us = selfUs.get(node.id)
  const where = url.replace(/^file:\/\/.*?node_modules\//, '').replace(/^file:\/\/.*?\/(dist|bench)\//, '$1/')
  const fn = `${functionName || '(anonymous)'} ${where}:${lineNumber + 1}`
  byFunction.set(fn, (byFunction.get(fn) ?? 0) + us)
  const pkg = url === '' ? `(${functionName})` : url.startsWith('node:') ? 'node core' : /node_modules\/((@[^/]+\/)?[^/]+)/.exec(url)?.[1] ?? where.split('/')[0]
  byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us)
}
const show = (title, map) => {
  console.log(`\n${title}`)
  for (const [name, us] of [...map].filter(([name]) => !name.startsWith('(idle)')).sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${(us / 1000).toFixed(0).padStart(6)} ms ${(us / total * 100).toFixed(1).padStart(5)} %  ${name}`)
}
console.log(`${file}: ${(total / 1e6).toFixed(2)} s busy (idle left out; % of busy time)`)
show('by package', byPackage)
show('by function (self time)', byFunction)
