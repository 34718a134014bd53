// The bare stack we compare against: fastify + @fastify/http-proxy + @fastify/cors with
// the logger off, using the versions installed for the proxy itself.
// Usage: node bench/bare-proxy.mjs <upstream-url>; prints "listening <port>".
import Fastify from 'fastify'
import cors from '@fastify/cors'
import httpProxy from '@fastify/http-proxy'

const upstream = process.argv[2]
const app = Fastify({ logger: false })
await app.register(cors, { origin: true })
await app.register(httpProxy, { upstream, prefix: '/v1', rewritePrefix: '/v1' })
await app.listen({ port: 0, host: '127.0.0.1' })
process.stdout.write(`listening ${app.server.address().port}\n`)
process.on('SIGTERM', () => { app.close().then(() => process.exit(0)) })
