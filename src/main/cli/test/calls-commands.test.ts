import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Call } from '../../../shared/api/index.js'
import { WgtError } from '../../../shared/errors.js'
import { newToken, writeApiInfo } from '../api-file.js'
import { startApiServer, type ApiServer } from '../api-server/index.js'
import { localTime } from '../commands/chat.js'
import type { CliIo } from '../commands/command.js'
import { exitCodeFor } from '../exit-codes.js'
import { parseArgv } from '../program.js'
import { ALICE, BOB } from './chat-fake.js'
import { fakeNode, type FakeNode } from './fake-node.js'

const ID = 'aa'.repeat(16)
const OTHER = 'bb'.repeat(16)

function call (fields: Partial<Call> & Pick<Call, 'id' | 'peerId'>): Call {
  return {
    outgoing: true, video: true, state: 'ringing', request: false, startedAt: 1_000, answeredAt: null, endedAt: null,
    endReason: null, endedBy: null, error: null, tunnel: null, quality: null, ...fields
  }
}

async function usageError (argv: string[]): Promise<string> {
  try {
    await parseArgv(argv, { HOME: '/home/u' }, '/w')
  } catch (err) {
    expect(err).toMatchObject({ code: 'INVALID_INPUT' })
    expect(exitCodeFor((err as { code: 'INVALID_INPUT' }).code)).toBe(2)
    return (err as Error).message
  }
  throw new Error(`parsed without error: ${argv.join(' ')}`)
}

describe('call command line', () => {
  it('parses call list and call hangup, and refuses bad input before a daemon is contacted', async () => {
    const parsed = async (argv: string[]): Promise<unknown> => {
      const p = await parseArgv(['--data-dir', '/d', ...argv], {}, '/w')
      return p.kind === 'run' ? p.command : p
    }
    expect(await parsed(['call', 'list', '--json'])).toEqual({ kind: 'call list', limit: undefined, dataDir: '/d', json: true })
    expect(await parsed(['call', 'list', '--limit', '5'])).toMatchObject({ limit: 5 })
    expect(await parsed(['call', 'hangup', ID])).toEqual({ kind: 'call hangup', id: ID, dataDir: '/d', json: false })
    expect(await usageError(['call', 'hangup', 'ABC'])).toContain('a call id is 32 lowercase hex characters')
    expect(await usageError(['call', 'hangup'])).toContain('needs ID')
    expect(await usageError(['call', 'list', '--limit', '501'])).toContain('--limit must be an integer from 1 to 500')
    const main = await parseArgv(['--help'])
    for (const name of ['list', 'hangup']) {
      expect(main.kind === 'help' && main.text).toMatch(new RegExp(`^ {2}call ${name} `, 'm'))
      const help = await parseArgv(['call', name, '--help'])
      expect(help.kind === 'help' && help.text).toContain(`Usage: wgt call ${name}`)
    }
  })
})

describe('call commands against a daemon API', () => {
  let dir: string
  let dataDir: string
  let server: ApiServer
  let fake: FakeNode
  let calls: Call[]

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wgt-call-cli-'))
    dataDir = join(dir, 'data')
    await mkdir(dataDir)
    calls = []
    fake = fakeNode({
      listContacts: async () => [{ peerId: ALICE, trust: 'contact', nickname: 'Alice', addresses: [], since: 0, updatedAt: 0, undelivered: false }],
      listCalls: async (opts) => calls.slice(0, opts?.limit ?? 100),
      hangupCall: async (id) => {
        const c = calls.find(x => x.id === id)
        if (c == null) throw new WgtError('NOT_FOUND', `no call ${id}`)
        return { ...c, state: 'ended', endedAt: 9_000, endReason: 'hangup', endedBy: 'local' }
      }
    })
    const token = newToken()
    server = await startApiServer({ api: fake.api, prometheus: () => '', token, rendererDir: join(dir, 'r'), port: 0 })
    await writeApiInfo(dataDir, { peerId: 'x', multiaddrs: [], apiUrl: server.url, token, pid: process.pid })
  })

  afterEach(async () => {
    await server.stop()
    await rm(dir, { recursive: true, force: true })
  })

  async function run (argv: string[]): Promise<string> {
    const out: string[] = []
    const parsed = await parseArgv([...argv, '--data-dir', dataDir], {}, dir)
    if (parsed.kind !== 'run') throw new Error(`not a command: ${argv.join(' ')}`)
    const io: CliIo = { out: t => out.push(t), err: () => {}, progress: undefined, onInterrupt: () => () => {} }
    await parsed.spec.run(parsed.command, io)
    return out.join('\n')
  }

  it('lists calls going on and recent ones, with quality, tunnel and errors, readable and as JSON', async () => {
    expect(await run(['call', 'list'])).toContain('no calls yet')
    const quality = { at: 5_000, path: 'libp2p' as const, rttMs: 41.6, sendKbps: 812, recvKbps: 1234, fps: 29.7, width: 640, height: 480, lossPct: 1.25, jitterMs: 4.2 }
    calls = [
      call({ id: ID, peerId: ALICE, state: 'active', answeredAt: 2_000, tunnel: { port: 40001, route: 'libp2p' }, quality }),
      call({ id: OTHER, peerId: BOB, outgoing: false, video: false, state: 'ended', endReason: 'refused', endedBy: 'remote', endedAt: 3_000, error: 'refuses: \u001b[2Jcontacts only' })
    ]
    const lines = (await run(['call', 'list'])).split('\n')
    expect(lines[0]).toBe('going on:')
    expect(lines[1]).toMatch(new RegExp(`^${ID}  out  video  Alice ${ALICE}  ${localTime(1_000)}  [\\d:]+  active$`))
    expect(lines[2]).toBe('  tunnel  udp 127.0.0.1:40001 via libp2p')
    expect(lines[3]).toBe('  via libp2p  rtt 42 ms  in 1.2 Mbit/s  out 812 kbit/s  30 fps  640x480  loss 1.3%  jitter 4 ms')
    expect(lines[4]).toBe('')
    expect(lines[5]).toBe('recent:')
    expect(lines[6]).toBe(`${OTHER}  in   audio  ${BOB}  ${localTime(1_000)}  -  ended: refused`)
    // a peer's words cannot drive the terminal
    expect(lines[7]).toBe('  refuses: contacts only')
    const json = JSON.parse(await run(['call', 'list', '--json']))
    expect(json).toEqual([{ ...calls[0], nickname: 'Alice' }, { ...calls[1], nickname: null }])
    await run(['call', 'list', '--limit', '1'])
    expect(fake.calls.filter(c => c.method === 'listCalls').at(-1)?.args).toEqual([{ limit: 1 }])
  })

  it('hangs up a call by its id, and says so when there is none', async () => {
    calls = [call({ id: ID, peerId: ALICE, state: 'active', answeredAt: 2_000 })]
    expect(await run(['call', 'hangup', ID])).toBe(`${ID}  ended: hung up by you`)
    expect(JSON.parse(await run(['call', 'hangup', ID, '--json']))).toMatchObject({ id: ID, state: 'ended', endReason: 'hangup' })
    await expect(run(['call', 'hangup', OTHER])).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })
})
