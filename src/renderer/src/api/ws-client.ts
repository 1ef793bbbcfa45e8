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
    backoff: opts.backoff
  })
}
