/**
 * The client commands: one API call each against a running daemon.
 * id | peers | connect | ping | metrics, and the files commands share | fetch | files | health | repair.
 */
import { basename } from 'node:path'
import type { WgtApi } from '../../shared/api.js'
import { WgtError } from '../../shared/errors.js'
import type { Command } from './args.js'
import {
  formatConnected, formatFetched, formatFiles, formatHealth, formatIdentity, formatMetrics, formatPeers, formatPing, formatRepair,
  summarizePing
} from './format.js'
import { showProgress, type ProgressSink, type TransferTarget } from './progress.js'
import { connectToDaemon } from './ws-client.js'

export type ClientCommand = Extract<Command, { kind: 'id' | 'peers' | 'connect' | 'ping' | 'metrics' | 'share' | 'fetch' | 'files' | 'health' | 'repair' }>

export interface Output {
  out: (text: string) => void
  /** where transfer progress is drawn; absent when stderr is not a terminal */
  progress?: ProgressSink
}

/** A daemon that stops answering must not hang a script forever. */
const CALL_TIMEOUT_MS = 60_000
/** ping spaces its probes; allow for up to one probe interval per probe beyond the base timeout */
const PING_ALLOWANCE_PER_PROBE_MS = 2000
/** health asks every holder of every segment; their dial and answer timeouts add up on a degraded swarm */
const HEALTH_TIMEOUT_MS = 180_000

/**
 * How long a command may wait for its answer. Share, fetch and repair move whole
 * files and may rightly take many minutes, so they have no deadline: they end with
 * the daemon's answer or when the connection drops (ws-client notices a daemon that
 * closes, dies, or stops answering its keep-alive pings).
 */
export function callTimeoutFor (cmd: ClientCommand): number | null {
  switch (cmd.kind) {
    case 'share': case 'fetch': case 'repair': return null
    case 'health': return HEALTH_TIMEOUT_MS
    case 'ping': return CALL_TIMEOUT_MS + cmd.count * PING_ALLOWANCE_PER_PROBE_MS
    default: return CALL_TIMEOUT_MS
  }
}

export async function runClientCommand (cmd: ClientCommand, output: Output): Promise<void> {
  const conn = await connectToDaemon(cmd.dataDir)
  try {
    const timeout = callTimeoutFor(cmd)
    const run = execute(conn.api, cmd, output)
    await (timeout == null ? run : withTimeout(run, timeout, cmd.kind))
  } finally {
    conn.close()
  }
}

/** The manifest id inside a wgt:// link, or the id itself. */
export function fileIdOf (ref: string): string {
  return ref.startsWith('wgt://') ? ref.slice('wgt://'.length).split('#')[0] : ref
}

async function withProgress<T> (api: WgtApi, target: TransferTarget, output: Output, work: () => Promise<T>): Promise<T> {
  const stop = output.progress != null ? showProgress(api, target, output.progress) : () => {}
  try {
    return await work()
  } finally {
    stop()
  }
}

async function execute (api: WgtApi, cmd: ClientCommand, output: Output): Promise<void> {
  const { out } = output
  const print = (value: unknown, text: () => string): void => {
    out(cmd.json ? JSON.stringify(value, null, 2) : text())
  }
  switch (cmd.kind) {
    case 'id': {
      const id = await api.getIdentity()
      print(id, () => formatIdentity(id))
      return
    }
    case 'peers': {
      const peers = await api.listPeers()
      print(peers, () => formatPeers(peers))
      return
    }
    case 'connect': {
      const peer = await api.connect(cmd.multiaddr)
      print(peer, () => formatConnected(peer))
      return
    }
    case 'ping': {
      const summary = summarizePing(await api.ping(cmd.peerId, cmd.count))
      print(summary, () => formatPing(summary))
      // like ping(8): no answer at all is a failure, partial loss is reported but not fatal
      if (summary.received === 0) throw new WgtError('PEER_UNREACHABLE', `no probe to ${cmd.peerId} was answered (${summary.sent} sent)`)
      return
    }
    case 'metrics': {
      const metrics = await api.getMetrics()
      print(metrics, () => formatMetrics(metrics))
      return
    }
    case 'share': {
      const options = { ...(cmd.k != null ? { k: cmd.k } : {}), ...(cmd.m != null ? { m: cmd.m } : {}) }
      const target: TransferTarget = { kind: 'share', labels: [basename(cmd.file), cmd.file] }
      const r = await withProgress(api, target, output, async () => await api.shareFile(cmd.file, options))
      // the fixed --json shape: exactly these keys
      print({ link: r.link, id: r.id, size: r.size, k: r.k, m: r.m }, () => r.link)
      return
    }
    case 'fetch': {
      const target: TransferTarget = { kind: 'fetch', labels: [cmd.link], fileId: fileIdOf(cmd.link) }
      const r = await withProgress(api, target, output, async () => await (cmd.out != null ? api.fetchFile(cmd.link, cmd.out) : api.fetchFile(cmd.link)))
      print(r, () => formatFetched(r))
      return
    }
    case 'files': {
      const files = await api.listFiles()
      print(files, () => formatFiles(files))
      return
    }
    case 'health': {
      const health = await api.fileHealth(cmd.ref)
      print(health, () => formatHealth(health))
      if (!health.recoverable) {
        const worst = health.segments.find(s => s.reachable < s.k)
        throw new WgtError('UNAVAILABLE', worst != null
          ? `file ${health.id} cannot be rebuilt now: segment ${worst.index} has ${worst.reachable} of the ${worst.k} shards it needs`
          : `file ${health.id} cannot be rebuilt now${health.manifestReachable ? '' : ': its manifest is not reachable'}`)
      }
      return
    }
    case 'repair': {
      const target: TransferTarget = { kind: 'repair', labels: [cmd.ref, fileIdOf(cmd.ref)], fileId: fileIdOf(cmd.ref) }
      const r = await withProgress(api, target, output, async () => await api.repairFile(cmd.ref))
      print(r, () => formatRepair(r))
    }
  }
}

async function withTimeout<T> (promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => { reject(new WgtError('TIMEOUT', `the daemon did not answer '${what}' within ${ms / 1000} s`)) }, ms)
  })
  try {
    return await Promise.race([promise, timeout])
  } finally {
    clearTimeout(timer)
  }
}
