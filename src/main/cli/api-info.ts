/**
 * DATA/api.json as a client reads it: where a running daemon's API is and the
 * token it takes. Only node:fs and node:path, which Node has loaded anyway:
 * this is on the start-up path of every client command (node:fs/promises
 * alone costs ~5 ms of its budget here).
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { WgtError } from '../../shared/errors.js'

export interface ApiInfo {
  peerId: string
  multiaddrs: string[]
  /** http://127.0.0.1:PORT; the WebSocket API is at ws://…/api */
  apiUrl: string
  token: string
  pid: number
}

export const API_FILE = 'api.json'
/** the access token, kept across restarts so an open UI reconnects by itself; `wgt token rotate` replaces it */
export const TOKEN_FILE = 'api-token'

export function apiFilePath (dataDir: string): string {
  return join(dataDir, API_FILE)
}

export function isAlive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    // EPERM: the process exists but belongs to someone else
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

function startHint (dataDir: string): string {
  return `start it with: wgt daemon --data-dir ${dataDir}`
}

/** Read api.json for a client; NOT_RUNNING (with the command that starts one) when there is no live daemon. */
export async function readApiInfo (dataDir: string): Promise<ApiInfo> {
  const path = apiFilePath(dataDir)
  let text: string
  try {
    // synchronous: the file is tiny, and the first asynchronous read would start libuv's thread pool (~1 ms)
    text = readFileSync(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new WgtError('NOT_RUNNING', `daemon not running (no ${path}); ${startHint(dataDir)}`)
    }
    throw new WgtError('NOT_RUNNING', `cannot read ${path}: ${(err as Error).message}`)
  }
  let info: Partial<ApiInfo>
  try {
    info = JSON.parse(text)
  } catch {
    throw new WgtError('PROTOCOL', `${path} is not valid JSON`)
  }
  if (typeof info.apiUrl !== 'string' || typeof info.token !== 'string' || typeof info.pid !== 'number' ||
    typeof info.peerId !== 'string' || !Array.isArray(info.multiaddrs)) {
    throw new WgtError('PROTOCOL', `${path} lacks peerId, multiaddrs, apiUrl, token or pid`)
  }
  if (!isAlive(info.pid)) {
    throw new WgtError('NOT_RUNNING', `daemon not running (stale ${path}: pid ${info.pid} is gone); ${startHint(dataDir)}`)
  }
  return info as ApiInfo
}

