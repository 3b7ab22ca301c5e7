// The Socket.IO ceiling: the same events as Switchboard on loopback, with no database, no auth and no
// validation. send_message is acked and broadcast to the conversation's room at once.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Server } from 'socket.io'

const http = createServer()
const io = new Server(http, { serveClient: false })
let nextId = 1

io.on('connection', (socket) => {
  socket.on('join_conversation', (payload: { conversation_id: number }, ack: (r: unknown) => void) => {
    void socket.join(`conversation:${payload.conversation_id}`)
    ack({ ok: true })
  })
  socket.on('send_message', (payload: { conversation_id: number; content: string; sender_id: number }, ack: (r: unknown) => void) => {
    const message = { message_id: nextId++, created_at: new Date().toISOString(), ...payload }
    ack({ ok: true, message })
    io.to(`conversation:${payload.conversation_id}`).emit('new_message', message)
  })
})

http.listen(0, '127.0.0.1', () => {
  console.log(`raw Socket.IO server listening on http://127.0.0.1:${(http.address() as AddressInfo).port}`)
})
process.on('SIGTERM', () => {
  io.close()
  process.exit(0)
})
