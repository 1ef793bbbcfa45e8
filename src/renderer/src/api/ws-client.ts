/**
 * The browser's API when the UI is served by `wgt daemon`: the shared
 * WebSocket client (src/shared/api-client.ts, the same one `wgt` uses) on the
 * browser's WebSocket, authenticated with the token from the URL fragment
 * (never sent to the server, so it stays out of logs and Referer), and
 * reconnecting by itself: a daemon restart keeps its token, so an open tab
 * comes back without anyone touching it.
 */
import { createApiClientOverSocket, type ApiClient, type SocketLike } from '../../../shared/api-client.js'

export { apiUrlFor, tokenFromHash, type ConnectionState } from '../../../shared/api-client.js'

export function createWsClient (opts: { url: string, token: string, backoff?: (attempt: number) => number }): ApiClient {
  return createApiClientOverSocket({
    url: opts.url,
    token: opts.token,
    socket: url => new WebSocket(url) as unknown as SocketLike,
    reconnect: true,
    backoff: opts.backoff,
    client: tabId()
  })
}

/**
 * This tab's client id, kept across reloads (sessionStorage is per tab): work
 * a tab started survives its reconnecting, and is cancelled a grace period
 * after the tab is closed for good.
 */
function tabId (): string | undefined {
  try {
    const known = sessionStorage.getItem('wgt.client')
    if (known != null && /^[A-Za-z0-9_-]{8,64}$/.test(known)) return known
    const bytes = crypto.getRandomValues(new Uint8Array(16))
    const id = btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
    sessionStorage.setItem('wgt.client', id)
    return id
  } catch {
    return undefined // storage refused (privacy mode): then the tab's work ends with its connection
  }
}
