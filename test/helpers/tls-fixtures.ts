// The self-signed certificates in test/fixtures/: `localhost` (trusted by startProxy)
// and `other.test` (a valid certificate for the wrong name).
import { readFileSync } from 'node:fs'

export const FIXTURES = new URL('../fixtures/', import.meta.url).pathname
export const LOCALHOST_CERT = readFileSync(FIXTURES + 'localhost-cert.pem', 'utf8')
export const LOCALHOST_KEY = readFileSync(FIXTURES + 'localhost-key.pem', 'utf8')
export const OTHER_CERT = readFileSync(FIXTURES + 'other-cert.pem', 'utf8')
export const OTHER_KEY = readFileSync(FIXTURES + 'other-key.pem', 'utf8')
