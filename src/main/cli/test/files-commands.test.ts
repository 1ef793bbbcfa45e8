import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { WebSocketServer } from 'ws'
import { writeApiInfo } from '../api-file.js'
import { startApiServer, type ApiServer } from '../api-server/index.js'
import { newToken } from '../api-server/token.js'
import { parseCommand } from '../args.js'
import { callTimeoutFor, fileIdOf, runClientCommand, type ClientCommand } from '../client-commands.js'
import { progressLine, transferFilter } from '../progress.js'
import { connectWs } from '../ws-client.js'
import { FILE_ID, LINK, fakeFilesApi, type FakeFiles } from './files-fake.js'

describe('files commands against a daemon API', () => {
  let dir: string
  let dataDir: string
  let server: ApiServer
  let fake: FakeFiles

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wgt-files-cli-'))
    dataDir = join(dir, 'data')
    await mkdir(join(dir, 'downloads'), { recursive: true })
    await mkdir(dataDir)
    fake = fakeFilesApi(join(dir, 'downloads'))
    const token = newToken()
    server = await startApiServer({ api: fake.api, prometheus: () => '', token, rendererDir: join(dir, 'r'), port: 0 })
    await writeApiInfo(dataDir, { peerId: 'x', multiaddrs: [], apiUrl: server.url, token, pid: process.pid })
  })

  afterEach(async () => {
    await server.stop()
    await rm(dir, { recursive: true, force: true })
  })

  async function run (argv: string[], tty = false): Promise<{ out: string[], progress: string }> {
    const out: string[] = []
    let progress = ''
    const cmd = parseCommand([...argv, '--data-dir', dataDir], {}, dir) as ClientCommand
    await runClientCommand(cmd, { out: t => out.push(t), progress: tty ? { write: t => { progress += t }, columns: 200 } : undefined })
    return { out, progress }
  }

  it('share sends the absolute path and prints the link, or the fixed JSON shape', async () => {
    await writeFile(join(dir, 'notes.txt'), 'some notes')
    const text = await run(['share', 'notes.txt'])
    expect(text.out).toEqual([LINK])
    expect(fake.calls[0]).toEqual({ method: 'shareFile', args: [join(dir, 'notes.txt'), {}] })

    const json = await run(['share', 'notes.txt', '--k', '3', '--m', '1', '--json'])
    expect(JSON.parse(json.out[0])).toEqual({ link: LINK, id: FILE_ID, size: 10, k: 3, m: 1 })
    expect(fake.calls[1].args[1]).toEqual({ k: 3, m: 1 })
  })

  it('draws progress of its own transfer only on a terminal, and erases the line at the end', async () => {
    await writeFile(join(dir, 'big.bin'), Buffer.alloc(4096))
    const quiet = await run(['share', 'big.bin'])
    expect(quiet.progress).toBe('')
    const { progress } = await run(['share', 'big.bin'], true)
    expect(progress).toContain('encode')
    expect(progress).toContain('big.bin')
    expect(progress).not.toContain('fetch') // the other transfer
    expect(progress.endsWith('\r\x1b[K')).toBe(true)
  })

  it('fetch passes -o as an absolute path and prints where, size and sha256', async () => {
    const { out } = await run(['fetch', LINK, '-o', 'got.txt'])
    expect(fake.calls[0]).toEqual({ method: 'fetchFile', args: [LINK, join(dir, 'got.txt')] })
    expect(out[0]).toContain(`saved   ${join(dir, 'got.txt')}`)
    expect(out[0]).toContain('size    14 B (14 bytes)')
    expect(out[0]).toMatch(/sha256 {2}[0-9a-f]{64} \(verified\)/)
    const json = await run(['fetch', LINK, '--json'])
    expect(fake.calls[1]).toEqual({ method: 'fetchFile', args: [LINK] })
    expect(JSON.parse(json.out[0])).toMatchObject({ id: FILE_ID, size: 14, path: join(dir, 'downloads', 'fetched.txt') })
  })

  it('files lists shared and received files; health exits UNAVAILABLE when a segment is lost; repair reports', async () => {
    expect((await run(['files'])).out).toEqual(['no files shared or received'])
    fake.files = [{ id: FILE_ID, link: LINK, name: 'a.txt', size: 2048, k: 4, m: 2, segments: 1, direction: 'received', path: '/d/a.txt', createdAt: 0 }]
    const files = (await run(['files'])).out[0]
    expect(files).toContain('received  a.txt  2.0 KiB  4+2  1 segment')
    expect(files).toContain(`link  ${LINK}`)
    expect(JSON.parse((await run(['files', '--json'])).out[0])).toEqual(fake.files)

    const out: string[] = []
    const cmd = parseCommand(['health', LINK, '--data-dir', dataDir], {}) as ClientCommand
    await expect(runClientCommand(cmd, { out: t => out.push(t) })).rejects.toMatchObject({
      code: 'UNAVAILABLE', message: expect.stringContaining('segment 1 has 3 of the 4 shards')
    })
    expect(out[0]).toContain('recoverable  NO')
    expect(out[0]).toMatch(/segment {4}1 {4}3\/6 reachable, needs 4 {2}LOST/)

    fake.health = { ...fake.health, recoverable: true, segments: [fake.health.segments[0]], minReachable: 6 }
    expect((await run(['health', FILE_ID])).out[0]).toContain('recoverable  yes')
    expect((await run(['repair', FILE_ID])).out[0]).toMatch(/^re-created 3 shards/)
  })

  it('gives share, fetch and repair no deadline, and the rest one', () => {
    const p = (argv: string[]): ClientCommand => parseCommand(argv, {}, '/') as ClientCommand
    expect(callTimeoutFor(p(['share', 'f']))).toBeNull()
    expect(callTimeoutFor(p(['fetch', LINK]))).toBeNull()
    expect(callTimeoutFor(p(['repair', FILE_ID]))).toBeNull()
    expect(callTimeoutFor(p(['files']))).toBeGreaterThan(0)
    expect(callTimeoutFor(p(['health', FILE_ID]))).toBeGreaterThan(60_000)
    expect(fileIdOf(LINK)).toBe(FILE_ID)
    expect(fileIdOf(FILE_ID)).toBe(FILE_ID)
  })
})

