/**
 * What the daemon writes into its data directory: DATA/api.json (where its API
 * is and the token it takes; read by clients through api-info.ts), the token
 * itself in DATA/api-token, and DATA/daemon.lock, which keeps a second daemon
 * off the same data directory. api.json and the lock hold the daemon's pid so
 * a crashed daemon's leftovers are recognised as stale instead of blocking
 * the next start forever.
 */
import { randomBytes } from 'node:crypto'
import { open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { WgtError } from '../../shared/errors.js'
import { apiFilePath, isAlive, TOKEN_FILE, type ApiInfo } from './api-info.js'

export { API_FILE, apiFilePath, isAlive, readApiInfo, TOKEN_FILE, type ApiInfo } from './api-info.js'
export const LOCK_FILE = 'daemon.lock'

/** Write a secret file so that no reader ever sees it half-written or with loose permissions. */
async function writePrivate (final: string, text: string): Promise<void> {
  const tmp = `${final}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`
  try {
    // mode applies at creation, before the secret is in the file
    await writeFile(tmp, text, { mode: 0o600, flag: 'wx' })
    await rename(tmp, final)
  } catch (err) {
    await rm(tmp, { force: true })
    throw err
  }
}

export async function writeApiInfo (dataDir: string, info: ApiInfo): Promise<void> {
  await writePrivate(apiFilePath(dataDir), JSON.stringify(info, null, 2) + '\n')
}

/** 32 random bytes, base64url. */
export function newToken (): string {
  return randomBytes(32).toString('base64url')
}

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/

/** The token in DATA/api-token, or a new one written there (also when the file holds anything else). */
export async function loadOrCreateToken (dataDir: string): Promise<string> {
  return await readTokenFile(dataDir).catch(async () => await rotateTokenFile(dataDir))
}

/** The token in DATA/api-token; UNAVAILABLE when the file is missing or holds anything else. */
export async function readTokenFile (dataDir: string): Promise<string> {
  const path = join(dataDir, TOKEN_FILE)
  const token = (await readFile(path, 'utf8').catch(() => '')).trim()
  if (!TOKEN_SHAPE.test(token)) throw new WgtError('UNAVAILABLE', `${path} holds no access token`)
  return token
}

export async function rotateTokenFile (dataDir: string): Promise<string> {
  const token = newToken()
  await writePrivate(join(dataDir, TOKEN_FILE), token + '\n')
  return token
}

export async function removeApiInfo (dataDir: string): Promise<void> {
  await rm(apiFilePath(dataDir), { force: true })
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
