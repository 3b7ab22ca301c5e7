import type { AuthResultDto, UserDto } from '../../electron/shared/dto'

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
