/**
 * DATA/api.json tells client commands (and other tools) where a running daemon's
 * API is and the token it takes; DATA/daemon.lock keeps a second daemon off the
 * same data directory. Both hold the daemon's pid so a crashed daemon's leftovers
 * are recognised as stale instead of blocking the next start forever.
 */
import { randomBytes } from 'node:crypto'
import { open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
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
export const LOCK_FILE = 'daemon.lock'

export function apiFilePath (dataDir: string): string {
  return join(dataDir, API_FILE)
}

/** Write api.json so that no reader ever sees it half-written or with loose permissions. */
export async function writeApiInfo (dataDir: string, info: ApiInfo): Promise<void> {
  const final = apiFilePath(dataDir)
  const tmp = `${final}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`
  try {
    // mode applies at creation, before the token is in the file
    await writeFile(tmp, JSON.stringify(info, null, 2) + '\n', { mode: 0o600, flag: 'wx' })
    await rename(tmp, final)
  } catch (err) {
    await rm(tmp, { force: true })
    throw err
  }
}

export async function removeApiInfo (dataDir: string): Promise<void> {
  await rm(apiFilePath(dataDir), { force: true })
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
    text = await readFile(path, 'utf8')
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

export interface DaemonLock { release: () => Promise<void> }

/**
 * Take the data directory for this process. O_EXCL creation is atomic, so of two
 * daemons starting at once exactly one wins; a lock left by a dead pid is taken over.
 */
export async function acquireLock (dataDir: string): Promise<DaemonLock> {
  const path = join(dataDir, LOCK_FILE)
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(path, 'wx', 0o600)
      try {
        await handle.writeFile(`${process.pid}\n`)
      } finally {
        await handle.close()
      }
      let released = false
      return {
        release: async () => {
          if (released) return
          released = true
          await rm(path, { force: true })
        }
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    }
    const holder = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10)
    if (Number.isSafeInteger(holder) && holder > 0) {
      if (holder !== process.pid && isAlive(holder)) {
        throw new WgtError('UNAVAILABLE', `another daemon (pid ${holder}) is already running on ${dataDir}`)
      }
    } else {
      // No pid yet: a daemon may be between creating the file and writing it. Only a
      // file that stayed empty for a while is an abandoned one.
      const info = await stat(path).catch(() => null)
      if (info != null && Date.now() - info.mtimeMs < 10_000) throw new WgtError('UNAVAILABLE', `another daemon is starting on ${dataDir}`)
    }
    // The holder is gone (crash, SIGKILL) or the file was abandoned: take it over.
    await rm(path, { force: true })
  }
  throw new WgtError('UNAVAILABLE', `could not lock ${path}: another daemon keeps taking it`)
}
