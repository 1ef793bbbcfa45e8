/**
 * `wgt daemon`: the node, its WebSocket API and the UI over HTTP, until SIGINT
 * or SIGTERM. Start order is lock → node → API server → api.json; stop undoes
 * it in reverse so a client never finds an api.json pointing at nothing.
 */
import { existsSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { WgtError } from '../../shared/errors.js'
import type { NodeConfig } from '../node/config.js'
import type { WgtNode } from '../node/node.js'
import { acquireLock, loadOrCreateToken, removeApiInfo, rotateTokenFile, writeApiInfo, type ApiInfo } from './api-file.js'
import { startApiServer, type ApiServer } from './api-server/index.js'
import { printable } from './format.js'
import type { DaemonCommand } from './commands/daemon.js'

export type { DaemonCommand } from './commands/daemon.js'

export interface DaemonIo {
  out: (line: string) => void
  err: (line: string) => void
}

/** a stop that hangs (a stuck libp2p stream, say) must not keep the process forever */
const STOP_TIMEOUT_MS = 15_000

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost'])

export interface RunningDaemon {
  node: WgtNode
  server: ApiServer
  info: ApiInfo
  uiUrl: string
  stop: () => Promise<void>
}

/** The package root: the nearest directory above this file holding package.json (works from src/ and out/). */
export function packageRoot (from = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir)
    if (parent === dir) throw new WgtError('INTERNAL', `no package.json above ${from}`)
    dir = parent
  }
  return dir
}

/** http URL local clients use: a wildcard bind is reached through loopback. */
function clientUrl (server: ApiServer): string {
  if (server.host === '0.0.0.0' || server.host === '::') return `http://127.0.0.1:${server.port}`
  return server.url
}

export type NodeFactory = (partial: Partial<NodeConfig> & { dataDir: string }) => Promise<WgtNode>

export interface DaemonDeps {
  /** the node's composition root; tests of the daemon's own lifecycle pass a small stand-in */
  createNode?: NodeFactory
  rendererDir?: string
}

async function defaultCreateNode (partial: Partial<NodeConfig> & { dataDir: string }): Promise<WgtNode> {
  const { createNode } = await import('../node/index.js')
  return await createNode(partial)
}

export async function startDaemon (cmd: DaemonCommand, io: DaemonIo, deps: DaemonDeps = {}): Promise<RunningDaemon> {
  const dataDir = resolve(cmd.dataDir)
  await mkdir(dataDir, { recursive: true, mode: 0o700 })
  const lock = await acquireLock(dataDir)

  if (!LOOPBACK_HOSTS.has(cmd.apiHost)) {
    io.err(`wgt: WARNING: the API and UI listen on ${cmd.apiHost}, not 127.0.0.1: anyone who can reach this machine can load the UI and try the token. Use only on a trusted network.`)
  }

  let node: WgtNode | undefined
  let server: ApiServer | undefined
  try {
    const partial: Partial<NodeConfig> & { dataDir: string } = { dataDir, bootstrap: cmd.bootstrap, mdns: cmd.mdns, relayServer: cmd.relayServer }
    if (cmd.listen != null) partial.listen = cmd.listen
    if (cmd.quotaBytes != null) partial.quotaBytes = cmd.quotaBytes
    node = await (deps.createNode ?? defaultCreateNode)(partial)
    // kept across restarts: an open UI reconnects by itself; `wgt token rotate` replaces it
    const token = await loadOrCreateToken(dataDir)
    const running = node
    // apiUrl is known once the server listens; rotateToken is only ever called after that
    const info: ApiInfo = { peerId: node.peerId, multiaddrs: node.multiaddrs(), apiUrl: '', token, pid: process.pid }
    const apiFile = new ApiFileWriter(dataDir, info)
    server = await startApiServer({
      api: node.api,
      prometheus: async () => await running.prometheus(),
      token,
      rendererDir: deps.rendererDir ?? join(packageRoot(), 'out', 'renderer'),
      host: cmd.apiHost,
      port: cmd.apiPort,
      uploadDir: join(dataDir, 'uploads'),
      rotateToken: async () => {
        const next = await rotateTokenFile(dataDir)
        await apiFile.update(i => { i.token = next })
        return { token: next, uiUrl: `${info.apiUrl}/#token=${next}` }
      }
    })
    const url = clientUrl(server)
    await apiFile.update(i => { i.apiUrl = url })
    return finishStart(dataDir, node, server, apiFile, lock.release, io)
  } catch (err) {
    await server?.stop().catch(() => {})
    await node?.stop().catch(() => {})
    await removeApiInfo(dataDir).catch(() => {})
    await lock.release().catch(() => {})
    throw err
  }
}

