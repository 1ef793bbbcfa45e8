/**
 * Serves the built renderer for the app:// scheme (see app-paths.ts), with the
 * CSP on every response. Only files under rendererDir are reachable.
 */
import { readFile, stat } from 'node:fs/promises'
import { extname, join, resolve, sep } from 'node:path'
import { APP_HOST } from './app-paths.js'
import { RENDERER_CSP } from './csp.js'

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8'
}

function headers (contentType: string): Headers {
  return new Headers({
    'Content-Type': contentType,
    'Content-Security-Policy': RENDERER_CSP,
    'X-Content-Type-Options': 'nosniff',
    'Cross-Origin-Opener-Policy': 'same-origin'
  })
}

function plain (status: number, text: string): Response {
  return new Response(text, { status, headers: headers('text/plain; charset=utf-8') })
}

/** Map a request URL to a file under rendererDir, or undefined when it points anywhere else. */
export function resolveRendererFile (rendererDir: string, requestUrl: string): string | undefined {
  let url: URL
  try { url = new URL(requestUrl) } catch { return undefined }
  if (url.host !== APP_HOST) return undefined
  let pathname: string
  try { pathname = decodeURIComponent(url.pathname) } catch { return undefined }
  if (pathname.includes('\0')) return undefined
  if (pathname === '/' || pathname === '') pathname = '/index.html'
  const root = resolve(rendererDir)
  const file = resolve(join(root, pathname))
  // URL parsing already folds "..", but encoded separators (%2F, %5C) survive it
  if (!file.startsWith(root + sep)) return undefined
  return file
}

export async function serveRenderer (request: Request, rendererDir: string): Promise<Response> {
  if (request.method !== 'GET' && request.method !== 'HEAD') return plain(405, 'method not allowed')
  const file = resolveRendererFile(rendererDir, request.url)
  if (file == null) return plain(404, 'not found')
  try {
    if (!(await stat(file)).isFile()) return plain(404, 'not found')
    const body = await readFile(file)
    const type = CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream'
    return new Response(request.method === 'HEAD' ? null : body, { status: 200, headers: headers(type) })
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return plain(404, 'not found')
    throw err
  }
}
