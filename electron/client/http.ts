import type { AuthResultDto, ConversationDto, MemberRole, MessageDto, MessageVersionDto, ReadReceiptDto, SearchPageDto, UploadedFileDto, UserDto } from '../shared/dto'
import type { SearchParams } from '../shared/messenger-api'
import { AppError, type ErrorCode, type ErrorInfo } from '../shared/result'

const unreachable = (error: unknown): AppError => new AppError('unavailable', `Cannot reach the server (${(error as Error).message}).`)

type Fetch = typeof fetch

/** A failed call throws an AppError: the server's error, or `unavailable` when it cannot be reached. */
async function request<T>(fetchImpl: Fetch, url: string, init: RequestInit): Promise<T> {
  let res: Response
  try {
    res = await fetchImpl(url, init)
  } catch (error) {
    throw unreachable(error)
  }
  const text = await res.text()
  if (!res.ok) {
    // An answer from something in between (a proxy's 502 page) carries no error of ours: judge by the status.
    const info = parseJson<{ error?: ErrorInfo }>(text)?.error ?? { code: codeOfStatus(res.status), message: `HTTP ${res.status}` }
    throw AppError.from(info)
  }
  return (text ? JSON.parse(text) : undefined) as T
}

function parseJson<T>(text: string): T | undefined {
  try {
    return text ? (JSON.parse(text) as T) : undefined
  } catch {
    return undefined
  }
}

const STATUS_CODES: Record<number, ErrorCode> = { 400: 'bad_request', 401: 'unauthorized', 403: 'forbidden', 404: 'not_found', 409: 'conflict', 413: 'payload_too_large', 429: 'rate_limited' }
const codeOfStatus = (status: number): ErrorCode => STATUS_CODES[status] ?? (status >= 500 ? 'unavailable' : 'bad_request')

/** A call with a JSON body, or with none when `body` is undefined (DELETE). */
const json = (method: string, body: unknown, token?: string): RequestInit => ({
  method,
  headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(token ? { authorization: `Bearer ${token}` } : {}) },
  ...(body === undefined ? {} : { body: JSON.stringify(body) }),
})

/** Sign in or create an account; no token needed. */
export const auth = {
  register: (baseUrl: string, body: { username: string; password: string; display_name?: string }, fetchImpl: Fetch = fetch) =>
    request<AuthResultDto>(fetchImpl, `${baseUrl}/api/auth/register`, json('POST', body)),
  login: (baseUrl: string, body: { username: string; password: string }, fetchImpl: Fetch = fetch) =>
    request<AuthResultDto>(fetchImpl, `${baseUrl}/api/auth/login`, json('POST', body)),
}

