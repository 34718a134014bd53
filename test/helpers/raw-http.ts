// Sends bytes exactly as written over a real socket and returns what came back, for
// requests fetch() refuses to send (two Host lines, smuggling attempts, bad Host values).
import net from 'node:net'

export interface RawResponse { text: string, status: number, closed: boolean }

export function rawRequest (port: number, payload: string, timeoutMs = 3000): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1')
    let text = ''
    let closed = false
    const finish = (): void => {
      clearTimeout(timer)
      socket.destroy()
      const match = /^HTTP\/1\.1 (\d{3})/.exec(text)
      resolve({ text, status: match ? Number(match[1]) : 0, closed })
    }
    const timer = setTimeout(finish, timeoutMs)
    socket.on('data', chunk => {
      text += chunk.toString('latin1')
      // One complete response is enough when the server keeps the connection open.
      const headerEnd = text.indexOf('\r\n\r\n')
      const length = /content-length: (\d+)/i.exec(text)
      if (headerEnd >= 0 && length && text.length >= headerEnd + 4 + Number(length[1])) setTimeout(finish, 50)
    })
    socket.on('end', () => { closed = true; finish() })
    socket.on('error', error => { if (text) finish(); else reject(error) })
    socket.write(payload, 'latin1')
  })
}
