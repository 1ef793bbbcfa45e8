import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { WebSocketServer } from 'ws'
import { newToken, writeApiInfo } from '../api-file.js'
import { startApiServer, type ApiServer } from '../api-server/index.js'
import { connectWs } from '../client.js'
import type { CliIo } from '../commands/command.js'
import { parseArgv } from '../program.js'
import { progressLine } from '../progress.js'
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

  async function run (argv: string[], tty = false, onInterrupt?: (fire: () => void) => void): Promise<{ out: string[], progress: string, err: string[] }> {
    const out: string[] = []
    const err: string[] = []
    let progress = ''
    const parsed = await parseArgv([...argv, '--data-dir', dataDir], {}, dir)
    if (parsed.kind !== 'run') throw new Error(`not a command: ${argv.join(' ')}`)
    const io: CliIo = {
      out: t => out.push(t),
      err: t => err.push(t),
      progress: tty ? { write: t => { progress += t }, columns: 200 } : undefined,
      onInterrupt: handler => { onInterrupt?.(handler); return () => {} }
    }
    await parsed.spec.run(parsed.command, io)
    return { out, progress, err }
  }

  it('share sends the absolute path and prints the link, or the fixed JSON shape', async () => {
    await writeFile(join(dir, 'notes.txt'), 'some notes')
    const text = await run(['share', 'notes.txt'])
    expect(text.out).toEqual([LINK])
    expect(fake.calls.find(c => c.method === 'shareFile')?.args).toEqual([join(dir, 'notes.txt'), {}])

    const json = await run(['share', 'notes.txt', '--k', '3', '--m', '1', '--json'])
    expect(JSON.parse(json.out[0])).toEqual({ link: LINK, id: FILE_ID, size: 10, k: 3, m: 1 })
    expect(fake.calls.filter(c => c.method === 'shareFile')[1].args[1]).toEqual({ k: 3, m: 1 })
  })

  it('draws its own operation\'s progress only on a terminal, and erases the line at the end', async () => {
    await writeFile(join(dir, 'big.bin'), Buffer.alloc(4096))
    const quiet = await run(['share', 'big.bin'])
    expect(quiet.progress).toBe('')
    // another operation runs meanwhile: the CLI follows its own by id
    fake.duringShare = async () => {
      await fake.api.fetchFile(LINK)
      await new Promise(resolve => setTimeout(resolve, 150))
    }
    const { progress } = await run(['share', 'big.bin'], true)
    expect(progress).toContain('sending')
    expect(progress).toContain('big.bin')
    expect(progress).not.toContain('locating')
    expect(progress.endsWith('\r\x1b[K')).toBe(true)
  })

  it('Ctrl-C cancels the daemon\'s operation and ends with CANCELLED', async () => {
    await writeFile(join(dir, 'slow.bin'), Buffer.alloc(100))
    let release!: () => void
    fake.duringShare = async () => { await new Promise<void>(resolve => { release = resolve }) }
    let interrupt!: () => void
    const running = run(['share', 'slow.bin'], false, fire => { interrupt = fire })
    while (fake.operations.list().length === 0) await new Promise(resolve => setTimeout(resolve, 10))
    interrupt()
    await expect(running).rejects.toMatchObject({ code: 'CANCELLED' })
    expect(fake.operations.list()[0].state).toBe('cancelled')
    release()
  })

  it('fetch passes -o as an absolute path and prints where, size and sha256, in the JSON shape it always had', async () => {
    const { out } = await run(['fetch', LINK, '-o', 'got.txt'])
    expect(fake.calls.find(c => c.method === 'fetchFile')?.args).toEqual([LINK, join(dir, 'got.txt')])
    expect(out[0]).toContain(`saved   ${join(dir, 'got.txt')}`)
    expect(out[0]).toContain('size    14 B (14 bytes)')
    expect(out[0]).toMatch(/sha256 {2}[0-9a-f]{64} \(verified\)/)
    const json = await run(['fetch', LINK, '--json'])
    expect(fake.calls.filter(c => c.method === 'fetchFile')[1].args).toEqual([LINK])
    expect(Object.keys(JSON.parse(json.out[0]))).toEqual(['id', 'name', 'size', 'path', 'sha256', 'badHolders', 'resumedSegments'])
    expect(JSON.parse(json.out[0])).toMatchObject({ id: FILE_ID, size: 14, path: join(dir, 'downloads', 'fetched.txt') })
  })

  it('files lists shared and received files; health exits UNAVAILABLE when a segment is lost; repair reports', async () => {
    expect((await run(['files'])).out).toEqual(['no files shared or received'])
    fake.files = [{ id: FILE_ID, link: LINK, name: 'a\u001b[31m.txt\nreceived  forged.txt', size: 2048, k: 4, m: 2, segments: 1, direction: 'received', path: '/d/a.txt', from: null, createdAt: 0 }]
    const files = (await run(['files'])).out[0]
    // a name from a peer can neither run terminal escapes nor forge a line
    expect(files).toContain('received  a.txt\\u000areceived  forged.txt  2.0 KiB  4+2  1 segment')
    expect(files).not.toContain('\u001b')
    expect(files.split('\n').filter(l => l.startsWith('received'))).toHaveLength(1)
    expect(files).toContain(`link  ${LINK}`)
    const { from: _from, ...entry } = fake.files[0]
    expect(JSON.parse((await run(['files', '--json'])).out[0])).toEqual([entry])

    await expect(run(['health', LINK])).rejects.toMatchObject({
      code: 'UNAVAILABLE', message: expect.stringContaining('segment 1 has 3 of the 4 shards')
    })

    fake.health = { ...fake.health, recoverable: true, segments: [fake.health.segments[0]], minReachable: 6 }
    expect((await run(['health', FILE_ID])).out[0]).toContain('recoverable  yes')
    expect((await run(['repair', FILE_ID])).out[0]).toMatch(/^re-created 3 shards/)
  })
})

describe('progress line', () => {
  it('shows phase, bar, percentage, amount, speed and time left', () => {
    const line = progressLine({
      id: 'x', kind: 'fetch', state: 'running', phase: 'receiving', label: 'name.bin', fileId: null, from: null, startedAt: 0, endedAt: null, error: null, result: null,
      progress: { fraction: 0.5, bytesDone: 512, bytesTotal: 1024, rateBps: 2048, etaMs: 65_000 }
    })
    expect(line).toMatch(/^receiving {2}\[#{12}\.{12}\] {2}50% {2}512 B of 1\.0 KiB {2}2\.0 KiB\/s {2}1:05 left {2}name\.bin$/)
  })
})

describe('client keep-alive', () => {
  it('fails a call with no deadline once the daemon stops answering', async () => {
    // a "daemon" that authenticates, then answers neither calls nor pings: a hung process
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, autoPong: false })
    wss.on('connection', ws => { ws.once('message', () => { ws.send(JSON.stringify({ type: 'ready' })) }) })
    await new Promise(resolve => wss.once('listening', resolve))
    const port = (wss.address() as { port: number }).port
    try {
      const { api, close } = await connectWs(`ws://127.0.0.1:${port}/api`, 't', { keepAliveMs: 50 })
      await expect(api.waitOperation('x')).rejects.toMatchObject({ code: 'UNAVAILABLE', message: expect.stringContaining('stopped answering') })
      close()
    } finally {
      for (const c of wss.clients) c.terminate()
      await new Promise(resolve => wss.close(resolve))
    }
  })
})
