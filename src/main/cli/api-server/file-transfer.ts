/**
 * HTTP routes that move file bytes between a browser and the daemon, for the UI
 * served over HTTP (a browser cannot hand the daemon a local path):
 *
 *   POST /upload?name=<file name>   body streamed to DATA/uploads/<random>/<name>;
 *                                   answers {"path"} for a following api.shareFile(path),
 *                                   whose operation removes the upload when it ends
 *   GET  /files/<id>/content        a received file, as an attachment
 *   GET  /compute/<id>/result       a done compute job's result, as an attachment
 *
 * Both need `Authorization: Bearer <token>`, which a page from another origin cannot
 * send without a CORS preflight this server never grants. An upload lives until the
 * share that names it ends (whatever its outcome), until UPLOAD_TTL_MS passes without
 * one, or until the daemon stops; leftovers of a crashed daemon go at the next start.
 */
import { randomBytes } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdir, rm, stat, statfs } from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { basename, dirname, join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import type { NodeApi, OperationRef, WgtMethodName } from '../../../shared/api/index.js'
import { WgtError } from '../../../shared/errors.js'
import { sanitizeName } from '../../node/files/names.js'
import { sendText } from './http-headers.js'
import type { TokenCheck } from './token.js'

export const UPLOAD_PATH = '/upload'
export const CONTENT_PATH = /^\/files\/(b[a-z2-7]{20,120})\/content$/
/** a job id is an operation id (opaqueIdSchema) */
export const COMPUTE_RESULT_PATH = /^\/compute\/([A-Za-z0-9_-]{1,64})\/result$/
/** an upload nobody shares within this time is deleted */
export const UPLOAD_TTL_MS = 15 * 60_000
/**
 * The file name part of what a browser reports, made safe as one path component
 * by the node's one file-name sanitiser (separators, control, reserved and
 * reordering characters, device names, length), never `.` or `..`.
 */
export function sanitizeFileName (raw: string): string {
  return sanitizeName(raw.split(/[/\\]/).pop() ?? '', { fallback: 'upload' })
}

/** `attachment` with an ASCII fallback and the exact UTF-8 name (RFC 6266 / RFC 5987). */
export function contentDisposition (name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_')
  const encoded = encodeURIComponent(name).replace(/['()*]/g, c => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`
}

export interface FileTransferOptions {
  api: NodeApi
  token: TokenCheck
  /** DATA/uploads: owned by this class, emptied at start and stop */
  uploadDir: string
  uploadTtlMs?: number
}

export class FileTransfer {
  private readonly uploads = new Map<string, NodeJS.Timeout>()
  private readonly ttlMs: number
  private stopped = false

  constructor (private readonly options: FileTransferOptions) {
    this.ttlMs = options.uploadTtlMs ?? UPLOAD_TTL_MS
  }

  async start (): Promise<void> {
    await rm(this.options.uploadDir, { recursive: true, force: true })
    await mkdir(this.options.uploadDir, { recursive: true, mode: 0o700 })
  }

  async stop (): Promise<void> {
    this.stopped = true
    for (const timer of this.uploads.values()) clearTimeout(timer)
    this.uploads.clear()
    await rm(this.options.uploadDir, { recursive: true, force: true })
  }

  /** Uploads in the directory now (for tests and diagnostics). */
  pendingUploads (): number {
    return this.uploads.size
  }

  /**
   * A session started an operation: a share of an upload, or a compute job
   * reading uploads (a module, its input, matrices), deletes them when it
   * ends, whatever the outcome.
   */
  onStarted (method: WgtMethodName, args: unknown[], ref: OperationRef): void {
    const dirs = uploadPaths(method, args).map(p => this.uploadOf(p)).filter((d): d is string => d != null)
    if (dirs.length === 0) return
    for (const dir of dirs) clearTimeout(this.uploads.get(dir))
    void this.options.api.waitOperation(ref.operation).catch(() => {}).finally(() => {
      for (const dir of dirs) void this.discard(dir)
    })
  }

  private uploadOf (path: string): string | null {
    const dir = dirname(path)
    return dirname(dir) === this.options.uploadDir && this.uploads.has(dir) ? dir : null
  }

  private async discard (dir: string): Promise<void> {
    clearTimeout(this.uploads.get(dir))
    this.uploads.delete(dir)
    await rm(dir, { recursive: true, force: true })
  }

  private authorized (req: IncomingMessage, res: ServerResponse): boolean {
    if (this.options.token.matchesBearer(req.headers.authorization)) return true
    res.setHeader('WWW-Authenticate', 'Bearer realm="wgt"')
    sendText(res, 401, 'unauthorized: send Authorization: Bearer <token>\n')
    return false
  }

  /** Bytes an upload may have: the room left in the storage quota, and on the disk holding the uploads. */
  async uploadLimit (): Promise<number> {
    const storage = await this.options.api.getStorage()
    const fs = await statfs(this.options.uploadDir)
    return Math.max(0, Math.min(storage.quota - storage.used, fs.bavail * fs.bsize))
  }

  async handleUpload (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST')
      sendText(res, 405, 'method not allowed: POST the file\'s bytes\n')
      return
    }
    if (!this.authorized(req, res)) return
    if (this.stopped) { sendText(res, 503, 'the daemon is stopping\n'); return }
    const rawName = url.searchParams.get('name')
    if (rawName == null || rawName === '') { sendText(res, 400, 'missing ?name=<file name>\n'); return }
    const name = sanitizeFileName(rawName)

    const limit = await this.uploadLimit()
    const declared = req.headers['content-length'] != null ? Number(req.headers['content-length']) : null
    if (declared != null && declared > limit) {
      refuseTooLarge(res, limit)
      return
    }

    const dir = join(this.options.uploadDir, randomBytes(12).toString('hex'))
    await mkdir(dir, { mode: 0o700 })
    const path = join(dir, name)
    let received = 0
    // the request is read without being destroyed on overflow, so the 413 can still be sent
    async function * limited (): AsyncGenerator<Buffer> {
      for await (const chunk of req.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
        received += chunk.length
        if (received > limit) throw new WgtError('QUOTA_EXCEEDED', 'upload exceeds the limit')
        yield chunk
      }
    }
    try {
      await pipeline(limited, createWriteStream(path, { flags: 'wx', mode: 0o600 }))
    } catch (err) {
      await rm(dir, { recursive: true, force: true })
      if (WgtError.from(err).code === 'QUOTA_EXCEEDED') refuseTooLarge(res, limit)
      else res.destroy()
      return
    }
    if (this.stopped) {
      await rm(dir, { recursive: true, force: true })
      sendText(res, 503, 'the daemon is stopping\n')
      return
    }
    const timer = setTimeout(() => { void this.discard(dir) }, this.ttlMs)
    timer.unref()
    this.uploads.set(dir, timer)
    sendText(res, 201, JSON.stringify({ path, name, size: received }), 'application/json; charset=utf-8')
  }

  async handleContent (req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD')
      sendText(res, 405, 'method not allowed\n')
      return
    }
    if (!this.authorized(req, res)) return
    const entry = (await this.options.api.listFiles()).find(f => f.id === id && f.direction === 'received')
    if (entry?.path == null) { sendText(res, 404, `no received file ${id}\n`); return }
    const info = await stat(entry.path).catch(() => null)
    if (info == null || !info.isFile()) { sendText(res, 404, `received file ${id} is no longer at ${entry.path}\n`); return }
    res.statusCode = 200
    res.setHeader('Content-Type', 'application/octet-stream')
    res.setHeader('Content-Length', info.size)
    res.setHeader('Content-Disposition', contentDisposition(entry.name !== '' ? entry.name : basename(entry.path)))
    res.setHeader('Cache-Control', 'no-store')
    if (req.method === 'HEAD') { res.end(); return }
    await pipeline(createReadStream(entry.path), res).catch(() => { res.destroy() })
  }

  /**
   * A done job's result. The node hands results out only by writing them
   * (saveComputeResult, which checks the job and its SHA-256), so it writes
   * one into a fresh directory beside the uploads, which is streamed and
   * removed: the node's own copy is never exposed by path, and what the
   * browser gets is what `wgt compute result` would write.
   */
  async handleComputeResult (req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD')
      sendText(res, 405, 'method not allowed\n')
      return
    }
    if (!this.authorized(req, res)) return
    if (this.stopped) { sendText(res, 503, 'the daemon is stopping\n'); return }
    const job = await this.options.api.getComputeJob(id).catch((err: unknown) => WgtError.from(err))
    if (job instanceof WgtError) { sendText(res, statusOf(job), `${job.message}\n`); return }
    if (job.state !== 'done' || job.result == null) { sendText(res, 409, `job ${id} has no result: it is ${job.state}\n`); return }
    const name = `compute-${id}.${job.kernel === 'matmul' ? 'wgtm' : 'out'}`
    res.setHeader('Content-Type', 'application/octet-stream')
    res.setHeader('Content-Disposition', contentDisposition(name))
    res.setHeader('Cache-Control', 'no-store')
    if (req.method === 'HEAD') {
      res.statusCode = 200
      res.setHeader('Content-Length', job.result.bytes)
      res.end()
      return
    }
    const dir = join(this.options.uploadDir, `result-${randomBytes(12).toString('hex')}`)
    try {
      await mkdir(dir, { mode: 0o700 })
      const saved = await this.options.api.saveComputeResult(id, join(dir, name)).catch((err: unknown) => WgtError.from(err))
      if (saved instanceof WgtError) {
        res.removeHeader('Content-Disposition')
        sendText(res, statusOf(saved), `${saved.message}\n`)
        return
      }
      res.statusCode = 200
      res.setHeader('Content-Length', saved.bytes)
      res.setHeader('X-Content-SHA256', saved.sha256)
      await pipeline(createReadStream(saved.path), res).catch(() => { res.destroy() })
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  }
}

/** An HTTP status for a node error, which the browser's host-files.ts turns back into its code. */
function statusOf (err: WgtError): number {
  switch (err.code) {
    case 'NOT_FOUND': return 404
    case 'INVALID_INPUT': return 400
    case 'UNAVAILABLE': return 409
    case 'QUOTA_EXCEEDED': return 507
    default: return 500
  }
}

/** The local paths an operation-starting call reads, which may be browser uploads. */
function uploadPaths (method: WgtMethodName, args: unknown[]): string[] {
  if (method === 'shareFile') return typeof args[0] === 'string' ? [args[0]] : []
  if (method !== 'submitCompute' || typeof args[0] !== 'object' || args[0] == null) return []
  const job = args[0] as Record<string, unknown>
  return ['module', 'input', 'a', 'b'].map(k => job[k]).filter((p): p is string => typeof p === 'string')
}

function refuseTooLarge (res: ServerResponse, limit: number): void {
  // the rest of the body is not wanted: close the connection rather than read it
  res.setHeader('Connection', 'close')
  sendText(res, 413, `upload too large: this node can take at most ${limit} bytes now (storage quota and free disk)\n`)
  res.once('finish', () => { res.req.socket.destroySoon() })
}
