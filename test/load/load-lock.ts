// A machine-wide lock so the load files never overlap.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sleep, type Teardown } from './helpers.js'

// tap runs test files in parallel (one per core). Two load files at once on a 2-core
// machine would measure each other, so each file holds this lock for its whole run.
const LOCK_DIR = join(tmpdir(), 'bkend-dev-proxy-load-suite.lock')

function processAlive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

export async function holdLoadLock (t: Teardown, timeoutMs = 480_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      mkdirSync(LOCK_DIR)
      writeFileSync(join(LOCK_DIR, 'pid'), String(process.pid))
      break
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      let owner = 0
      try { owner = Number(readFileSync(join(LOCK_DIR, 'pid'), 'utf8')) } catch { owner = 0 }
      // An owner that died without its teardown leaves the directory behind.
      if (owner > 0 && !processAlive(owner)) rmSync(LOCK_DIR, { recursive: true, force: true })
      if (Date.now() > deadline) throw new Error(`the load-suite lock ${LOCK_DIR} was held for ${timeoutMs} ms`)
      await sleep(200)
    }
  }
  t.teardown(() => rmSync(LOCK_DIR, { recursive: true, force: true }))
}
