// autocannon ships no types; this is the part the load suite calls.
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events'
  function autocannon (options: Record<string, unknown>, callback: (error: Error | null, result: never) => void): EventEmitter
  export default autocannon
}
