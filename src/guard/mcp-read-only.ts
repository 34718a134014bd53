// Pure: which JSON-RPC messages posted to the MCP endpoint change nothing, for prod
// read-only. A body is one message or a batch (an array); a batch goes through only when
// every message in it does. A tool runs only when the session's last tools/list marked it
// annotations.readOnlyHint: true (mcp-tool-hints.ts keeps those names). A client's answer
// to the server's own request (a message with result or error and no method) is not a call.

/** The methods that go through, besides notifications/* and tools/call of a read-only tool. The README lists them. */
export const READ_ONLY_MCP_METHODS = ['initialize', 'ping', 'tools/list', 'resources/list', 'resources/read', 'prompts/list', 'prompts/get'] as const

const readOnlyMethods = new Set<string>(READ_ONLY_MCP_METHODS)
const SHOWN_NAME_CHARS = 80

/** A tools/list request in an allowed body, to match with its answer: the id as JSON, and whether it asks for the first page. */
export interface ToolsListCall { id: string, firstPage: boolean }

export type McpVerdict =
  | { allowed: true, toolsLists: ToolsListCall[] }
  | { allowed: false, refused: string }

/** Whether a body posted to the MCP endpoint changes nothing; `readOnlyTools` are the tools this session may call. */
export function judgeMcpBody (text: string, readOnlyTools: ReadonlySet<string> | undefined): McpVerdict {
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch (error) {
    return { allowed: false, refused: `an MCP request whose body is not valid JSON (${(error as Error).message}), which prod read-only cannot tell changes nothing,` }
  }
  const messages = Array.isArray(body) ? body : [body]
  if (messages.length === 0) return { allowed: false, refused: 'an MCP request with an empty JSON-RPC batch' }
  const toolsLists: ToolsListCall[] = []
  for (const [index, message] of messages.entries()) {
    const refused = refusedMessage(message, readOnlyTools, toolsLists)
    if (refused === undefined) continue
    return { allowed: false, refused: messages.length === 1 ? refused : `a JSON-RPC batch (message ${index + 1} of ${messages.length}: ${refused}; a batch goes through only when every message changes nothing)` }
  }
  return { allowed: true, toolsLists }
}

function refusedMessage (message: unknown, readOnlyTools: ReadonlySet<string> | undefined, toolsLists: ToolsListCall[]): string | undefined {
  if (typeof message !== 'object' || message === null || Array.isArray(message)) return 'a JSON-RPC message that is not an object'
  const { method, params, id } = message as { method?: unknown, params?: { name?: unknown, cursor?: unknown }, id?: unknown }
  if (method === undefined) return 'result' in message || 'error' in message ? undefined : 'a JSON-RPC message without a method'
  if (typeof method !== 'string') return 'a JSON-RPC message whose method is not a string'
  if (method.startsWith('notifications/')) return undefined
  if (readOnlyMethods.has(method)) {
    if (method === 'tools/list' && id !== undefined) toolsLists.push({ id: JSON.stringify(id), firstPage: params?.cursor === undefined })
    return undefined
  }
  if (method === 'tools/call') {
    const name = params?.name
    if (typeof name === 'string' && readOnlyTools?.has(name) === true) return undefined
    const shown = typeof name === 'string' ? JSON.stringify(name.slice(0, SHOWN_NAME_CHARS)) : '(no name)'
    return `the MCP call tools/call of tool ${shown} (a tool runs only when this session's last tools/list marked it annotations.readOnlyHint: true${readOnlyTools === undefined ? '; no tools/list answer was seen on this session while prod was read-only' : ''})`
  }
  return `the MCP method ${JSON.stringify(method.slice(0, SHOWN_NAME_CHARS))} (only ${READ_ONLY_MCP_METHODS.join(', ')}, notifications/* and tools/call of a read-only tool go through)`
}
