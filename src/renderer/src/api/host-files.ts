/**
 * How file bytes reach the node, which shares by path, and how fetched files
 * reach the person:
 * - Electron: the preload turns a dropped or picked File into its path on
 *   disk, and opens a fetched file or shows it in its folder (main resolves
 *   the file id to a path the node knows: the page never names a path);
 * - browser (UI served by `wgt daemon`): the page cannot know paths, so the
 *   file is uploaded to the daemon (POST /upload, bearer token) and shared
 *   from there; a received file is downloaded through GET /files/<id>/content,
 *   a compute job's result through GET /compute/<id>/result.
 */
import { WgtError, type ErrorCode } from '../../../shared/errors.js'
import type { ShellCommand } from '../../../shared/shell.js'

export interface HostFiles {
  readonly kind: 'electron' | 'browser'
  /** a path the node can read `file` from; in a browser this uploads it first */
  localPath: (file: File, onProgress: (sent: number) => void) => Promise<string>
  /** desktop: open a fetched file with its application */
  open: ((fileId: string) => Promise<void>) | null
  /** desktop: show a fetched file in its folder */
  reveal: ((fileId: string) => Promise<void>) | null
  /** browser: save a received file through the daemon */
  download: ((fileId: string, name: string) => Promise<void>) | null
  /**
   * browser: save a compute job's result through the daemon (GET
   * /compute/<id>/result). Electron has none: api.saveComputeResult writes
   * it to the download folder, on the same computer.
   */
  downloadComputeResult: ((jobId: string, name: string) => Promise<void>) | null
  /**
   * desktop: what the shell (tray, notifications, wgt:// links) asks the app
   * to show; subscribing answers the function that unsubscribes. A browser
   * has no shell: null.
   */
  shellCommands: ((listener: (cmd: ShellCommand) => void) => () => void) | null
}

/**
 * What Electron's preload exposes as window.wgtShell (it checks every command
 * with parseShellCommand before handing it on). Declared here, on the side
 * that uses it, as window.wgtFiles is.
 */
export interface ElectronShell {
  onCommand: (listener: (cmd: ShellCommand) => void) => () => void
}

function windowShell (): ElectronShell | null {
  const shell = (globalThis as { wgtShell?: ElectronShell }).wgtShell
  return typeof shell?.onCommand === 'function' ? shell : null
}

/** What Electron's preload exposes as window.wgtFiles. */
export interface ElectronFiles {
  /** '' for a File that is not on disk */
  getPathForFile: (file: File) => string
  open: (fileId: string) => Promise<void>
  reveal: (fileId: string) => Promise<void>
}

export function electronHost (files: ElectronFiles | null, shell: ElectronShell | null = windowShell()): HostFiles {
  return {
    kind: 'electron',
    localPath: async (file) => {
      const path = files?.getPathForFile(file) ?? ''
      if (path === '') throw new WgtError('INVALID_INPUT', `${file.name} is not a file on this computer's disk (drop it from a file manager)`)
      return path
    },
    open: files != null ? async (id) => { await files.open(id) } : null,
    reveal: files != null ? async (id) => { await files.reveal(id) } : null,
    download: null,
    downloadComputeResult: null,
    shellCommands: shell != null ? (listener) => shell.onCommand(listener) : null
  }
}

const STATUS_CODES: Record<number, ErrorCode> = { 400: 'INVALID_INPUT', 401: 'UNAUTHORIZED', 404: 'NOT_FOUND', 409: 'UNAVAILABLE', 413: 'QUOTA_EXCEEDED', 503: 'UNAVAILABLE', 507: 'QUOTA_EXCEEDED' }

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
    open: null,
    reveal: null,
    download: async (id, name) => { await saveFrom(`${origin}/files/${encodeURIComponent(id)}/content`, token, name) },
    downloadComputeResult: async (id, name) => { await saveFrom(`${origin}/compute/${encodeURIComponent(id)}/result`, token, name) },
    shellCommands: null
  }
}

/** Fetch `url` with the bearer token and hand its bytes to the browser as a download named `name`. */
async function saveFrom (url: string, token: string, name: string): Promise<void> {
  const res = await fetch(url, { headers: { Authorization: `Bearer ${token}` } })
    .catch(() => { throw httpError(0, '', `download of ${name} failed`) })
  if (!res.ok) throw httpError(res.status, await res.text(), `download of ${name} refused`)
  const blobUrl = URL.createObjectURL(await res.blob())
  try {
    const a = document.createElement('a')
    a.href = blobUrl
    a.download = name
    document.body.append(a)
    a.click()
    a.remove()
  } finally {
    // the browser reads the blob after the click returns; free it once it surely has
    setTimeout(() => { URL.revokeObjectURL(blobUrl) }, 60_000)
  }
}
