// Time to the first server-sent event: from sending the request on a fresh connection
// to receiving the first `data:` line. The client then leaves, which also checks that
// the proxy lets go of the upstream stream.
import http from 'node:http'
import { performance } from 'node:perf_hooks'

export function firstEventMs (url, origin) {
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const request = http.get(url, { agent: false, headers: { accept: 'text/event-stream', origin } }, response => {
      if (response.statusCode !== 200) {
        response.resume()
        reject(new Error(`SSE answered ${response.statusCode}`))
        return
      }
      let seen = ''
      response.on('data', chunk => {
        seen += chunk
        if (seen.includes('data:')) {
          const elapsed = performance.now() - started
          request.destroy()
          resolve(elapsed)
        }
      })
    })
    request.on('error', error => { if (error.code !== 'ECONNRESET') reject(error) })
    request.setTimeout(5000, () => request.destroy(new Error('no SSE event within 5 s')))
  })
}
