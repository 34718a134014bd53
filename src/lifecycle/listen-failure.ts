// The one message for a port that cannot be listened on: which setting, from where, the fix.

export interface ListenAttempt {
  host: string
  hostFrom: string
  port: number
  variable: string
  from: string
  /** The other port the proxy listens on (null: none), which a fix must not suggest. */
  otherPort: number | null
  otherVariable: string
}

export function listenFailureMessage (attempt: ListenAttempt, error: NodeJS.ErrnoException): string {
  const { port, variable, from, otherPort, otherVariable } = attempt
  if (error.code === 'EADDRINUSE' && port === otherPort) {
    return `config: ${variable} and ${otherVariable} are both ${port}; the proxy and the inspector need a port each\n  fix: ${variable}=${port + 1}`
  }
  if (error.code === 'EADDRINUSE') {
    const next = port + 1 === otherPort ? port + 2 : port + 1
    return `config: port ${port} (${variable}, from ${from}) is already in use\n  fix: stop the other process, or ${variable}=${next}`
  }
  return `config: cannot listen on ${attempt.host}:${port} (host from ${attempt.hostFrom}, ${variable} from ${from}): ${error.message}\n  fix: HOST=127.0.0.1`
}
