// Small pieces every load file uses: waiting, polling, and how numbers are printed.

export interface Teardown { teardown: (fn: () => unknown) => void }

export const sleep = (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

export { waitFor } from '../helpers/wait.js'

export const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`

export function percentile (values: number[], p: number): number {
  if (values.length === 0) return NaN
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!
}
