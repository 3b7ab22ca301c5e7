import type { AuthResultDto, ConversationDto, MessageDto, UserDto } from '../../electron/shared/dto'

export interface Answer<T = any> {
  status: number
  body: T
  headers: Headers
}

/** A tiny HTTP client for the REST API; `as` picks the token. */
export class Api {
  constructor(
    readonly url: string,
    readonly token?: string,
  ) {}

  as(token: string | undefined): Api {
    return new Api(this.url, token)
  }

  async request<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer<T>> {
    const init: RequestInit = { method, headers: { ...headers } }
    if (this.token) (init.headers as Record<string, string>).authorization = `Bearer ${this.token}`
    if (body !== undefined) {
      if (typeof body === 'string' || body instanceof FormData) init.body = body
      else {
        init.body = JSON.stringify(body)
        ;(init.headers as Record<string, string>)['content-type'] = 'application/json'
      }
    }
    const res = await fetch(this.url + path, init)
    const text = await res.text()
    let parsed: unknown = text
    try {
      parsed = text ? JSON.parse(text) : undefined
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, body: parsed as T, headers: res.headers }
  }

  get = <T = any>(path: string): Promise<Answer<T>> => this.request<T>('GET', path)
  post = <T = any>(path: string, body?: unknown): Promise<Answer<T>> => this.request<T>('POST', path, body)
  patch = <T = any>(path: string, body?: unknown): Promise<Answer<T>> => this.request<T>('PATCH', path, body)
}

export interface Person {
  user: UserDto
  token: string
  api: Api
}

let counter = 0
/** Registers a fresh user with a unique name. */
export async function person(url: string, name = 'user'): Promise<Person> {
  const username = `${name}${process.pid}x${++counter}`.slice(0, 32)
  const res = await new Api(url).post<AuthResultDto>('/api/auth/register', { username, password: 'correct horse battery', display_name: name })
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`)
  return { user: res.body.user, token: res.body.token, api: new Api(url, res.body.token) }
}

/** Two people and their one-to-one conversation. */
export async function pair(url: string): Promise<{ ada: Person; bob: Person; conversationId: number }> {
  const ada = await person(url, 'ada')
  const bob = await person(url, 'bob')
  const res = await ada.api.post('/api/conversations', { participant1_id: ada.user.user_id, participant2_id: bob.user.user_id })
  if (res.status !== 201) throw new Error(`conversation failed: ${res.status}`)
  return { ada, bob, conversationId: res.body.conversation_id }
}

/** The few steps every server test writes a chat with, on the server at `url`; each checks its answer. */
export function chatOn(url: string) {
  const uid = (p: Person): number => p.user.user_id
  const expectStatus = (res: Answer, ok: number[]): void => {
    if (!ok.includes(res.status)) throw new Error(`expected ${ok.join(' or ')}, got ${res.status}: ${JSON.stringify(res.body)}`)
  }
  return {
    /** Registers people one after another (ids ascending in the order named). */
    async people<N extends string[]>(...names: N): Promise<{ [K in keyof N]: Person }> {
      const made: Person[] = []
      for (const name of names) made.push(await person(url, name))
      return made as { [K in keyof N]: Person }
    },
    async direct(a: Person, b: Person): Promise<number> {
      const res = await a.api.post<ConversationDto>('/api/conversations', { participant1_id: uid(a), participant2_id: uid(b) })
      expectStatus(res, [200, 201])
      return res.body.conversation_id
    },
    async group(owner: Person, members: Person[], title = 'Team'): Promise<number> {
      const res = await owner.api.post<ConversationDto>('/api/groups', { title, member_ids: members.map(uid) })
      expectStatus(res, [201])
      return res.body.conversation_id
    },
    async say(who: Person, conversationId: number, content: string, extra: Record<string, unknown> = {}): Promise<MessageDto> {
      const res = await who.api.post<MessageDto>(`/api/messages/${conversationId}`, { content, sender_id: uid(who), ...extra })
      expectStatus(res, [201])
      return res.body
    },
  }
}
