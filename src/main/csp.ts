/**
 * The renderer's Content-Security-Policy. Scripts only from our own origin (no
 * inline, no eval), nothing framed, nothing posted, no network from the page:
 * the renderer reaches the node only through the preload bridge.
 * blob:/mediastream: media are for calls (WebRTC media flows renderer to renderer).
 */
const BASE: Record<string, string[]> = {
  'default-src': ["'none'"],
  'script-src': ["'self'"],
  // recharts writes inline style attributes; styles cannot run code, so this is the one relaxation
  'style-src': ["'self'", "'unsafe-inline'"],
  'img-src': ["'self'", 'data:', 'blob:'],
  'font-src': ["'self'", 'data:'],
  'connect-src': ["'self'"],
  'media-src': ["'self'", 'blob:', 'mediastream:'],
  'worker-src': ["'self'", 'blob:'],
  'manifest-src': ["'self'"],
  'base-uri': ["'none'"],
  'form-action': ["'none'"],
  'frame-ancestors': ["'none'"],
  'frame-src': ["'none'"],
  'object-src': ["'none'"]
}

function serialize (policy: Record<string, string[]>): string {
  return Object.entries(policy).map(([k, v]) => `${k} ${v.join(' ')}`).join('; ')
}

/** The production policy, served with every app:// response. */
export const RENDERER_CSP = serialize(BASE)

/**
 * Vite's dev server injects an inline script (the React Fast Refresh preamble)
 * and talks HMR over a WebSocket to its own origin.
 */
export function devRendererCsp (devOrigin: string): string {
  const ws = devOrigin.replace(/^http/, 'ws')
  return serialize({
    ...BASE,
    'script-src': ["'self'", "'unsafe-inline'"],
    'connect-src': ["'self'", ws]
  })
}
