// Pure: bkend's error code from an error body, in every shape bkend's pages show:
//   {"success": false, "error": {"code": "auth/invalid-credentials", "message": "..."}}
//   {"error": {"code": "auth/invalid-credentials", "message": "..."}}   (also MCP tools)
//   {"statusCode": 403, "error": "SCOPE_INSUFFICIENT", "message": "..."}
//   {"statusCode": 401, "message": "X-API-Key header is required"}     (no code at all)
// A numeric error.code (JSON-RPC's -32001) only repeats a status, and a reason phrase in "error"
// ("Unauthorized") is not a code: neither is read as one.

// A code as bkend writes one: domain/name, or upper case with underscores.
const CODE = /^(?:[a-z]+\/[a-z0-9]+(?:-[a-z0-9]+)*|[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|[A-Z]{3,})$/
// Messages the docs show without a code, and the code the same message carries elsewhere.
const CODE_OF_MESSAGE: Readonly<Record<string, string>> = {
  'X-API-Key header is required': 'MISSING_HEADER'
}
// A body cut at the capture limit is not valid JSON; the code usually comes first.
const CUT_NESTED = /"error"\s*:\s*\{[^{}]*?"code"\s*:\s*"([^"\\]{1,100})"/
const CUT_FLAT = /"error"\s*:\s*"([^"\\]{1,100})"/
const CUT_MESSAGE = /"message"\s*:\s*"([^"\\]{1,200})"/

export function bkendErrorCode (body: string): string | undefined {
  let parsed: unknown
  try {
    parsed = JSON.parse(body)
  } catch {
    return asCode(CUT_NESTED.exec(body)?.[1]) ?? asCode(CUT_FLAT.exec(body)?.[1]) ?? codeOfMessage(CUT_MESSAGE.exec(body)?.[1])
  }
  if (parsed === null || typeof parsed !== 'object') return undefined
  const { error, message } = parsed as { error?: unknown, message?: unknown }
  if (error !== null && typeof error === 'object') return asCode((error as { code?: unknown }).code) ?? codeOfMessage((error as { message?: unknown }).message)
  return asCode(error) ?? codeOfMessage(message)
}

function asCode (value: unknown): string | undefined {
  return typeof value === 'string' && CODE.test(value) ? value : undefined
}

function codeOfMessage (message: unknown): string | undefined {
  return typeof message === 'string' && Object.hasOwn(CODE_OF_MESSAGE, message) ? CODE_OF_MESSAGE[message] : undefined
}
