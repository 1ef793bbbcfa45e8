/** Headers on every HTTP response the daemon sends. */
import type { ServerResponse } from 'node:http'

// The UI is our own bundle: nothing inline but styles (recharts and React set style
// attributes), no third-party origins, WebSocket only back to the daemon that served
// the page ('self' covers ws:// to the same host and port in CSP 3), wherever it binds.
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'"
].join('; ')

export function setSecurityHeaders (res: ServerResponse): void {
  res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY)
  res.setHeader('X-Content-Type-Options', 'nosniff')
  res.setHeader('X-Frame-Options', 'DENY')
  // The token travels in the URL fragment; no-referrer keeps even the path from leaking.
  res.setHeader('Referrer-Policy', 'no-referrer')
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin')
}

export function sendText (res: ServerResponse, status: number, body: string, contentType = 'text/plain; charset=utf-8'): void {
  res.statusCode = status
  res.setHeader('Content-Type', contentType)
  res.setHeader('Content-Length', Buffer.byteLength(body))
  res.setHeader('Cache-Control', 'no-store')
  res.end(res.req.method === 'HEAD' ? undefined : body)
}
