/**
 * Command-line parsing for `wgt`. Pure: argv in, a validated Command out, or a
 * WgtError('INVALID_INPUT') whose message is the one line printed on stderr.
 * The command names, flags and their meaning are a fixed contract other tools use.
 */
import { isAbsolute, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { multiaddr as parseMultiaddr } from '@multiformats/multiaddr'
import { peerIdFromString } from '@libp2p/peer-id'
import { API_METHODS } from '../../shared/api.js'
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
    /** bytes of shards this node may store; undefined: the node's default */
    quotaBytes: number | undefined
  }
  | ({ kind: 'id' } & ClientOptions)
  | ({ kind: 'peers' } & ClientOptions)
  | ({ kind: 'connect', multiaddr: string } & ClientOptions)
  | ({ kind: 'ping', peerId: string, count: number } & ClientOptions)
  | ({ kind: 'metrics' } & ClientOptions)
  /** file: absolute (resolved against the client's cwd: the daemon may run elsewhere) */
  | ({ kind: 'share', file: string, k: number | undefined, m: number | undefined } & ClientOptions)
  /** out: absolute, or undefined for the daemon's download directory */
  | ({ kind: 'fetch', link: string, out: string | undefined } & ClientOptions)
  | ({ kind: 'files' } & ClientOptions)
  /** ref: a manifest id or a wgt:// link */
  | ({ kind: 'health', ref: string } & ClientOptions)
  | ({ kind: 'repair', ref: string } & ClientOptions)

export type CommandName = 'daemon' | 'id' | 'peers' | 'connect' | 'ping' | 'metrics' | 'share' | 'fetch' | 'files' | 'health' | 'repair'

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
  count: { type: 'string', short: 'c' },
  quota: { type: 'string' },
  k: { type: 'string' },
  m: { type: 'string' },
  output: { type: 'string', short: 'o' }
} as const

type OptionName = keyof typeof OPTIONS

const CLIENT_OPTIONS: OptionName[] = ['help', 'data-dir', 'json']

const COMMAND_OPTIONS: Record<CommandName, OptionName[]> = {
  daemon: ['help', 'data-dir', 'listen', 'bootstrap', 'api-port', 'api-host', 'no-mdns', 'relay-server', 'quota'],
  id: CLIENT_OPTIONS,
  peers: CLIENT_OPTIONS,
  connect: CLIENT_OPTIONS,
  ping: [...CLIENT_OPTIONS, 'count'],
  metrics: CLIENT_OPTIONS,
  share: [...CLIENT_OPTIONS, 'k', 'm'],
  fetch: [...CLIENT_OPTIONS, 'output'],
  files: CLIENT_OPTIONS,
  health: CLIENT_OPTIONS,
  repair: CLIENT_OPTIONS
}

const COMMAND_ARGS: Record<CommandName, string[]> = {
  daemon: [],
  id: [],
  peers: [],
  connect: ['MULTIADDR'],
  ping: ['PEER'],
  metrics: [],
  share: ['FILE'],
  fetch: ['LINK'],
  files: [],
  health: ['ID|LINK'],
  repair: ['ID|LINK']
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

/** `cwd` resolves relative FILE and -o PATH: the daemon that opens them may run in another directory. */
export function parseCommand (argv: string[], env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): Command {
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
        relayServer: values['relay-server'] === true,
        quotaBytes: byteSize(stringValue(values.quota), '--quota')
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
    case 'share': {
      if (args[0] === '') throw usage('FILE must not be empty', name)
      const k = integer(stringValue(values.k), '--k', 1, 254)
      const m = integer(stringValue(values.m), '--m', 0, 254)
      if ((k ?? DEFAULT_K) + (m ?? DEFAULT_M) > 255) throw usage(`k + m must be at most 255, got ${k ?? DEFAULT_K} + ${m ?? DEFAULT_M}`, name)
      return { kind: 'share', file: absolute(args[0], cwd), k, m, ...client }
    }
    case 'fetch': {
      checkLink(args[0])
      const out = stringValue(values.output)
      if (out === '') throw usage('-o PATH must not be empty', name)
      return { kind: 'fetch', link: args[0], out: out == null ? undefined : absolute(out, cwd), ...client }
    }
    case 'health':
    case 'repair':
      checkFileRef(args[0])
      return { kind: name, ref: args[0], ...client }
    default:
      return { kind: name, ...client }
  }
}

/** The node's defaults (ShareOptions), for the k + m bound only: unset flags are left to the node. */
const DEFAULT_K = 4
const DEFAULT_M = 2

