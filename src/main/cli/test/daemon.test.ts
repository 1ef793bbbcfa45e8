import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { connect as netConnect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { NodeApi } from '../../../shared/api/index.js'
import { WgtError } from '../../../shared/errors.js'
import { EventHub } from '../../../shared/rpc.js'
import type { NodeConfig } from '../../node/config.js'
import { resolveConfig } from '../../node/config.js'
import type { WgtNode } from '../../node/node.js'
import { readApiInfo } from '../api-file.js'
import type { DaemonCommand } from '../daemon.js'
import { startDaemon } from '../daemon.js'
import { connectWs, wsUrlFor } from '../client.js'

const PEER = '12D3KooWRBy97UB99e3J6hiPesre1MZeuNQvfan4gBziswrRJsNK'

/** Stands in for createNode so the daemon's own lifecycle is tested without libp2p. */
function standIn () {
  const hub = new EventHub()
  const created: Array<Partial<NodeConfig> & { dataDir: string }> = []
  let stopped = 0
  const api = {
    on: hub.on.bind(hub),
    getIdentity: async () => ({ peerId: PEER, agent: 'wgt/test', multiaddrs: [`/ip4/127.0.0.1/tcp/9/p2p/${PEER}`], protocols: [], startedAt: 1 })
  } as unknown as NodeApi
  const factory = async (partial: Partial<NodeConfig> & { dataDir: string }): Promise<WgtNode> => {
    created.push(partial)
    return {
      peerId: PEER,
      config: resolveConfig(partial),
      api,
      multiaddrs: () => [`/ip4/127.0.0.1/tcp/9/p2p/${PEER}`],
      prometheus: async () => '',
      part: () => { throw new WgtError('INTERNAL', 'no parts in the stand-in') },
      stop: async () => { stopped++ }
    }
  }
  return { factory, hub, created, stopped: () => stopped }
}

const silent = { out: () => {}, err: () => {} }

describe('daemon lifecycle', () => {
  let dir: string
  const cmd = (): DaemonCommand => ({ kind: 'daemon', dataDir: dir, listen: undefined, bootstrap: [], apiPort: 0, apiHost: '127.0.0.1', mdns: false, relayServer: false, quotaBytes: undefined })

  beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'wgt-daemon-')) })
  afterEach(async () => { await rm(dir, { recursive: true, force: true }) })

  it('writes api.json (0600) once ready and removes it, the lock and the port on stop', async () => {
    const node = standIn()
    const daemon = await startDaemon(cmd(), silent, { createNode: node.factory, rendererDir: join(dir, 'none') })
    expect(node.created).toEqual([{ dataDir: dir, bootstrap: [], mdns: false, relayServer: false }])

    const file = join(dir, 'api.json')
    expect((await stat(file)).mode & 0o777).toBe(0o600)
    const info = await readApiInfo(dir)
    expect(info).toEqual({ peerId: PEER, multiaddrs: [`/ip4/127.0.0.1/tcp/9/p2p/${PEER}`], apiUrl: daemon.server.url, token: info.token, pid: process.pid })
    expect(await daemon.uiUrl()).toBe(`${daemon.server.url}/#token=${info.token}`)
    expect((await readFile(join(dir, 'daemon.lock'), 'utf8')).trim()).toBe(String(process.pid))

    // the token in api.json is the one the server takes
    const client = await connectWs(wsUrlFor(info.apiUrl), info.token)
    expect((await client.api.getIdentity()).peerId).toBe(PEER)
    client.close()

    await daemon.stop()
    expect(node.stopped()).toBe(1)
    expect(existsSync(file)).toBe(false)
    expect(existsSync(join(dir, 'daemon.lock'))).toBe(false)
    const refused = await new Promise<string>(resolve => {
      const s = netConnect(daemon.server.port, '127.0.0.1')
      s.once('connect', () => { s.destroy(); resolve('connected') })
      s.once('error', (e: NodeJS.ErrnoException) => { resolve(e.code ?? '') })
    })
    expect(refused).toBe('ECONNREFUSED')
  })

  it('keeps its access token across a restart, and replaces it when rotated', async () => {
    const node = standIn()
    const first = await startDaemon(cmd(), silent, { createNode: node.factory, rendererDir: join(dir, 'none') })
    const token = (await readApiInfo(dir)).token
    await first.stop()
    const second = await startDaemon(cmd(), silent, { createNode: node.factory, rendererDir: join(dir, 'none') })
    expect((await readApiInfo(dir)).token).toBe(token)
    const client = await connectWs(wsUrlFor(second.info.apiUrl), token)
    const { uiUrl } = await client.api.rotateToken()
    const rotated = (await readApiInfo(dir)).token
    expect(rotated).not.toBe(token)
    expect(uiUrl).toBe(`${second.info.apiUrl}/#token=${rotated}`)
    expect(await second.uiUrl()).toBe(uiUrl)
    expect((await readFile(join(dir, 'api-token'), 'utf8')).trim()).toBe(rotated)
    client.close()
    await second.stop()
  })

  it('holds no token itself: api.json written after a rotation and then a new address carries the rotated token', async () => {
    const node = standIn()
    const daemon = await startDaemon(cmd(), silent, { createNode: node.factory, rendererDir: join(dir, 'none') })
    expect(Object.keys(daemon.info).sort()).toEqual(['apiUrl', 'multiaddrs', 'peerId', 'pid'])
    const old = (await readApiInfo(dir)).token
    const client = await connectWs(wsUrlFor(daemon.info.apiUrl), old)
    await client.api.rotateToken()
    client.close()
    const rotated = (await readApiInfo(dir)).token
    node.hub.emit('identity', { peerId: PEER, agent: 'a', multiaddrs: ['/ip4/127.0.0.1/tcp/11'], protocols: [], startedAt: 1 })
    let info = await readApiInfo(dir)
    for (let i = 0; i < 50 && info.multiaddrs[0] !== '/ip4/127.0.0.1/tcp/11'; i++) {
      await new Promise(resolve => setTimeout(resolve, 10))
      info = await readApiInfo(dir)
    }
    expect(info.multiaddrs).toEqual(['/ip4/127.0.0.1/tcp/11'])
    expect(info.token).toBe(rotated)
    // and that is the token the server takes, the old one no longer
    await expect(connectWs(wsUrlFor(info.apiUrl), old)).rejects.toMatchObject({ code: 'UNAUTHORIZED' })
    const fresh = await connectWs(wsUrlFor(info.apiUrl), info.token)
    fresh.close()
    await daemon.stop()
  })

  it('keeps api.json addresses current when the identity changes', async () => {
    const node = standIn()
    const daemon = await startDaemon(cmd(), silent, { createNode: node.factory, rendererDir: join(dir, 'none') })
    node.hub.emit('identity', { peerId: PEER, agent: 'a', multiaddrs: ['/ip4/127.0.0.1/tcp/10'], protocols: [], startedAt: 1 })
    let seen: string[] = []
    for (let i = 0; i < 50 && seen[0] !== '/ip4/127.0.0.1/tcp/10'; i++) {
      await new Promise(resolve => setTimeout(resolve, 10))
      seen = (await readApiInfo(dir)).multiaddrs
    }
    expect(seen).toEqual(['/ip4/127.0.0.1/tcp/10'])
    await daemon.stop()
    expect(existsSync(join(dir, 'api.json'))).toBe(false)
  })

  it('passes --listen through only when given', async () => {
    const node = standIn()
    const daemon = await startDaemon({ ...cmd(), listen: ['/ip4/127.0.0.1/tcp/0'] }, silent, { createNode: node.factory, rendererDir: dir })
    await daemon.stop()
    expect(node.created[0].listen).toEqual(['/ip4/127.0.0.1/tcp/0'])
  })

  it('passes --quota through as quotaBytes only when given, and owns DATA/uploads while running', async () => {
    const node = standIn()
    const daemon = await startDaemon({ ...cmd(), quotaBytes: 10 * 2 ** 30 }, silent, { createNode: node.factory, rendererDir: dir })
    expect(existsSync(join(dir, 'uploads'))).toBe(true)
    await daemon.stop()
    expect(node.created[0].quotaBytes).toBe(10 * 2 ** 30)
    expect(existsSync(join(dir, 'uploads'))).toBe(false)
    const plain = standIn()
    await (await startDaemon(cmd(), silent, { createNode: plain.factory, rendererDir: dir })).stop()
    expect('quotaBytes' in plain.created[0]).toBe(false)
  })

  it('leaves no api.json and no lock when the node fails to start', async () => {
    const failing = async (): Promise<WgtNode> => { throw new WgtError('UNAVAILABLE', 'no network') }
    await expect(startDaemon(cmd(), silent, { createNode: failing })).rejects.toMatchObject({ code: 'UNAVAILABLE' })
    expect(existsSync(join(dir, 'api.json'))).toBe(false)
    expect(existsSync(join(dir, 'daemon.lock'))).toBe(false)
  })

  it('stops the node again when the API port is taken', async () => {
    const first = standIn()
    const daemon = await startDaemon(cmd(), silent, { createNode: first.factory, rendererDir: dir })
    const other = await mkdtemp(join(tmpdir(), 'wgt-daemon-2-'))
    try {
      const second = standIn()
      await expect(startDaemon({ ...cmd(), dataDir: other, apiPort: daemon.server.port }, silent, { createNode: second.factory, rendererDir: dir }))
        .rejects.toMatchObject({ code: 'UNAVAILABLE', message: expect.stringContaining('already in use') })
      expect(second.stopped()).toBe(1)
      expect(existsSync(join(other, 'daemon.lock'))).toBe(false)
    } finally {
      await daemon.stop()
      await rm(other, { recursive: true, force: true })
    }
  })

  it('warns loudly when the API is bound beyond loopback', async () => {
    const lines: string[] = []
    const node = standIn()
    const daemon = await startDaemon({ ...cmd(), apiHost: '0.0.0.0' }, { out: () => {}, err: l => { lines.push(l) } }, { createNode: node.factory, rendererDir: dir })
    try {
      expect(lines.join('\n')).toContain('WARNING')
      expect((await readApiInfo(dir)).apiUrl).toBe(`http://127.0.0.1:${daemon.server.port}`)
    } finally {
      await daemon.stop()
    }
  })
})
