/** wgt daemon: the node headless, with its API over WebSocket and the UI over HTTP. */
import { DEFAULT_RELAY_CALL_KBPS } from '../../node/config.js'
import { DEFAULT_PORTS } from '../../node/ports.js'
import { byteSize, checkMultiaddr, integer, stringList, stringValue, usage } from '../options.js'
import type { CommandSpec } from './command.js'

export interface DaemonCommand {
  kind: 'daemon'
  dataDir: string
  /** undefined: the node's default listen addresses */
  listen: string[] | undefined
  bootstrap: string[]
  apiPort: number
  apiHost: string
  mdns: boolean
  relayServer: boolean
  /** the relay's cap on call media, kbit/s; undefined: the node's default */
  relayCallKbps: number | undefined
  /** bytes of shards this node may store; undefined: the node's default */
  quotaBytes: number | undefined
  mailboxAfterMs: number | undefined
}

const daemon: CommandSpec<DaemonCommand> = {
  name: 'daemon',
  summary: 'run a node headless, with the API and the UI over HTTP',
  usage: `[--data-dir DIR] [--listen MULTIADDR ...] [--bootstrap MULTIADDR ...]
                  [--api-port N] [--api-host HOST] [--no-mdns] [--relay-server [--relay-call-kbps N]] [--quota BYTES]`,
  description: `Run a WGT node headless, with its API over WebSocket and its UI over HTTP.
When ready it writes DIR/api.json (mode 0600: peerId, multiaddrs, apiUrl, token, pid)
and prints the UI's URL. The access token is kept in DIR/api-token and survives a
restart, so an open UI reconnects by itself; 'wgt token rotate' replaces it.
Stops cleanly on SIGINT and SIGTERM. One daemon per data dir.`,
  options: [
    { flags: '--listen <MULTIADDR...>', help: `listen address (repeatable); default: tcp ${DEFAULT_PORTS.tcp}, ws ${DEFAULT_PORTS.ws},\nwebrtc-direct ${DEFAULT_PORTS.webrtcDirect}, circuit relay and webrtc` },
    { flags: '--bootstrap <MULTIADDR...>', help: 'peer to join through, with /p2p/<peer id> (repeatable)' },
    { flags: '--api-port <N>', help: `HTTP/WebSocket API port, 0 = any free port; default ${DEFAULT_PORTS.api}` },
    { flags: '--api-host <HOST>', help: 'address the API and UI listen on; default 127.0.0.1 (only this machine)' },
    { flags: '--no-mdns', help: 'do not look for peers on the local network with mDNS' },
    { flags: '--relay-server', help: 'relay connections for peers that cannot reach each other directly' },
    { flags: '--relay-call-kbps <N>', help: `with --relay-server: the most call media it relays, all calls and both directions,\nin kbit/s; over it datagrams are dropped and calls lower their bitrate; default ${DEFAULT_RELAY_CALL_KBPS}` },
    { flags: '--quota <BYTES>', help: 'disk for shards, ours and other peers\' (500MB, 10GiB, …); default the smaller of\n10 GiB and half the free disk, or what was last set in the UI' },
    { flags: '--mailbox-after <SECONDS>', help: 'a chat message to a contact still undelivered after this long is also sealed and left\nwith other peers, for the contact to collect on return; default 30' }
  ],
  client: false,
  parse: async ({ opts, dataDir }) => {
    const listen = stringList(opts.listen)
    const bootstrap = stringList(opts.bootstrap) ?? []
    for (const addr of listen ?? []) await checkMultiaddr(addr, '--listen')
    for (const addr of bootstrap) await checkMultiaddr(addr, '--bootstrap', true)
    const apiHost = stringValue(opts.apiHost) ?? '127.0.0.1'
    if (apiHost === '') throw usage('--api-host must not be empty', 'daemon')
    return {
      kind: 'daemon',
      dataDir,
      listen,
      bootstrap,
      apiPort: integer(stringValue(opts.apiPort), '--api-port', 0, 65535) ?? DEFAULT_PORTS.api,
      apiHost,
      mdns: opts.mdns !== false,
      relayServer: opts.relayServer === true,
      relayCallKbps: relayCallKbps(opts),
      quotaBytes: byteSize(stringValue(opts.quota), '--quota'),
      mailboxAfterMs: seconds(integer(stringValue(opts.mailboxAfter), '--mailbox-after', 1, 7 * 86_400))
    }
  },
  run: async (cmd, io) => {
    // loaded only here: the node pulls in all of libp2p, which client commands don't need
    const { runDaemon } = await import('../daemon.js')
    return await runDaemon(cmd, { out: io.out, err: io.err })
  }
}

function relayCallKbps (opts: Record<string, unknown>): number | undefined {
  const kbps = integer(stringValue(opts.relayCallKbps), '--relay-call-kbps', 64, 10_000_000)
  if (kbps != null && opts.relayServer !== true) throw usage('--relay-call-kbps needs --relay-server', 'daemon')
  return kbps
}

const seconds = (s: number | undefined): number | undefined => s == null ? undefined : s * 1000

export const daemonCommands: CommandSpec[] = [daemon]
