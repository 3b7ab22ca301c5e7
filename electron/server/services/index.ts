import path from 'node:path'
import type { ServerConfig } from '../config'
import type { TokenService } from '../auth/tokens'
import type { Db, Tx } from '../db/client'
import type { DatabasePorts } from '../db/ports'
import { InflightWrites } from '../lifecycle/inflight'
import { AccountService } from './accounts'
import { MessageActionService } from './actions'
import { ChangeFeedService } from './changes'
import { ConversationService } from './conversations'
import { FileService } from './files'
import { GroupService } from './groups'
import { MessageService } from './messages'
import type { RateLimiters } from './rate-limits'
import { SearchService } from './search'
import { ChatEvents } from './types'

/** The one service layer that both the HTTP routes and the socket handlers call. */
export interface Services {
  accounts: AccountService
  conversations: ConversationService
  messages: MessageService
  actions: MessageActionService
  changes: ChangeFeedService
  groups: GroupService
  search: SearchService
  files: FileService
  events: ChatEvents
  writes: InflightWrites
}

export function createServices(
  deps: DatabasePorts & { db: Db; config: ServerConfig; tokens: TokenService; limits: RateLimiters; snapshot?: <T>(work: (tx: Tx) => Promise<T>) => Promise<T> },
): Services {
  const events = new ChatEvents()
  const writes = new InflightWrites()
  const conversations = new ConversationService(deps.db, deps.inbox)
  const files = new FileService(deps.db, deps.config.filesDir ?? path.join(deps.config.dataDir, 'files'))
  const messages = new MessageService(deps.db, conversations, files, events, deps.limits, writes, deps.writer, deps.inbox)
  return {
    accounts: new AccountService(deps.db, deps.tokens, deps.limits),
    conversations,
    messages,
    actions: new MessageActionService(deps.db, conversations, files, events, deps.limits, writes, deps.writer, deps.config.editWindowMs),
    changes: new ChangeFeedService(deps.db, conversations, deps.snapshot ?? ((work) => deps.db.$transaction(work))),
    groups: new GroupService(deps.db, conversations, messages, events, deps.limits),
    search: new SearchService(deps.db, conversations, deps.config.searchIndex ? deps.search : null, deps.limits),
    files,
    events,
    writes,
  }
}
