// Each error body shape bkend's pages show, answered by a real upstream through the real
// proxy: the code reaches the JSON log's errorCode, the compact line, the curl -v block's
// hint and the inspector's list and detail.
import t from 'tap'
import { bkendReply, startFakeApi } from './helpers/fake-upstream.js'
import { startInspectedProxy } from './helpers/inspected-proxy.js'
import { detailOf, summaryOf } from '../src/inspector/views.js'

const PK = 'pk_' + 'c3'.repeat(32)

// [the documented shape, status, body, the code read from it]
const SHAPES: Array<[string, number, unknown, string]> = [
  ['{success:false,error:{code}}', 403, { success: false, error: { code: 'data/scope-insufficient', message: 'API Key scope does not include posts:read' } }, 'data/scope-insufficient'],
  ['{error:{code}}', 403, { error: { code: 'data/project-access-denied', message: 'Access Token project ID does not match' } }, 'data/project-access-denied'],
  ['{statusCode,error:"CODE",message}', 403, { statusCode: 403, error: 'SCOPE_INSUFFICIENT', message: 'API Key scope does not include posts:read' }, 'SCOPE_INSUFFICIENT'],
  ['{statusCode,message}', 401, { statusCode: 401, message: 'X-API-Key header is required' }, 'MISSING_HEADER']
]

for (const [shape, status, body, code] of SHAPES) {
  t.test(`${shape}: ${code} in every log format and in the inspector`, async t => {
    const api = await startFakeApi(t, { handler: bkendReply(status, body) })

    const json = await startInspectedProxy(t, { apiUrl: api.url, apiKey: PK, logFormat: 'json' })
    await (await fetch(new URL('/v1/data/posts?limit=1', json.url))).text()
    const line = JSON.parse((await json.logs()).trim()) as { errorCode: string, hint?: string }
    t.equal(line.errorCode, code, 'JSON errorCode')
    t.type(line.hint, 'string', 'a hint for it')

    const listed = json.inspector.store.recent(() => true, 10)
    t.same(listed.map(entry => [summaryOf(entry).status, summaryOf(entry).errorCode]), [[status, code]], 'the inspector list')
    const detail = await detailOf(json.inspector.store.get(listed[0]!.id)!, { config: json.config, replays: [] }) as { errorCode?: string, hints: string[] }
    t.same([detail.errorCode, detail.hints.length], [code, 1], 'the inspector detail, with its hint')

    const compact = await startInspectedProxy(t, { apiUrl: api.url, apiKey: PK, logFormat: 'compact' })
    await (await fetch(new URL('/v1/data/posts?limit=1', compact.url))).text()
    t.match((await compact.logs()).split('\n')[0], new RegExp(`^.*#1 GET /v1/data/posts\\?limit=1 ${status} \\S+ ms \\d+ B ${code}  hint: `), 'the compact line')

    const pretty = await startInspectedProxy(t, { apiUrl: api.url, apiKey: PK, logFormat: 'pretty' })
    await (await fetch(new URL('/v1/data/posts?limit=1', pretty.url))).text()
    t.equal((await pretty.logs()).split('\n').filter(text => text.startsWith('* hint: ')).length, 1, 'the curl -v block\'s hint')
  })
}
