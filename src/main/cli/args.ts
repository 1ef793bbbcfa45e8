/**
 * Command-line parsing for `wgt`. Pure: argv in, a validated Command out, or a
 * WgtError('INVALID_INPUT') whose message is the one line printed on stderr.
 * The command names, flags and their meaning are a fixed contract other tools use.
 */
import { parseArgs } from 'node:util'
import { multiaddr as parseMultiaddr } from '@multiformats/multiaddr'
import { peerIdFromString } from '@libp2p/peer-id'
import { WgtError } from '../../shared/errors.js'
import { DEFAULT_PORTS } from '../node/config.js'
import { defaultDataDir } from './data-dir.js'
import { EXIT_CODES, exitCodeTable } from './exit-codes.js'

export interface ClientOptions { dataDir: string, json: boolean }

export type Command =
  | { kind: 'help', text: string }
  | { kind: 'version' }
  | {
    kind: 'daemon'
    dataDir: string
    /** undefined: the node's default listen addresses */
    listen: string[] | undefined
    bootstrap: string[]
    apiPort: number
    apiHost: string
    mdns: boolean
    relayServer: boolean
  }
  | ({ kind: 'id' } & ClientOptions)
  | ({ kind: 'peers' } & ClientOptions)
  | ({ kind: 'connect', multiaddr: string } & ClientOptions)
  | ({ kind: 'ping', peerId: string, count: number } & ClientOptions)
  | ({ kind: 'metrics' } & ClientOptions)

export type CommandName = 'daemon' | 'id' | 'peers' | 'connect' | 'ping' | 'metrics'

const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
  'data-dir': { type: 'string' },
  json: { type: 'boolean' },
  listen: { type: 'string', multiple: true },
  bootstrap: { type: 'string', multiple: true },
  'api-port': { type: 'string' },
  'api-host': { type: 'string' },
  'no-mdns': { type: 'boolean' },
  'relay-server': { type: 'boolean' },
  count: { type: 'string', short: 'c' }
} as const

type OptionName = keyof typeof OPTIONS

const CLIENT_OPTIONS: OptionName[] = ['help', 'data-dir', 'json']

const COMMAND_OPTIONS: Record<CommandName, OptionName[]> = {
  daemon: ['help', 'data-dir', 'listen', 'bootstrap', 'api-port', 'api-host', 'no-mdns', 'relay-server'],
  id: CLIENT_OPTIONS,
  peers: CLIENT_OPTIONS,
  connect: CLIENT_OPTIONS,
  ping: [...CLIENT_OPTIONS, 'count'],
  metrics: CLIENT_OPTIONS
}

const COMMAND_ARGS: Record<CommandName, string[]> = {
  daemon: [],
  id: [],
  peers: [],
  connect: ['MULTIADDR'],
  ping: ['PEER'],
  metrics: []
}

export const DEFAULT_PING_COUNT = 5
const MAX_PING_COUNT = 1000

function isCommandName (name: string): name is CommandName {
  return Object.hasOwn(COMMAND_OPTIONS, name)
}

function usage (message: string, command?: CommandName): WgtError {
  const hint = command == null ? 'wgt --help' : `wgt ${command} --help`
  return new WgtError('INVALID_INPUT', `${message} (see ${hint})`)
}

