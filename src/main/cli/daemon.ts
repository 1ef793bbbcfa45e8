/**
 * `wgt daemon`: the node, its WebSocket API and the UI over HTTP, until SIGINT
 * or SIGTERM. Start order is lock → node → API server → api.json; stop undoes
 * it in reverse so a client never finds an api.json pointing at nothing.
 *
 * The access token lives in DATA/api-token. The daemon reads it only to write
 * api.json or print the UI's address, and hands it to the API server, which
 * keeps only its SHA-256: no long-lived object holds the plaintext.
 */
import { existsSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { WgtError } from '../../shared/errors.js'
import type { NodeConfig } from '../node/config.js'
import type { WgtNode } from '../node/node.js'
import { acquireLock, loadOrCreateToken, readTokenFile, removeApiInfo, rotateTokenFile, writeApiInfo, type ApiInfo } from './api-file.js'
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

/** api.json without the token, which the daemon does not keep */
export type DaemonInfo = Omit<ApiInfo, 'token'>

export interface RunningDaemon {
  node: WgtNode
  server: ApiServer
  info: DaemonInfo
  /** the UI's address with the current token, read from DATA/api-token */
  uiUrl: () => Promise<string>
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
    if (cmd.mailboxAfterMs != null) partial.mailboxAfterMs = cmd.mailboxAfterMs
    if (cmd.relayCallKbps != null) partial.relayCallKbps = cmd.relayCallKbps
    node = await (deps.createNode ?? defaultCreateNode)(partial)
    const running = node
    // apiUrl is known once the server listens; rotateToken is only ever called after that
    const info: DaemonInfo = { peerId: node.peerId, multiaddrs: node.multiaddrs(), apiUrl: '', pid: process.pid }
    const apiFile = new ApiFileWriter(dataDir, info, line => { io.err(`wgt: ${line}`) })
    server = await startApiServer({
      api: node.api,
      prometheus: async () => await running.prometheus(),
      // kept across restarts (an open UI reconnects by itself); read here and handed over, never held
      token: await loadOrCreateToken(dataDir),
      rendererDir: deps.rendererDir ?? join(packageRoot(), 'out', 'renderer'),
      host: cmd.apiHost,
      port: cmd.apiPort,
      uploadDir: join(dataDir, 'uploads'),
      rotateToken: async () => {
        const next = await apiFile.rotateToken()
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
 * Each write takes the token from DATA/api-token, its one home.
 */
class ApiFileWriter {
  private writes = Promise.resolve()
  private stopped = false

  constructor (private readonly dataDir: string, readonly info: DaemonInfo, private readonly warn: (line: string) => void) {}

  async update (change: (info: DaemonInfo) => void): Promise<void> {
    await this.chain(async () => {
      change(this.info)
      await this.write(await readTokenFile(this.dataDir))
    })
  }

  /**
   * A new token in DATA/api-token, then in api.json; answers it for the API server.
   * Once api-token holds it the rotation has happened (the next start takes it too),
   * so a failure to write api.json is reported, not thrown: the server must follow.
   */
  async rotateToken (): Promise<string> {
    let token: string | undefined
    await this.chain(async () => {
      token = await rotateTokenFile(this.dataDir)
      await this.write(token).catch((err: unknown) => { this.warn(`could not update api.json: ${WgtError.from(err).message}`) })
    })
    if (token == null) throw new WgtError('UNAVAILABLE', 'the daemon is stopping')
    return token
  }

  private async chain (step: () => Promise<void>): Promise<void> {
    const write = this.writes.then(async () => { if (!this.stopped) await step() })
    this.writes = write.catch(() => {})
    await write
  }

  private async write (token: string): Promise<void> {
    const { peerId, multiaddrs, apiUrl, pid } = this.info
    await writeApiInfo(this.dataDir, { peerId, multiaddrs, apiUrl, token, pid })
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

  return { node, server, info, uiUrl: async () => `${info.apiUrl}/#token=${await readTokenFile(dataDir)}`, stop }
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
  io.out(await daemon.uiUrl())

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
