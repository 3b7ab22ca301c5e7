import { describe, expect, it } from 'vitest'
import { defineComponent, h, isReadonly, nextTick } from 'vue'
import { mount } from '@vue/test-utils'
import { useSocket, type UseSocket } from '../src/inbox/use-socket'
import { ada, bob, fakeMessenger, flush, message } from './fake-messenger'

describe('useSocket()', () => {
  it('has the seed’s methods and reactive state', () => {
    const socket = useSocket(fakeMessenger().api)
    for (const method of ['initSocket', 'sendMessage', 'joinConversation', 'leaveConversation', 'markAsRead', 'disconnect'] as const) expect(typeof socket[method]).toBe('function')
    expect(socket.isConnected.value).toBe(false)
    expect(socket.messages.value).toEqual([])
    expect(isReadonly(socket.messages)).toBe(true)
  })

  it('follows the connection, and collects messages of joined conversations only, once each, in order', async () => {
    const fake = fakeMessenger()
    const socket = useSocket(fake.api)
    await socket.initSocket()
    expect(socket.isConnected.value).toBe(true)
    fake.emit('status', { state: 'offline', pending: 0, failed: 0 })
    expect(socket.isConnected.value).toBe(false)
    await socket.joinConversation(1)
    expect(fake.api.joinConversation).toHaveBeenCalledWith(1)
    const second = message({ conversation_id: 1, sender: bob, message_id: 11 })
    fake.emit('new_message', second)
    fake.emit('new_message', message({ conversation_id: 2, sender: bob, message_id: 12 }))
    fake.emit('new_message', message({ conversation_id: 1, sender: bob, message_id: 10 }))
    fake.emit('new_message', second)
    expect(socket.messages.value.map((m) => m.message_id)).toEqual([10, 11])
    fake.emit('message_read', { ...second, is_read: true, reader_id: 1 })
    expect(socket.messages.value.every((m) => m.is_read)).toBe(true)
  })

  it('sends, marks read and leaves through the MessengerApi', async () => {
    const fake = fakeMessenger()
    const socket = useSocket(fake.api)
    await socket.sendMessage(1, 'hello')
    expect(fake.api.sendMessage).toHaveBeenCalledWith(1, 'hello')
    await socket.markAsRead(10, 1)
    expect(fake.api.markAsRead).toHaveBeenCalledWith(10, 1)
    await socket.joinConversation(1)
    await socket.leaveConversation(1)
    expect(fake.api.leaveConversation).toHaveBeenCalledWith(1)
  })

  it('leaves what it joined and stops listening when its component unmounts', async () => {
    const fake = fakeMessenger()
    let socket!: UseSocket
    const wrapper = mount(defineComponent({ setup: () => ((socket = useSocket(fake.api)), () => h('div')) }))
    await socket.initSocket()
    await socket.joinConversation(4)
    await socket.joinConversation(5)
    expect(fake.listenerCount('new_message')).toBe(1)
    wrapper.unmount()
    await flush()
    await nextTick()
    expect((fake.api.leaveConversation.mock.calls as unknown as number[][]).map((c) => c[0]).sort()).toEqual([4, 5])
    expect(fake.listenerCount('new_message')).toBe(0)
    expect(socket.isConnected.value).toBe(false)
    void ada
  })
})