function absolute (path: string, cwd: string): string {
  return isAbsolute(path) ? path : resolve(cwd, path)
}

/** Same rules as the API's own validation, checked here so a typo fails before a daemon is contacted. */
export function checkLink (link: string): void {
  if (!API_METHODS.fetchFile.safeParse([link]).success) {
    throw new WgtError('INVALID_INPUT', `bad link ${JSON.stringify(link)}: expected wgt://<file id>#<key> as printed by 'wgt share'`)
  }
}

export function checkFileRef (ref: string): void {
  if (!API_METHODS.fileHealth.safeParse([ref]).success) {
    throw new WgtError('INVALID_INPUT', `bad file reference ${JSON.stringify(ref)}: expected a file id (b…) or a wgt:// link`)
  }
}

const BYTE_SUFFIXES: Record<string, number> = {
  '': 1,
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  k: 2 ** 10,
  kib: 2 ** 10,
  m: 2 ** 20,
  mib: 2 ** 20,
  g: 2 ** 30,
  gib: 2 ** 30,
  t: 2 ** 40,
  tib: 2 ** 40
}

/**
 * A byte count with an optional unit: 500000000, 500MB, 10GiB, 1.5T. kB/MB/GB/TB are
 * powers of 1000, KiB/MiB/GiB/TiB and the bare letters K/M/G/T powers of 1024 (as dd and ls -h).
 */
export function byteSize (raw: string | undefined, flag: string): number | undefined {
  if (raw == null) return undefined
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(raw)
  const unit = match?.[2].toLowerCase()
  const multiplier = unit != null && Object.hasOwn(BYTE_SUFFIXES, unit) ? BYTE_SUFFIXES[unit] : undefined
  const n = match != null && multiplier != null ? Math.floor(Number(match[1]) * multiplier) : NaN
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new WgtError('INVALID_INPUT', `${flag} must be a byte count like 500000000, 500MB or 10GiB, got ${JSON.stringify(raw)}`)
  }
  return n
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
                  [--api-port N] [--api-host HOST] [--no-mdns] [--relay-server] [--quota BYTES]

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
                        directly; use on a publicly reachable node
  --quota BYTES         disk space for shards (ours and other peers'), e.g. 50GB or 10GiB;
                        kB/MB/GB/TB are powers of 1000, K/KiB, M/MiB, G/GiB, T/TiB of 1024`,
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

${CLIENT_FLAGS}`,
  share: `Usage: wgt share FILE [--k K] [--m M] [--data-dir DIR] [--json]

Encrypt FILE, split each segment into K data and M parity shards, place them on peers,
and print the file's link (wgt://<file id>#<key>). Anyone holding the link can fetch the
file; the peers storing shards see only ciphertext. Any K of the K+M shards of each
segment rebuild it. With --json: {"link","id","size","k","m"}.
Progress goes to stderr when it is a terminal.

  --k K            data shards per segment, 1..254; default ${DEFAULT_K}
  --m M            parity shards per segment, 0..254 (K + M at most 255); default ${DEFAULT_M}
${CLIENT_FLAGS}`,
  fetch: `Usage: wgt fetch LINK [-o PATH] [--data-dir DIR] [--json]

Fetch a file by its link, verify every shard and the whole file's SHA-256, and print
where it was saved, its size and SHA-256. An interrupted fetch resumes where it stopped.
Without -o the daemon saves into its download directory under the file's name.
Progress goes to stderr when it is a terminal.

  -o, --output PATH  where to save the file
${CLIENT_FLAGS}`,
  files: `Usage: wgt files [--data-dir DIR] [--json]

List the files this node shared and received, with their links.

${CLIENT_FLAGS}`,
  health: `Usage: wgt health ID|LINK [--data-dir DIR] [--json]

Ask the holders, now, how many shards of each segment of a file are reachable, and
whether every segment can still be rebuilt. Exits ${EXIT_CODES.UNAVAILABLE} (UNAVAILABLE) if it cannot.

${CLIENT_FLAGS}`,
  repair: `Usage: wgt repair ID|LINK [--data-dir DIR] [--json]

Rebuild the missing shards of a file from the reachable ones and place them on new
holders; prints how many were re-created and the file's health afterwards.

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
  share      encrypt and spread a file over peers; prints its link
  fetch      fetch a file by link
  files      files shared and received
  health     how many shards of each segment of a file are reachable
  repair     re-create a file's missing shards on new holders

Client commands reach a running daemon through --data-dir DIR (DIR/api.json).
'wgt <command> --help' describes each one; 'wgt --version' prints the version.

Exit codes:
   0  success
${exitCodeTable()}`
}
