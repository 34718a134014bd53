// Open file descriptors of a process (Linux /proc), to show that sockets are released.
import { readdirSync } from 'node:fs'

export function fdCount (pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length
}