/** The REST API for a signed-in user. */
export class HttpApi {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
    private readonly fetchImpl: Fetch = (...args) => fetch(...args),
  ) {}

  private get<T>(path: string): Promise<T> {
    return request<T>(this.fetchImpl, this.baseUrl + path, { headers: { authorization: `Bearer ${this.token}` } })
  }

  private send<T>(method: string, path: string, body: unknown): Promise<T> {
    return request<T>(this.fetchImpl, this.baseUrl + path, json(method, body, this.token))
  }

  me = (): Promise<UserDto> => this.get('/api/me')
  searchUsers = (query: string): Promise<UserDto[]> => this.get(`/api/users?query=${encodeURIComponent(query)}`)
  conversations = (userId: number): Promise<ConversationDto[]> => this.get(`/api/conversations/${userId}`)
  startConversation = (me: number, other: number): Promise<ConversationDto> =>
    this.send('POST', '/api/conversations', { participant1_id: me, participant2_id: other })
  /** A page of history: the latest, the one before a message, or the one around a message. */
  messages = (conversationId: number, page: { before?: number | undefined; around?: number | undefined; limit?: number | undefined } = {}): Promise<MessageDto[]> => {
    const query = new URLSearchParams()
    if (page.before) query.set('before', String(page.before))
    if (page.around) query.set('around', String(page.around))
    if (page.limit) query.set('limit', String(page.limit))
    const qs = query.toString()
    return this.get(`/api/messages/${conversationId}${qs ? `?${qs}` : ''}`)
  }
  /** GET /api/search: messages the user may read that hold every term. */
  searchMessages = (search: SearchParams): Promise<SearchPageDto> => {
    const query = new URLSearchParams({ q: search.q })
    const fields: [string, string | number | boolean | undefined][] = [
      ['conversation_id', search.conversationId],
      ['sender_id', search.senderId],
      ['before', search.before],
      ['after', search.after],
      ['has_attachment', search.hasAttachment],
      ['order', search.order],
      ['limit', search.limit],
      ['cursor', search.cursor],
    ]
    for (const [name, value] of fields) if (value !== undefined) query.set(name, String(value))
    return this.get(`/api/search?${query.toString()}`)
  }
  markRead = (messageId: number): Promise<MessageDto> => this.send('PATCH', `/api/messages/${messageId}`, { is_read: true })
  /** Edits one of the user's messages; the same text again changes nothing (a retry is safe). */
  editMessage = (messageId: number, content: string): Promise<MessageDto> => this.send('PATCH', `/api/messages/${messageId}`, { content })
  /** Deletes a message for everyone; answers its tombstone, again if it was deleted already. */
  deleteMessage = (messageId: number): Promise<MessageDto> => this.send('DELETE', `/api/messages/${messageId}`, undefined)
  /** Adds (`on`) or takes back the user's reaction; either is a no-op when already so. */
  react = (messageId: number, emoji: string, on: boolean): Promise<MessageDto> =>
    this.send(on ? 'PUT' : 'DELETE', `/api/messages/${messageId}/reactions/${encodeURIComponent(emoji)}`, undefined)
  /** An edited message's earlier versions, oldest first. */
  versions = (messageId: number): Promise<MessageVersionDto[]> => this.get(`/api/messages/${messageId}/edits`)
  createGroup = (title: string, memberIds: number[]): Promise<ConversationDto> => this.send('POST', '/api/groups', { title, member_ids: memberIds })
  updateConversation = (conversationId: number, changes: { title?: string | undefined; muted?: boolean | undefined }): Promise<ConversationDto> =>
    this.send('PATCH', `/api/conversations/${conversationId}`, changes)
  addMembers = (conversationId: number, userIds: number[]): Promise<ConversationDto> => this.send('POST', `/api/conversations/${conversationId}/members`, { user_ids: userIds })
  removeMember = (conversationId: number, userId: number): Promise<ConversationDto> => this.send('DELETE', `/api/conversations/${conversationId}/members/${userId}`, undefined)
  setMemberRole = (conversationId: number, userId: number, role: MemberRole): Promise<ConversationDto> =>
    this.send('PATCH', `/api/conversations/${conversationId}/members/${userId}`, { role })
  reads = (messageId: number): Promise<ReadReceiptDto[]> => this.get(`/api/messages/${messageId}/reads`)

  async upload(file: Blob, name: string): Promise<UploadedFileDto> {
    const form = new FormData()
    form.append('file', file, name)
    return request<UploadedFileDto>(this.fetchImpl, `${this.baseUrl}/api/files`, { method: 'POST', headers: { authorization: `Bearer ${this.token}` }, body: form })
  }

  /** An attachment's bytes (the desktop app and the web client show them as blob: URLs). */
  async file(fileUrl: string): Promise<Blob> {
    let res: Response
    try {
      res = await this.fetchImpl(this.baseUrl + fileUrl, { headers: { authorization: `Bearer ${this.token}` } })
    } catch (error) {
      throw unreachable(error)
    }
    if (!res.ok) throw AppError.from(((await res.json()) as { error: ErrorInfo }).error)
    return res.blob()
  }
}