export function parseCommand (argv: string[], env: NodeJS.ProcessEnv = process.env): Command {
  const { values, positionals, tokens } = parseArgs({
    args: argv,
    options: OPTIONS,
    // strict parsing is done below against each command's own option set, so the
    // error can name the command and the option in one line.
    strict: false,
    allowPositionals: true,
    tokens: true
  })

  // Unknown options first: in non-strict mode `--bogus value` turns `value` into a positional.
  for (const token of tokens) {
    if (token.kind !== 'option') continue
    if (!Object.hasOwn(OPTIONS, token.name)) throw usage(`unknown option ${token.rawName}`)
  }

  const name = positionals[0]
  if (name === 'help') return { kind: 'help', text: positionals[1] != null && isCommandName(positionals[1]) ? commandHelp(positionals[1]) : mainHelp() }
  if (name == null) {
    if (values.version === true) return { kind: 'version' }
    if (values.help === true) return { kind: 'help', text: mainHelp() }
    throw usage('missing command')
  }
  if (!isCommandName(name)) throw usage(`unknown command ${JSON.stringify(name)}`)

  const allowed = COMMAND_OPTIONS[name]
  for (const token of tokens) {
    if (token.kind !== 'option') continue
    const option = token.name as OptionName
    if (!allowed.includes(option)) throw usage(`'wgt ${name}' has no option ${token.rawName}`, name)
    const spec = OPTIONS[option]
    if (spec.type === 'string' && (token.value == null || (token.inlineValue !== true && token.value.startsWith('-')))) {
      throw usage(`option ${token.rawName} needs a value`, name)
    }
    if (spec.type === 'boolean' && token.value != null) throw usage(`option ${token.rawName} takes no value`, name)
  }
  if (values.help === true) return { kind: 'help', text: commandHelp(name) }

  const args = positionals.slice(1)
  const expected = COMMAND_ARGS[name]
  if (args.length < expected.length) throw usage(`'wgt ${name}' needs ${expected.slice(args.length).join(' ')}`, name)
  if (args.length > expected.length) throw usage(`unexpected argument ${JSON.stringify(args[expected.length])}`, name)

  const dataDir = stringValue(values['data-dir']) ?? defaultDataDir(env)
  if (dataDir === '') throw usage('--data-dir must not be empty', name)
  const client: ClientOptions = { dataDir, json: values.json === true }

  switch (name) {
    case 'daemon': {
      const listen = stringList(values.listen)
      const bootstrap = stringList(values.bootstrap) ?? []
      for (const addr of listen ?? []) checkMultiaddr(addr, '--listen')
      for (const addr of bootstrap) checkMultiaddr(addr, '--bootstrap', true)
      const apiHost = stringValue(values['api-host']) ?? '127.0.0.1'
      if (apiHost === '') throw usage('--api-host must not be empty', name)
      return {
        kind: 'daemon',
        dataDir,
        listen,
        bootstrap,
        apiPort: integer(stringValue(values['api-port']), '--api-port', 0, 65535) ?? DEFAULT_PORTS.api,
        apiHost,
        mdns: values['no-mdns'] !== true,
        relayServer: values['relay-server'] === true
      }
    }
    case 'connect':
      checkMultiaddr(args[0], 'MULTIADDR', true)
      return { kind: 'connect', multiaddr: args[0], ...client }
    case 'ping':
      checkPeerId(args[0])
      return {
        kind: 'ping',
        peerId: args[0],
        count: integer(stringValue(values.count), '--count', 1, MAX_PING_COUNT) ?? DEFAULT_PING_COUNT,
        ...client
      }
    default:
      return { kind: name, ...client }
  }
}

function stringValue (value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined
}

function stringList (value: unknown): string[] | undefined {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : undefined
}

function integer (raw: string | undefined, flag: string, min: number, max: number): number | undefined {
  if (raw == null) return undefined
  const n = /^\d{1,10}$/.test(raw) ? Number(raw) : NaN
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new WgtError('INVALID_INPUT', `${flag} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`)
  }
  return n
}

/** Throws INVALID_INPUT unless `addr` parses as a multiaddr (and, when asked, names a valid peer). */
export function checkMultiaddr (addr: string, what: string, needPeer = false): void {
  let components: Array<{ name: string, value?: string }>
  try {
    components = parseMultiaddr(addr).getComponents()
  } catch (err) {
    throw new WgtError('INVALID_INPUT', `bad multiaddr ${JSON.stringify(addr)} for ${what}: ${(err as Error).message}`)
  }
  if (!needPeer) return
  const p2p = components.findLast(c => c.name === 'p2p')
  if (p2p?.value == null) throw new WgtError('INVALID_INPUT', `bad multiaddr ${JSON.stringify(addr)} for ${what}: it must end in /p2p/<peer id>`)
}

