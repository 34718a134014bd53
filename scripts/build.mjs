#!/usr/bin/env node
// Builds dist/ when a source is newer than the last build, so `npm start` with nothing
// changed starts at once. Several builds at a time in one clone (parallel `npm start`s)
// take turns through a lock directory; each one checks again after its wait, so the
// sources are compiled once. The bin is made executable here, on every build path
// (tsc writes a new file 0644, and `npm install -g .` links it as it is).
//
//   node scripts/build.mjs          build if stale
//   node scripts/build.mjs --force  build whatever the stamps say
import { execFileSync } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const STAMP = join(ROOT, 'dist', '.built')
const LOCK = join(ROOT, '.build-lock')
const BIN = join(ROOT, 'dist', 'cli.js')
// A lock older than this was left by a build that died; a real build takes seconds.
const STALE_LOCK_MS = 120_000

function newestSourceMs () {
  let newest = Math.max(statSync(join(ROOT, 'tsconfig.json')).mtimeMs, statSync(join(ROOT, 'package.json')).mtimeMs)
  const walk = dir => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) walk(path)
      else newest = Math.max(newest, statSync(path).mtimeMs)
    }
  }
  walk(join(ROOT, 'src'))
  return newest
}

function isStale () {
  if (!existsSync(STAMP) || !existsSync(BIN)) return true
  return newestSourceMs() > statSync(STAMP).mtimeMs
}

function takeLock () {
  for (;;) {
    try {
      mkdirSync(LOCK)
      return
    } catch (error) {
      if (error.code !== 'EEXIST') throw error
      try {
        if (Date.now() - statSync(LOCK).mtimeMs > STALE_LOCK_MS) rmSync(LOCK, { recursive: true, force: true })
      } catch {}
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100)
    }
  }
}

const force = process.argv.includes('--force')
if (force || isStale()) {
  takeLock()
  try {
    if (force || isStale()) {
      const startedMs = Date.now()
      execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.json')], { stdio: 'inherit' })
      chmodSync(BIN, 0o755)
      // Stamped with the build's start: a source saved while tsc ran is newer, and rebuilt next time.
      writeFileSync(STAMP, '')
      const seconds = startedMs / 1000
      utimesSync(STAMP, seconds, seconds)
    }
  } finally {
    rmSync(LOCK, { recursive: true, force: true })
  }
}
