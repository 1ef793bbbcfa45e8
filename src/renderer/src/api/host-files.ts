/**
 * How file bytes reach the node, which shares by path:
 * - Electron: the preload turns a dropped or picked File into its path on disk;
 * - browser (UI served by `wgt daemon`): the page cannot know paths, so the file is
 *   uploaded to the daemon (POST /upload, bearer token) and shared from there; a
 *   received file is downloaded through GET /files/<id>/content.
 */
import { WgtError, type ErrorCode } from '../../../shared/errors.js'
import type { FileEntry } from '../../../shared/types.js'

export interface HostFiles {
  readonly kind: 'electron' | 'browser'
  /** a path the node can read `file` from; in a browser this uploads it first */
  localPath: (file: File, onProgress: (sent: number) => void) => Promise<string>
  /** browser only: save a received file through the daemon; null where the file is already on this disk */
  download: ((entry: FileEntry) => Promise<void>) | null
}

export function electronHost (getPathForFile: (file: File) => string): HostFiles {
  return {
    kind: 'electron',
    localPath: async (file) => {
      const path = getPathForFile(file)
      if (path === '') throw new WgtError('INVALID_INPUT', `${file.name} is not a file on this computer's disk (drop it from a file manager)`)
      return path
    },
    download: null
  }
}

const STATUS_CODES: Record<number, ErrorCode> = { 400: 'INVALID_INPUT', 401: 'UNAUTHORIZED', 404: 'NOT_FOUND', 413: 'QUOTA_EXCEEDED', 503: 'UNAVAILABLE' }

function httpError (status: number, body: string, what: string): WgtError {
  const code = STATUS_CODES[status] ?? (status === 0 ? 'NOT_RUNNING' : 'INTERNAL')
  const detail = body.trim() !== '' ? body.trim() : status === 0 ? 'the daemon is not reachable' : `HTTP ${status}`
  return new WgtError(code, `${what}: ${detail}`)
}

export interface BrowserHostOptions {
  /** the daemon's origin, e.g. http://127.0.0.1:4100 */
  origin: string
  token: string
}

export function browserHost ({ origin, token }: BrowserHostOptions): HostFiles {
  return {
    kind: 'browser',
    // XMLHttpRequest rather than fetch: it reports upload progress
    localPath: async (file, onProgress) => await new Promise<string>((resolve, reject) => {
      const xhr = new XMLHttpRequest()
      xhr.open('POST', `${origin}/upload?name=${encodeURIComponent(file.name)}`)
      xhr.setRequestHeader('Authorization', `Bearer ${token}`)
      xhr.setRequestHeader('Content-Type', 'application/octet-stream')
      xhr.upload.onprogress = (ev) => { onProgress(ev.loaded) }
      xhr.onload = () => {
        if (xhr.status !== 201) { reject(httpError(xhr.status, xhr.responseText, `upload of ${file.name} refused`)); return }
        try {
          const { path } = JSON.parse(xhr.responseText) as { path?: unknown }
          if (typeof path !== 'string') throw new Error('no path')
          onProgress(file.size)
          resolve(path)
        } catch {
          reject(new WgtError('PROTOCOL', `upload of ${file.name}: malformed answer from the daemon`))
        }
      }
      xhr.onerror = () => { reject(httpError(0, '', `upload of ${file.name} failed`)) }
      xhr.send(file)
    }),
    download: async (entry) => {
      const res = await fetch(`${origin}/files/${encodeURIComponent(entry.id)}/content`, { headers: { Authorization: `Bearer ${token}` } })
        .catch(() => { throw httpError(0, '', `download of ${entry.name} failed`) })
      if (!res.ok) throw httpError(res.status, await res.text(), `download of ${entry.name} refused`)
      const url = URL.createObjectURL(await res.blob())
      try {
        const a = document.createElement('a')
        a.href = url
        a.download = entry.name
        document.body.append(a)
        a.click()
        a.remove()
      } finally {
        // the browser reads the blob after the click returns; free it once it surely has
        setTimeout(() => { URL.revokeObjectURL(url) }, 60_000)
      }
    }
  }
}