/**
 * api.json's one writer: an address learned and a token rotated may race,
 * so writes are chained (the last one wins) and none lands after stop.
 */
class ApiFileWriter {
  private writes = Promise.resolve()
  private stopped = false

  constructor (private readonly dataDir: string, readonly info: ApiInfo) {}

  async update (change: (info: ApiInfo) => void): Promise<void> {
    const write = this.writes.then(async () => {
      if (this.stopped) return
      change(this.info)
      await writeApiInfo(this.dataDir, this.info)
    })
    this.writes = write.catch(() => {})
    await write
  }

  /** no more writes; resolves once the last one landed */
  async stop (): Promise<void> {
    this.stopped = true
    await this.writes
  }
}

function finishStart (
  dataDir: string,
  node: WgtNode,
  server: ApiServer,
  apiFile: ApiFileWriter,
  releaseLock: () => Promise<void>,
  io: DaemonIo
): RunningDaemon {
  const info = apiFile.info
  // keep api.json's addresses current (listen ports resolved, observed addresses learned)
  const unsubscribe = node.api.on('identity', identity => {
    apiFile.update(i => { i.multiaddrs = identity.multiaddrs })
      .catch(err => { io.err(`wgt: could not update api.json: ${printable(WgtError.from(err).message)}`) })
  })

  let stopping: Promise<void> | undefined
  const stop = async (): Promise<void> => {
    stopping ??= (async () => {
      unsubscribe()
      await apiFile.stop()
      // api.json first: from here on clients are told the daemon is gone
      await removeApiInfo(dataDir)
      try {
        await server.stop()
        await node.stop()
      } finally {
        await releaseLock()
      }
    })()
    await stopping
  }

  return { node, server, info, get uiUrl () { return `${info.apiUrl}/#token=${info.token}` }, stop }
}

/** Run until a signal; resolves with the process exit code. */
export async function runDaemon (cmd: DaemonCommand, io: DaemonIo): Promise<number> {
  // Signals that arrive while the node is still starting must still stop it cleanly.
  let signalled: NodeJS.Signals | undefined
  let wake: (() => void) | undefined
  const onSignal = (signal: NodeJS.Signals): void => {
    if (signalled != null) {
      io.err(`wgt: second ${signal} while stopping; exiting now`)
      process.exit(1)
    }
    signalled = signal
    wake?.()
  }
  const signals: NodeJS.Signals[] = process.platform === 'win32' ? ['SIGINT', 'SIGTERM'] : ['SIGINT', 'SIGTERM', 'SIGHUP']
  for (const s of signals) process.on(s, onSignal)
  // Whoever started us may close our stdout/stderr (`wgt daemon | head -1`); EPIPE must not kill the node.
  process.stdout.on('error', () => {})
  process.stderr.on('error', () => {})
  // A stray rejection inside a library must not take the whole node down.
  process.on('unhandledRejection', reason => {
    io.err(`wgt: unhandled rejection: ${printable(WgtError.from(reason).message)}`)
  })

  const daemon = await startDaemon(cmd, io)
  io.err(`wgt: node ${daemon.node.peerId} listening on ${daemon.info.multiaddrs.join(' ') || '(no addresses)'}`)
  io.err(`wgt: API ${daemon.info.apiUrl} (token in ${join(resolve(cmd.dataDir), 'api.json')})`)
  io.out(daemon.uiUrl)

  if (signalled == null) await new Promise<void>(resolve => { wake = resolve })
  io.err(`wgt: ${signalled ?? 'signal'} received, stopping`)
  const timer = setTimeout(() => {
    io.err(`wgt: stop did not finish within ${STOP_TIMEOUT_MS / 1000} s; exiting`)
    process.exit(1)
  }, STOP_TIMEOUT_MS)
  try {
    await daemon.stop()
  } finally {
    clearTimeout(timer)
  }
  io.err('wgt: stopped')
  return 0
}
