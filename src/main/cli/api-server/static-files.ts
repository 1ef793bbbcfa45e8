/**
 * Serves the built renderer (out/renderer). Only files that resolve, after
 * following symlinks, to a regular file inside the root are served; everything
 * else is a 404, so no encoding of `..` can reach the rest of the disk.
 */
import { createReadStream } from 'node:fs'
import { realpath, stat } from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { extname, join, resolve, sep } from 'node:path'
import { sendText } from './http-headers.js'

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8'
}

const NOT_BUILT_PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>WGT: UI not built</title></head>
<body><h1>The WGT user interface has not been built</h1>
<p>This daemon serves the UI from <code>out/renderer</code>, which does not exist yet.
Run <code>npm run build</code> in the WGT directory and reload this page.
The API at <code>/api</code> works without it.</p></body></html>
`

export function contentTypeFor (path: string): string {
  return CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream'
}

/** Map a request path to a file under root, or null when it names nothing servable. */
export async function resolveStaticPath (root: string, urlPath: string): Promise<string | null> {
  let decoded: string
  try {
    decoded = decodeURIComponent(urlPath)
  } catch {
    return null
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null
  const relative = decoded === '/' || decoded === '' ? 'index.html' : decoded.replace(/^\/+/, '')
  const realRoot = await realpath(root)
  const candidate = resolve(realRoot, relative)
  if (!isInside(realRoot, candidate)) return null
  let real: string
  try {
    real = await realpath(candidate)
  } catch {
    return null
  }
  if (!isInside(realRoot, real)) return null
  const info = await stat(real)
  return info.isFile() ? real : null
}

function isInside (root: string, path: string): boolean {
  return path.startsWith(root.endsWith(sep) ? root : root + sep)
}

export async function serveStatic (root: string, urlPath: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const built = await stat(join(root, 'index.html')).then(s => s.isFile(), () => false)
  if (!built) {
    sendText(res, 503, NOT_BUILT_PAGE, 'text/html; charset=utf-8')
    return
  }
  const file = await resolveStaticPath(root, urlPath)
  if (file == null) {
    sendText(res, 404, 'not found\n')
    return
  }
  const info = await stat(file)
  res.statusCode = 200
  res.setHeader('Content-Type', contentTypeFor(file))
  res.setHeader('Content-Length', info.size)
  // The bundle changes whenever the app is rebuilt; revalidation is cheap on loopback.
  res.setHeader('Cache-Control', 'no-cache')
  if (req.method === 'HEAD') {
    res.end()
    return
  }
  const stream = createReadStream(file)
  stream.on('error', () => { res.destroy() })
  stream.pipe(res)
}
