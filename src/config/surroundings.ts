// Colour and container, read here because src/config is the only reader of process.env.

type Environment = Record<string, string | undefined>

/**
 * NO_COLOR (no-color.org) wins: it is the user's standing choice, while FORCE_COLOR is often set
 * by a tool in between (concurrently, turbo). FORCE_COLOR is read as Node reads it.
 */
export function logColour (stdoutIsTTY: boolean, env: Environment = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false
  const force = env.FORCE_COLOR?.trim().toLowerCase()
  if (force === '0' || force === 'false') return false
  if (force === '' || force === '1' || force === '2' || force === '3' || force === 'true') return true
  return stdoutIsTTY
}

/**
 * By systemd's `container` variable (podman, LXC, nspawn; our Dockerfile sets it). Not by
 * /.dockerenv: CI runners and dev containers have it too, so the banner would vary by machine.
 */
export function inContainer (env: Environment = process.env): boolean {
  return (env.container ?? '') !== ''
}
