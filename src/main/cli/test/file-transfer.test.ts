import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { basename, dirname, join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startApiServer, type ApiServer } from '../api-server/index.js'
import { contentDisposition, sanitizeFileName } from '../api-server/file-transfer.js'
import { newToken } from '../api-file.js'
import { connectWs } from '../client.js'
import { followOperation } from '../../../shared/follow.js'
import { FILE_ID, LINK, fakeFilesApi, type FakeFiles } from './files-fake.js'

interface Reply { status: number, headers: Record<string, unknown>, body: Buffer }

function send (port: number, method: string, path: string, headers: Record<string, string | number> = {}, body?: Buffer | Buffer[]): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers }, res => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }) })
    })
    req.on('error', reject)
    if (Array.isArray(body)) {
      // chunked, without Content-Length: the size is only known while reading
      const write = (i: number): void => {
        if (i === body.length) { req.end(); return }
        if (!req.write(body[i])) req.once('drain', () => { write(i + 1) })
        else setImmediate(() => { write(i + 1) })
      }
      write(0)
    } else {
      req.end(body)
    }
  })
}

const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }
const until = async (ok: () => boolean): Promise<void> => {
  const deadline = Date.now() + 10_000
  while (!ok()) {
    if (Date.now() > deadline) throw new Error('timed out')
    await sleep(10)
  }
}

