/**
 * Whether `url` is a plain web address: http or https, with a host and no credentials. The only
 * kind the app opens in a browser or joins as a server (file:, javascript:, custom schemes and
 * `user:pw@` links are refused).
 */
export function isWebUrl(url: string): boolean {
  try {
    const u = new URL(url)
    return (u.protocol === 'https:' || u.protocol === 'http:') && u.username === '' && u.password === '' && u.hostname !== ''
  } catch {
    return false
  }
}
