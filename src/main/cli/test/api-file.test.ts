import { spawnSync } from 'node:child_process'
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createServer } from 'node:net'
import { acquireLock, loadOrCreateToken, readApiInfo, removeApiInfo, rotateTokenFile, writeApiInfo, type ApiInfo } from '../api-file.js'
import { connectToDaemon } from '../client.js'

/** A pid that certainly belongs to no process: one that has just exited. */
function deadPid (): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'])
  return Number(child.stdout.toString())
}

describe('api.json and the daemon lock', () => {
  let dir: string
  const info = (pid: number): ApiInfo => ({ peerId: '12D3KooWx', multiaddrs: ['/ip4/127.0.0.1/tcp/1'], apiUrl: 'http://127.0.0.1:1', token: 't', pid })

  beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'wgt-api-file-')) })
  afterEach(async () => { await rm(dir, { recursive: true, force: true }) })

  it('writes api.json readable by the owner only and reads it back', async () => {
    await writeApiInfo(dir, info(process.pid))
    expect((await stat(join(dir, 'api.json'))).mode & 0o777).toBe(0o600)
    expect(await readApiInfo(dir)).toEqual(info(process.pid))
    await removeApiInfo(dir)
    await expect(readApiInfo(dir)).rejects.toMatchObject({ code: 'NOT_RUNNING', message: expect.stringContaining(`wgt daemon --data-dir ${dir}`) })
  })

  it('calls an api.json whose pid is gone stale', async () => {
    const pid = deadPid()
    await writeApiInfo(dir, info(pid))
    await expect(readApiInfo(dir)).rejects.toMatchObject({ code: 'NOT_RUNNING', message: expect.stringContaining(`pid ${pid} is gone`) })
  })

  it('lets one daemon hold a data dir at a time', async () => {
    const lock = await acquireLock(dir)
    // the live holder here is this very process, as seen by a second daemon in another process
    await writeFile(join(dir, 'daemon.lock'), `${process.ppid}\n`)
    await expect(acquireLock(dir)).rejects.toMatchObject({ code: 'UNAVAILABLE', message: expect.stringContaining('already running') })
    await lock.release()
    const again = await acquireLock(dir)
    expect((await readFile(join(dir, 'daemon.lock'), 'utf8')).trim()).toBe(String(process.pid))
    await again.release()
  })

  it('takes over a lock left by a dead daemon', async () => {
    await writeFile(join(dir, 'daemon.lock'), `${deadPid()}\n`)
    const lock = await acquireLock(dir)
    expect((await readFile(join(dir, 'daemon.lock'), 'utf8')).trim()).toBe(String(process.pid))
    await lock.release()
  })

  it('calls a live pid whose API port refuses connections not running', async () => {
    // a port that was just free: bind, note it, close
    const port = await new Promise<number>(resolve => {
      const srv = createServer().listen(0, '127.0.0.1', () => {
        const p = (srv.address() as { port: number }).port
        srv.close(() => { resolve(p) })
      })
    })
    await writeApiInfo(dir, { ...info(process.pid), apiUrl: `http://127.0.0.1:${port}` })
    await expect(connectToDaemon(dir)).rejects.toMatchObject({ code: 'NOT_RUNNING', message: expect.stringContaining('refused') })
  })

  it('keeps the access token across restarts until it is rotated, readable by the owner only', async () => {
    const first = await loadOrCreateToken(dir)
    expect(first).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(await loadOrCreateToken(dir)).toBe(first)
    expect((await stat(join(dir, 'api-token'))).mode & 0o777).toBe(0o600)
    const next = await rotateTokenFile(dir)
    expect(next).not.toBe(first)
    expect(await loadOrCreateToken(dir)).toBe(next)
    // anything else in the file is not a token: a new one replaces it
    await writeFile(join(dir, 'api-token'), 'short\n')
    expect(await loadOrCreateToken(dir)).toMatch(/^[A-Za-z0-9_-]{43}$/)
  })
})