describe('progress', () => {
  it('follows the first matching transfer and ignores the others', () => {
    const accept = transferFilter({ kind: 'fetch', labels: [LINK], fileId: FILE_ID })
    const ev = { transfer: 'a', kind: 'fetch', label: LINK, fileId: null, phase: 'locate', done: 0, total: 1, unit: 'shards' } as const
    expect(accept({ ...ev, kind: 'share' })).toBe(false)
    expect(accept({ ...ev, transfer: 'old', phase: 'done' })).toBe(false)
    expect(accept(ev)).toBe(true)
    expect(accept({ ...ev, transfer: 'a', label: 'name.bin', fileId: FILE_ID, phase: 'fetch' })).toBe(true)
    expect(accept({ ...ev, transfer: 'b' })).toBe(false)
    expect(progressLine({ ...ev, phase: 'fetch', done: 512, total: 1024, unit: 'bytes' })).toMatch(/^fetch {3}\[#{12}\.{12}\] {2}50% {2}512 B of 1\.0 KiB/)
  })
})

describe('ws-client keep-alive', () => {
  it('fails a call with no deadline once the daemon stops answering pings', async () => {
    // a "daemon" that authenticates, then neither answers calls nor pongs: a hung process
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, autoPong: false })
    wss.on('connection', ws => { ws.once('message', () => { ws.send(JSON.stringify({ type: 'ready' })) }) })
    await new Promise(resolve => wss.once('listening', resolve))
    const port = (wss.address() as { port: number }).port
    try {
      const { api, close } = await connectWs(`ws://127.0.0.1:${port}/api`, 't', { keepAliveMs: 50 })
      const started = Date.now()
      await expect(api.listFiles()).rejects.toMatchObject({ code: 'UNAVAILABLE', message: expect.stringContaining('stopped answering') })
      expect(Date.now() - started).toBeLessThan(2000)
      close()
    } finally {
      for (const c of wss.clients) c.terminate()
      await new Promise(resolve => wss.close(resolve))
    }
  })
})
