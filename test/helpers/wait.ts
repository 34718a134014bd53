// The one polling helper: tests wait on a condition, never on a fixed sleep alone.

/** Polls until the check passes or the time is up; returns whether it passed. */
export async function waitFor (check: () => boolean, timeoutMs = 3000, stepMs = 10): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (check()) return true
    await new Promise(resolve => setTimeout(resolve, stepMs))
  }
  return check()
}