export function checkPeerId (peerId: string): void {
  try {
    peerIdFromString(peerId)
  } catch {
    throw new WgtError('INVALID_INPUT', `bad peer id ${JSON.stringify(peerId)}: not a libp2p PeerId`)
  }
}

const CLIENT_FLAGS = `  --data-dir DIR   the daemon's data directory (reads DIR/api.json); default: ${defaultDataDir()}
  --json           print JSON instead of text`

const COMMAND_HELP: Record<CommandName, string> = {
  daemon: `Usage: wgt daemon [--data-dir DIR] [--listen MULTIADDR ...] [--bootstrap MULTIADDR ...]
                  [--api-port N] [--api-host HOST] [--no-mdns] [--relay-server]

Run a WGT node headless, with its API over WebSocket and its UI over HTTP.
When ready it writes DIR/api.json (mode 0600: peerId, multiaddrs, apiUrl, token, pid)
and prints the UI's URL. Stops cleanly on SIGINT and SIGTERM. One daemon per data dir.

  --data-dir DIR        identity, peer store and state; default: ${defaultDataDir()}
  --listen MULTIADDR    listen address (repeatable); default: tcp ${DEFAULT_PORTS.tcp}, ws ${DEFAULT_PORTS.ws},
                        webrtc-direct ${DEFAULT_PORTS.webrtcDirect}, circuit relay and webrtc
  --bootstrap MULTIADDR peer to join through, with /p2p/<peer id> (repeatable)
  --api-port N          HTTP/WebSocket API port, 0 = any free port; default ${DEFAULT_PORTS.api}
  --api-host HOST       interface the API binds to; default 127.0.0.1. Anything else exposes
                        the UI to the network (the API still needs the token)
  --no-mdns             do not discover peers on the LAN with mDNS
  --relay-server        relay connections (circuit relay v2) for peers that cannot be reached
                        directly; use on a publicly reachable node`,
  id: `Usage: wgt id [--data-dir DIR] [--json]

Print the daemon's peer id, agent, listen addresses and protocols.

${CLIENT_FLAGS}`,
  peers: `Usage: wgt peers [--data-dir DIR] [--json]

List the peers the daemon knows, with connection kind, RTT and traffic.

${CLIENT_FLAGS}`,
  connect: `Usage: wgt connect MULTIADDR [--data-dir DIR] [--json]

Dial a peer. MULTIADDR must end in /p2p/<peer id>, e.g.
/ip4/192.0.2.7/tcp/${DEFAULT_PORTS.tcp}/p2p/12D3KooW...

${CLIENT_FLAGS}`,
  ping: `Usage: wgt ping PEER [--count N] [--data-dir DIR] [--json]

Probe a connected peer over WGT's long-lived probe stream and print each round trip
and a min/avg/max/loss summary, like ping(8). Exits ${EXIT_CODES.PEER_UNREACHABLE} (PEER_UNREACHABLE) if no probe was answered.

  -c, --count N    number of probes, 1..${MAX_PING_COUNT}; default ${DEFAULT_PING_COUNT}
${CLIENT_FLAGS}`,
  metrics: `Usage: wgt metrics [--data-dir DIR] [--json]

Print traffic totals and rates, this machine's measured capacity, and RTT per peer.

${CLIENT_FLAGS}`
}

export function commandHelp (name: CommandName): string {
  return COMMAND_HELP[name]
}

export function mainHelp (): string {
  return `Usage: wgt <command> [options]

Commands:
  daemon     run a node headless, with the API and the UI over HTTP
  id         this node's identity
  peers      known peers, their connections, RTT and traffic
  connect    dial a peer by multiaddr
  ping       probe a peer's round-trip time
  metrics    traffic, capacity and per-peer RTT

Client commands reach a running daemon through --data-dir DIR (DIR/api.json).
'wgt <command> --help' describes each one; 'wgt --version' prints the version.

Exit codes:
   0  success
${exitCodeTable()}`
}
