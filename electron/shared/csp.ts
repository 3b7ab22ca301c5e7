// The one Content-Security-Policy of the inbox, wherever it is served: the desktop app's responses
// (its session and app://) and the server's (the web client and the API), always as a header, so
// index.html carries no second copy. Everything comes from the app itself; connect-src widens to the
// chat server the desktop app talks to.

/** The directives, for a server at `serverOrigin` (null: the page's own origin is the server). */
export function cspDirectives(serverOrigin: string | null = null): Record<string, string[]> {
  return {
    'default-src': ["'none'"],
    'script-src': ["'self'"],
    'style-src': ["'self'", "'unsafe-inline'"],
    'img-src': ["'self'", 'data:', 'blob:'],
    'font-src': ["'self'", 'data:'],
    'connect-src': ["'self'", ...(serverOrigin ? [serverOrigin, serverOrigin.replace(/^http/, 'ws')] : [])],
    'media-src': ["'self'", 'blob:'],
    'manifest-src': ["'self'"],
    'object-src': ["'none'"],
    'base-uri': ["'none'"],
    'form-action': ["'none'"],
    'frame-ancestors': ["'none'"],
  }
}

/** The policy as a header value, spelled as helmet spells the server's. */
export function rendererCsp(serverOrigin: string | null = null): string {
  return Object.entries(cspDirectives(serverOrigin))
    .map(([name, values]) => `${name} ${values.join(' ')}`)
    .join(';')
}
