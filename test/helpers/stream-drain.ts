// Reading a response body to its end, to tell a stream that ended from one that was cut.

/** Reads a stream to its end; says whether it ended cleanly or was cut. */
export async function drain (body: ReadableStream<Uint8Array>): Promise<'ended' | 'cut'> {
  const reader = body.getReader()
  try {
    while (!(await reader.read()).done);
    return 'ended'
  } catch {
    return 'cut'
  }
}
