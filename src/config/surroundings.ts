// What the process's surroundings say, beyond the settings table: whether a person reads
// the log in colour, and whether the proxy runs in a container. Read here because src/config
// is the only reader of the environment; the CLI passes the answers in.

type Environment = Record<string, string | undefined>

/**
 * Colour on a terminal, by the common conventions: NO_COLOR with any non-empty value
 * (no-color.org) turns it off and wins, because it is the user's standing choice while
 * FORCE_COLOR is often set by a tool in between (concurrently, turbo); FORCE_COLOR=1, 2 or 3
 * (or true, or empty, as Node reads it) turns it on for a pipe; FORCE_COLOR=0 (or false) off.
 */
export function logColour (stdoutIsTTY: boolean, env: Environment = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false
  const force = env.FORCE_COLOR?.trim().toLowerCase()
  if (force === '0' || force === 'false') return false
  if (force === '' || force === '1' || force === '2' || force === '3' || force === 'true') return true
  return stdoutIsTTY
}

/**
 * Inside a container, by the `container` variable of systemd's container interface:
 * podman, LXC and systemd-nspawn set it, and the Dockerfile sets container=docker.
 * Marker files (/.dockerenv, /run/.containerenv) are not read: CI runners and dev
 * containers have them too, so the banner (and its tests) would change with the machine.
 */
export function inContainer (env: Environment = process.env): boolean {
  return (env.container ?? '') !== ''
}
