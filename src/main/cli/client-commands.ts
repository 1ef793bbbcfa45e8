/** `wgt id | peers | connect | ping | metrics`: one API call each against a running daemon. */
import type { WgtApi } from '../../shared/api.js'
import { WgtError } from '../../shared/errors.js'
import type { Command } from './args.js'
import { formatConnected, formatIdentity, formatMetrics, formatPeers, formatPing, summarizePing } from './format.js'
import { connectToDaemon } from './ws-client.js'

export type ClientCommand = Extract<Command, { kind: 'id' | 'peers' | 'connect' | 'ping' | 'metrics' }>

export interface Output {
  out: (text: string) => void
}

/** A daemon that stops answering must not hang a script forever. */
const CALL_TIMEOUT_MS = 60_000
/** ping spaces its probes; allow for up to one probe interval per probe beyond the base timeout */
const PING_ALLOWANCE_PER_PROBE_MS = 2000

export async function runClientCommand (cmd: ClientCommand, output: Output): Promise<void> {
  const conn = await connectToDaemon(cmd.dataDir)
  try {
    const timeout = cmd.kind === 'ping' ? CALL_TIMEOUT_MS + cmd.count * PING_ALLOWANCE_PER_PROBE_MS : CALL_TIMEOUT_MS
    await withTimeout(execute(conn.api, cmd, output), timeout, cmd.kind)
  } finally {
    conn.close()
  }
}

async function execute (api: WgtApi, cmd: ClientCommand, { out }: Output): Promise<void> {
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
