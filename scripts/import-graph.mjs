#!/usr/bin/env node
// Checks the shape of src/: no import cycle between files, and none between rooms (a
// folder under src/, or a file at its top). A room graph without cycles is a stack of
// floors where every import runs down; one that runs back up closes a cycle and is named.
// Usage: node scripts/import-graph.mjs [--print]   (exit 1 when something runs back up)
import { readFileSync, readdirSync } from 'node:fs'
import { join, dirname, relative, resolve } from 'node:path'

const SRC = resolve(new URL('..', import.meta.url).pathname, 'src')
const IMPORT = /^\s*(?:import|export)\s[^'"]*?from\s+['"](\.{1,2}\/[^'"]+)['"]/gm

function sourceFiles (dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap(entry => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return sourceFiles(path)
    return entry.name.endsWith('.ts') ? [relative(SRC, path)] : []
  })
}

const roomOf = file => file.includes('/') ? file.split('/')[0] : file.replace(/\.ts$/, '')

const files = sourceFiles(SRC)
const imports = new Map(files.map(file => {
  const text = readFileSync(join(SRC, file), 'utf8')
  const targets = [...text.matchAll(IMPORT)].map(([, spec]) => relative(SRC, resolve(SRC, dirname(file), spec)).replace(/\.js$/, '.ts'))
  return [file, [...new Set(targets)]]
}))

/** Every cycle's members, found as the strongly connected components of more than one node. */
function cycles (edges) {
  let next = 0
  const index = new Map(); const low = new Map(); const stack = []; const onStack = new Set(); const found = []
  const visit = node => {
    index.set(node, next); low.set(node, next); next++
    stack.push(node); onStack.add(node)
    for (const to of edges.get(node) ?? []) {
      if (!index.has(to)) { visit(to); low.set(node, Math.min(low.get(node), low.get(to))) } else if (onStack.has(to)) low.set(node, Math.min(low.get(node), index.get(to)))
    }
    if (low.get(node) === index.get(node)) {
      const component = []
      let member
      do { member = stack.pop(); onStack.delete(member); component.push(member) } while (member !== node)
      if (component.length > 1) found.push(component.sort())
    }
  }
  for (const node of edges.keys()) if (!index.has(node)) visit(node)
  return found
}

const roomEdges = new Map()
const crossings = new Map()
for (const [file, targets] of imports) {
  for (const target of targets) {
    const from = roomOf(file); const to = roomOf(target)
    if (from === to) continue
    if (!roomEdges.has(from)) roomEdges.set(from, new Set())
    roomEdges.get(from).add(to)
    crossings.set(`${from} -> ${to}`, [...(crossings.get(`${from} -> ${to}`) ?? []), `${file} -> ${target}`])
  }
}

const fileCycles = cycles(imports)
const roomCycles = cycles(roomEdges)
for (const cycle of fileCycles) console.log(`file cycle: ${cycle.join(', ')}`)
for (const cycle of roomCycles) {
  console.log(`room cycle: ${cycle.join(', ')}`)
  for (const [edge, through] of crossings) {
    const [from, to] = edge.split(' -> ')
    if (cycle.includes(from) && cycle.includes(to)) console.log(`  ${edge}: ${through.join('; ')}`)
  }
}
if (process.argv.includes('--print')) for (const [from, to] of roomEdges) console.log(`${from} -> ${[...to].sort().join(', ')}`)
console.log(`${files.length} files, ${roomEdges.size} rooms with imports: ${fileCycles.length} file cycles, ${roomCycles.length} room cycles`)
process.exitCode = fileCycles.length + roomCycles.length === 0 ? 0 : 1
