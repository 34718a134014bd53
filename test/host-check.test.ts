// checkHost, hostChecker, parseHostName and isLoopbackName are pure: exact expected values.
import t from 'tap'
import { checkHost, hostChecker, isLoopbackName, parseHostName } from '../src/guard/host-check.js'

t.test('parseHostName lower-cases, drops the port and one trailing dot', async t => {
  const hosts = [
    'localhost:8787', 'LOCALHOST:1', 'localhost', 'localhost.', 'localhost.:80', 'App.Localhost:3000',
    '[::1]:8787', '[::1]', '127.0.0.1', '127.1.2.3:0', 'localhost:65535', 'bkend-proxy:8787', 'under_score'
  ]
  t.same(Object.fromEntries(hosts.map(host => [host, parseHostName(host)])), {
    'localhost:8787': 'localhost',
    'LOCALHOST:1': 'localhost',
    localhost: 'localhost',
    'localhost.': 'localhost',
    'localhost.:80': 'localhost',
    'App.Localhost:3000': 'app.localhost',
    '[::1]:8787': '[::1]',
    '[::1]': '[::1]',
    '127.0.0.1': '127.0.0.1',
    '127.1.2.3:0': '127.1.2.3',
    'localhost:65535': 'localhost',
    'bkend-proxy:8787': 'bkend-proxy',
    under_score: 'under_score'
  })
})

t.test('parseHostName returns undefined for malformed values', async t => {
  const hosts = [
    '', '[', '[::1', '::1', 'localhost:99999', 'localhost:65536', 'localhost:123456', 'localhost:', 'localhost:80:80',
    'a b', 'evil.example@localhost', 'localhost\x01', 'http://localhost', 'localhost/x', ' localhost', 'localhost:-1', '[evil.example]'
  ]
  t.same(hosts.map(host => parseHostName(host)), hosts.map(() => undefined))
})

t.test('isLoopbackName accepts localhost, *.localhost, 127.0.0.0/8 and [::1]', async t => {
  const names = ['localhost', 'app.localhost', 'a.b.localhost', '[::1]', '127.0.0.1', '127.1.2.3', '127.255.255.255', '127.0.0.01']
  t.same(names.map(isLoopbackName), names.map(() => true), names.join(' '))
})

t.test('isLoopbackName refuses everything else', async t => {
  const names = [
    '', 'localhost.evil.example', 'evil-localhost', 'xlocalhost', 'localhostx', '127.0.0.1.nip.io', '127.0.0.256', '127.0.0',
    '127.0.0.1.1', '127.0.0.0x1', '128.0.0.1', '0.0.0.0', '192.168.1.10', '10.0.0.1', '[::2]', '[::]', '::1', '127.o.o.1'
  ]
  t.same(names.map(isLoopbackName), names.map(() => false), names.join(' '))
})

t.test('checkHost: allowed, refused or malformed', async t => {
  const cases: Array<[host: string | undefined, allowedHosts: string[], verdict: string]> = [
    [undefined, [], 'malformed'],
    ['', [], 'malformed'],
    ['[', [], 'malformed'],
    ['localhost:99999', [], 'malformed'],
    ['a b', [], 'malformed'],
    ['evil.example@localhost', [], 'malformed'],
    ['localhost:8787', [], 'allowed'],
    ['LOCALHOST:8787', [], 'allowed'],
    ['localhost', [], 'allowed'],
    ['localhost.', [], 'allowed'],
    ['app.localhost:8787', [], 'allowed'],
    ['127.0.0.1:8787', [], 'allowed'],
    ['127.1.2.3:8787', [], 'allowed'],
    ['[::1]:8787', [], 'allowed'],
    ['evil.example:8787', [], 'refused'],
    ['localhost.evil.example', [], 'refused'],
    ['127.0.0.1.nip.io', [], 'refused'],
    ['evil-localhost', [], 'refused'],
    ['0.0.0.0:8787', [], 'refused'],
    ['192.168.1.10:8787', [], 'refused'],
    ['bkend-proxy:8787', [], 'refused'],
    ['bkend-proxy:8787', ['bkend-proxy'], 'allowed'],
    ['BKEND-PROXY.:1', ['bkend-proxy'], 'allowed'],
    ['bkend-proxy.evil.example', ['bkend-proxy'], 'refused'],
    ['evil-bkend-proxy', ['bkend-proxy'], 'refused'],
    ['api.dev.test', ['*.dev.test'], 'allowed'],
    ['a.b.dev.test:3000', ['*.dev.test'], 'allowed'],
    ['dev.test', ['*.dev.test'], 'refused'],
    ['evil-dev.test', ['*.dev.test'], 'refused'],
    ['dev.test.evil.example', ['*.dev.test'], 'refused']
  ]
  t.same(cases.map(([host, allowedHosts]) => checkHost(host, allowedHosts)), cases.map(([, , verdict]) => verdict),
    cases.map(([host, allowed, verdict]) => `${JSON.stringify(host)} [${allowed.join(',')}] → ${verdict}`).join('\n'))
})

t.test('hostChecker remembers verdicts and gives the same ones as checkHost, past its bound too', async t => {
  const allowed = ['dev.example.test', '*.preview.test']
  const check = hostChecker(allowed)
  const hosts = ['localhost:8787', 'dev.example.test', 'evil.test', 'a.preview.test:1', 'bad host', '', '127.0.0.1:99999', ...Array.from({ length: 100 }, (_, i) => `h${i}.test`)]
  for (let round = 0; round < 3; round++) {
    for (const host of hosts) t.equal(check(host), checkHost(host, allowed), `${JSON.stringify(host)}, round ${round + 1}`)
  }
  t.equal(check(undefined), 'malformed')
})
