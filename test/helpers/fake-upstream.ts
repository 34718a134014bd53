// The fake upstream, one import for every kind a test needs, each a real server on
// loopback port 0 that closes in t.teardown:
// - startFakeApi: HTTP or HTTPS (tls: 'localhost' | 'other', certificates from
//   test/fixtures) JSON API that records what it received; `handler` answers instead.
// - startRawUpstream: parses requests and writes raw bytes back; `faults` holds the
//   standard misbehaviours (garbage, reset, hang).
// - startTcpUpstream: hands each socket to the test (stop reading, stall a handshake).
// - closedPortUrl: an upstream that refuses connections (connectRefused checks a port).
export { startFakeApi, echo, bkendReply, endlessStream, type FakeApi, type FakeApiOptions, type FakeHandler, type ReceivedRequest } from './fake-api.js'
export { startRawUpstream, startTcpUpstream, faults, type RawUpstream, type TcpUpstream, type RawHandler, type UpstreamHit } from './raw-upstream.js'
export { closedPortUrl, connectRefused } from './closed-port.js'
export { FIXTURES, LOCALHOST_CERT, OTHER_CERT } from './tls-fixtures.js'
