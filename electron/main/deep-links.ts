// switchboard:// links: switchboard://conversation/<id> opens a conversation,
// switchboard://join?url=<http(s) url> offers to join a server.
import { httpUrl } from '../shared/ipc-schemas'
import { LIMITS } from '../shared/limits'

export const PROTOCOL = 'switchboard'

export type DeepLink = { kind: 'conversation'; conversationId: number } | { kind: 'join'; url: string }

export function parseDeepLink(raw: string): DeepLink | null {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return null
  }
  if (url.protocol !== `${PROTOCOL}:`) return null
  // switchboard://conversation/7 puts "conversation" in the host; switchboard:conversation/7 in the path.
  const parts = [url.hostname, ...url.pathname.split('/')].filter(Boolean)
  if (parts[0] === 'conversation' && parts.length === 2 && /^\d{1,10}$/.test(parts[1]!)) {
    const conversationId = Number(parts[1])
    return conversationId > 0 && conversationId <= LIMITS.maxId ? { kind: 'conversation', conversationId } : null
  }
  if (parts[0] === 'join' && parts.length === 1) {
    const target = httpUrl.safeParse(url.searchParams.get('url') ?? '')
    return target.success ? { kind: 'join', url: new URL(target.data).origin } : null
  }
  return null
}

/** On Windows and Linux the link arrives as a command-line argument of the (second) instance. */
export function deepLinkFromArgv(argv: string[]): DeepLink | null {
  for (const arg of argv) {
    if (arg.startsWith(`${PROTOCOL}:`)) return parseDeepLink(arg)
  }
  return null
}
