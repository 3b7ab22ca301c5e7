// A page with only the chat view's MessageList, fed N synthetic messages (?n=), for measuring how the
// virtualized list behaves with long histories.
import ui from '@nuxt/ui/vue-plugin'
import UApp from '@nuxt/ui/components/App.vue'
import { createApp, h, markRaw } from 'vue'
import type { ChatItem } from '../../../renderer/src/inbox/inbox'
import MessageList from '../../../renderer/src/inbox/MessageList.vue'
import '../../../renderer/src/main.css'

const n = Number(new URLSearchParams(location.search).get('n') ?? 1000)
const start = Date.UTC(2026, 0, 1)
const ada = { user_id: 1, username: 'ada', display_name: 'Ada' }
const bob = { user_id: 2, username: 'bob', display_name: 'Bob' }
const items: ChatItem[] = markRaw(
  Array.from({ length: n }, (_, i): ChatItem => {
    const mine = i % 3 === 0
    return {
      kind: 'message',
      key: `m${i + 1}`,
      mine,
      actions: [],
      message: {
        message_id: i + 1,
        conversation_id: 1,
        sender_id: mine ? 1 : 2,
        sender: mine ? ada : bob,
        content: i % 7 === 0 ? `message ${i + 1}: a longer one that wraps over more than one line in a narrow column, as real chats do` : `message ${i + 1}`,
        created_at: new Date(start + i * 137_000).toISOString(),
        is_read: true,
        client_id: null,
        attachments: [],
        system: null,
        reply_to: null,
        edited_at: null,
        deleted_at: null,
        reactions: [],
      },
    }
  }),
)

createApp({
  render: () => h(UApp, null, { default: () => h('div', { style: 'height:100vh;display:flex;flex-direction:column' }, [h(MessageList, { items, hasOlder: false, loadingOlder: false, label: 'Messages' })]) }),
})
  .use(ui)
  .mount('#app')
;(window as unknown as { __ready: boolean }).__ready = true