describe('upload and download routes', () => {
  let dir: string
  let uploadDir: string
  let server: ApiServer
  let token: string
  let fake: FakeFiles
  let auth: Record<string, string>

  async function start (uploadTtlMs?: number): Promise<void> {
    server = await startApiServer({ api: fake.api, prometheus: () => '', token, rendererDir: join(dir, 'renderer'), port: 0, uploadDir, uploadTtlMs })
  }

  async function upload (name: string, body: Buffer): Promise<string> {
    const r = await send(server.port, 'POST', `/upload?name=${encodeURIComponent(name)}`, { ...auth, 'Content-Length': body.length }, body)
    expect(r.status).toBe(201)
    return (JSON.parse(r.body.toString()) as { path: string }).path
  }

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wgt-file-transfer-'))
    uploadDir = join(dir, 'data', 'uploads')
    await mkdir(join(dir, 'downloads'), { recursive: true })
    token = newToken()
    auth = { Authorization: `Bearer ${token}` }
    fake = fakeFilesApi(join(dir, 'downloads'))
    await start()
  })

  afterEach(async () => {
    await server.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('refuses uploads and downloads without the right bearer token', async () => {
    for (const headers of [{}, { Authorization: 'Bearer wrong' }, { Authorization: token }]) {
      const up = await send(server.port, 'POST', '/upload?name=a.txt', headers, Buffer.from('secret'))
      expect(up.status).toBe(401)
      expect(up.headers['www-authenticate']).toBe('Bearer realm="wgt"')
      expect((await send(server.port, 'GET', `/files/${FILE_ID}/content`, headers)).status).toBe(401)
    }
    expect(await readdir(uploadDir)).toEqual([])
    expect(fake.calls.filter(c => c.method === 'listFiles')).toEqual([])
  })

  it('stores the body under DATA/uploads with a sanitised name, whatever the name tries', async () => {
    const bytes = Buffer.from('hello wgt\n')
    for (const name of ['../../etc/passwd', '..\\..\\boot.ini', '..', 'a/b/../../c.txt', 'nul\u0000byte', 'ok name ü.txt']) {
      const path = await upload(name, bytes)
      expect(dirname(dirname(path))).toBe(uploadDir)
      expect(basename(path)).toBe(sanitizeFileName(name))
      expect(await readFile(path)).toEqual(bytes)
    }
    expect(existsSync(join(dir, 'etc'))).toBe(false)
    expect(sanitizeFileName('../../etc/passwd')).toBe('passwd')
    expect(sanitizeFileName('..')).toBe('upload')
    expect(sanitizeFileName('a:b?.txt')).toBe('a_b_.txt')
    expect(Buffer.byteLength(sanitizeFileName('é'.repeat(300)))).toBeLessThanOrEqual(255)
    expect((await send(server.port, 'POST', '/upload', { ...auth, 'Content-Length': 1 }, Buffer.from('x'))).status).toBe(400)
    expect((await send(server.port, 'GET', '/upload?name=x', auth)).status).toBe(405)
  })

  it('refuses an upload larger than the room left in the storage quota, declared or streamed', async () => {
    fake.storage = { ...fake.storage, quota: 64 * 1024, used: 16 * 1024 }
    const declared = await send(server.port, 'POST', '/upload?name=big.bin', { ...auth, 'Content-Length': 48 * 1024 + 1 }, Buffer.alloc(48 * 1024 + 1))
    expect(declared.status).toBe(413)
    expect(declared.body.toString()).toContain('at most 49152 bytes')

    const chunks = Array.from({ length: 8 }, () => Buffer.alloc(8 * 1024, 7))
    const streamed = await send(server.port, 'POST', '/upload?name=big.bin', auth, chunks).catch((err: NodeJS.ErrnoException) => err)
    // the server answers 413 and closes; a client still writing may see the reset first
    if ('status' in streamed) expect(streamed.status).toBe(413)
    else expect(['ECONNRESET', 'EPIPE']).toContain(streamed.code)
    await sleep(50)
    expect(await readdir(uploadDir)).toEqual([])

    // exactly the room left is fine
    await upload('fits.bin', Buffer.alloc(48 * 1024, 1))
  })

  it('deletes an upload when the share naming it ends, in success and in failure', async () => {
    const bytes = Buffer.from('share me')
    const { api, close } = await connectWs(`ws://127.0.0.1:${server.port}/api`, token)
    try {
      const path = await upload('doc.txt', bytes)
      const done = await followOperation(api, async () => await api.shareFile(path, { k: 2, m: 1 })).done
      expect(done.result).toMatchObject({ link: LINK, name: 'doc.txt', size: bytes.length, k: 2, m: 1 })
      expect(fake.shared.get(path)).toEqual(bytes)
      await until(() => !existsSync(dirname(path)))

      const failing = await upload('fail.txt', bytes)
      fake.duringShare = async () => { throw new Error('placement failed') }
      await expect(followOperation(api, async () => await api.shareFile(failing)).done).rejects.toThrow('placement failed')
      await until(() => !existsSync(dirname(failing)))
      expect(await readdir(uploadDir)).toEqual([])
    } finally {
      close()
    }
  })

  it('deletes an upload nobody shares, and every upload when the server stops', async () => {
    await server.stop()
    await mkdir(join(uploadDir, 'leftover'), { recursive: true })
    await start(150)
    expect(await readdir(uploadDir)).toEqual([]) // a crashed daemon's leftovers go at start
    const path = await upload('forgotten.txt', Buffer.from('x'))
    await sleep(400)
    expect(existsSync(path)).toBe(false)
    await upload('pending.txt', Buffer.from('y'))
    await server.stop()
    expect(existsSync(uploadDir)).toBe(false)
    await start()
  })

  it('serves a received file as an attachment, and nothing else', async () => {
    const saved = join(dir, 'downloads', 'ünïcode "report".pdf')
    const bytes = Buffer.from(Array.from({ length: 70_000 }, (_, i) => i % 251))
    await writeFile(saved, bytes)
    const entry = { link: LINK, size: bytes.length, k: 4, m: 2, segments: 1, createdAt: 1 }
    fake.files = [
      { ...entry, id: 'bafkreisharedsharedsharedsharedsharedsharedshared', name: 'mine.txt', direction: 'shared', path: join(dir, 'data', 'uploads', '..', '..', 'secret') },
      { ...entry, id: FILE_ID, name: 'ünïcode "report".pdf', direction: 'received', path: saved }
    ]
    const r = await send(server.port, 'GET', `/files/${FILE_ID}/content`, auth)
    expect(r.status).toBe(200)
    expect(r.body).toEqual(bytes)
    expect(r.headers['content-type']).toBe('application/octet-stream')
    expect(r.headers['content-length']).toBe(String(bytes.length))
    expect(r.headers['content-disposition']).toBe(contentDisposition('ünïcode "report".pdf'))
    expect(r.headers['content-disposition']).toContain("filename*=UTF-8''%C3%BCn%C3%AFcode%20%22report%22.pdf")
    expect(r.headers['content-disposition']).toContain('filename="_n_code _report_.pdf"')

    const head = await send(server.port, 'HEAD', `/files/${FILE_ID}/content`, auth)
    expect(head.status).toBe(200)
    expect(head.body.length).toBe(0)

    // a shared file's source, unknown ids, malformed ids and traversal: 404
    expect((await send(server.port, 'GET', '/files/bafkreisharedsharedsharedsharedsharedsharedshared/content', auth)).status).toBe(404)
    expect((await send(server.port, 'GET', '/files/bafkreiunknownunknownunknownunknown/content', auth)).status).toBe(404)
    for (const path of ['/files/%2e%2e%2fsecret/content', `/files/${FILE_ID}/content/..%2f..%2fx`, `/files/${FILE_ID.toUpperCase()}/content`, '/files/']) {
      expect((await send(server.port, 'GET', path, auth)).status).toBe(404)
    }
    // normalised out of /files/ altogether: the static server's business (no UI built here)
    for (const path of ['/files/../../package.json', `/files/${FILE_ID}/../../etc/passwd`]) {
      expect((await send(server.port, 'GET', path, auth)).status).toBe(503)
    }
    expect((await send(server.port, 'POST', `/files/${FILE_ID}/content`, auth)).status).toBe(405)

    await rm(saved)
    const gone = await send(server.port, 'GET', `/files/${FILE_ID}/content`, auth)
    expect(gone.status).toBe(404)
    expect(gone.body.toString()).toContain('no longer at')
  })
})
