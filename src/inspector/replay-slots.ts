// How many replays may run at once: each holds a loopback socket (and maybe a second proxy)
// until its response ends, so unbounded replays could use up file descriptors.

/** Replays running at once; one more is answered ERRORS.replayBusy (429). */
export const MAX_CONCURRENT_REPLAYS = 4

export interface ReplaySlots {
  /** A release function for a free slot (call it once, when the replay is over), or undefined when all are taken. */
  take: () => (() => void) | undefined
  readonly running: number
}

export function createReplaySlots (max = MAX_CONCURRENT_REPLAYS): ReplaySlots {
  let running = 0
  return {
    take: () => {
      if (running >= max) return undefined
      running++
      let released = false
      return () => {
        if (released) return
        released = true
        running--
      }
    },
    get running () { return running }
  }
}
