/** Which users have at least one socket on this node. */
export class Presence {
  private sockets = new Map<number, number>()

  /** True when this is the user's first socket: they just came online. */
  connect(userId: number): boolean {
    const n = (this.sockets.get(userId) ?? 0) + 1
    this.sockets.set(userId, n)
    return n === 1
  }

  /** True when this was the user's last socket: they just went offline. */
  disconnect(userId: number): boolean {
    const n = (this.sockets.get(userId) ?? 1) - 1
    if (n <= 0) {
      this.sockets.delete(userId)
      return true
    }
    this.sockets.set(userId, n)
    return false
  }

  online(userIds: number[]): number[] {
    return userIds.filter((id) => this.sockets.has(id))
  }
}
