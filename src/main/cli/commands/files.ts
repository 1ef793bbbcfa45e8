/** wgt share | fetch | files | health | repair: files as wgt:// links. */
import type { FetchResult, FileEntry, FileHealth, LinkPreview, RepairResult, ShareResult } from '../../../shared/api/index.js'
import { WgtError } from '../../../shared/errors.js'
import { clientCommand } from '../client-command.js'
import { EXIT_CODES } from '../exit-codes.js'
import { bytes, printable } from '../format.js'
import { absolute, checkFileRef, checkLink, integer, stringValue, usage } from '../options.js'
import { runOperation } from '../progress.js'
import type { CommandSpec } from './command.js'

/** The node's defaults (ShareOptions), for the k + m bound only: unset flags are left to the node. */
const DEFAULT_K = 4
const DEFAULT_M = 2

const share: CommandSpec = clientCommand({
  name: 'share',
  summary: 'encrypt and spread a file over peers; prints its link',
  usage: 'FILE [--k N] [--m N] [--data-dir DIR] [--json]',
  description: `Encrypt FILE, cut it into shards with Reed-Solomon k+m (any k of the k+m rebuild each
segment), place the shards on distinct peers, and print the file's wgt:// link.
Whoever has the link can fetch the file; storage peers only ever see ciphertext.
Progress goes to stderr when it is a terminal; Ctrl-C cancels the share and takes
back the shards already placed.`,
  args: [{ name: 'FILE' }],
  options: [
    { flags: '--k <N>', help: `data shards per segment, 1 to 254 (default ${DEFAULT_K})` },
    { flags: '--m <N>', help: `parity shards per segment, 0 to 254 (default ${DEFAULT_M}); k + m at most 255` }
  ],
  parse: ({ args, opts, cwd, dataDir, json }) => {
    if (args[0] === '') throw usage('FILE must not be empty', 'share')
    const k = integer(stringValue(opts.k), '--k', 1, 254)
    const m = integer(stringValue(opts.m), '--m', 0, 254)
    if ((k ?? DEFAULT_K) + (m ?? DEFAULT_M) > 255) throw usage(`k + m must be at most 255, got ${k ?? DEFAULT_K} + ${m ?? DEFAULT_M}`, 'share')
    return { kind: 'share', file: absolute(args[0], cwd), k, m, dataDir, json }
  },
  call: async (api, cmd, io) => {
    const options = { ...(cmd.k != null ? { k: cmd.k } : {}), ...(cmd.m != null ? { m: cmd.m } : {}) }
    const op = await runOperation(api, io, async () => await api.shareFile(cmd.file, options))
    return op.result as ShareResult
  },
  // the fixed --json shape: exactly these keys
  json: r => ({ link: r.link, id: r.id, size: r.size, k: r.k, m: r.m }),
  text: r => r.link
})

const fetch: CommandSpec = clientCommand({
  name: 'fetch',
  summary: 'fetch a file by link',
  usage: 'LINK [-o PATH] [--data-dir DIR] [--json]',
  description: `Fetch a file by its link, verify every shard and the whole file's SHA-256, and print
where it was saved, its size and SHA-256. An interrupted fetch resumes where it stopped.
Without -o the daemon saves into its download directory under the file's name, or,
when this link was fetched before and that copy is still there, points to it.
Progress goes to stderr when it is a terminal; Ctrl-C cancels and removes the partial file.`,
  args: [{ name: 'LINK' }],
  options: [{ flags: '-o, --output <PATH>', help: 'where to save the file' }],
  parse: ({ args, opts, cwd, dataDir, json }) => {
    checkLink(args[0])
    const out = stringValue(opts.output)
    if (out === '') throw usage('-o PATH must not be empty', 'fetch')
    return { kind: 'fetch', link: args[0], out: out == null ? undefined : absolute(out, cwd), dataDir, json }
  },
  call: async (api, cmd, io) => {
    const op = await runOperation(api, io, async () => await api.fetchFile(cmd.link, cmd.out))
    return op.result as FetchResult
  },
  // the --json shape as it has always been
  json: r => ({ id: r.id, name: r.name, size: r.size, path: r.path, sha256: r.sha256, badHolders: r.badHolders, resumedSegments: r.resumedSegments }),
  text: formatFetched
})

const files: CommandSpec = clientCommand({
  name: 'files',
  summary: 'files shared and received',
  usage: '[--data-dir DIR] [--json]',
  description: 'List the files this node shared and received, with their links.',
  parse: ({ dataDir, json }) => ({ kind: 'files', dataDir, json }),
  call: async (api) => await api.listFiles(),
  // the --json shape as it has always been (who sent a received file shows in the text)
  json: list => list.map(({ from: _from, ...entry }) => entry),
  text: formatFiles
})

const inspect: CommandSpec = clientCommand({
  name: 'files inspect',
  summary: 'what a link leads to, before fetching it',
  usage: 'LINK [--network] [--data-dir DIR] [--json]',
  description: `Read a link's root record and manifest (never the file itself) and print the file's
name, size and segments, the peers that served its root record just now, the peers whose
offers in this node's inbox carry the link, and whether this node has the file already.
Only peers this node is connected to already (and the holders its own records name) are
asked, unless --network: then the DHT too, and the peers it lists are dialled — they learn
this node's address.`,
  args: [{ name: 'LINK' }],
  options: [{ flags: '--network', help: 'also look the file up on the DHT and ask the peers listed there (they learn your address)' }],
  parse: ({ args, opts, dataDir, json }) => {
    checkLink(args[0])
    return { kind: 'files inspect', link: args[0], network: opts.network === true, dataDir, json }
  },
  call: async (api, cmd) => await api.inspectLink(cmd.link, { search: cmd.network === true ? 'network' : 'connected' }),
  text: formatPreview
})

const health: CommandSpec = clientCommand({
  name: 'health',
  summary: 'how many shards of each segment of a file are reachable',
  usage: 'ID|LINK [--data-dir DIR] [--json]',
  description: `Ask the holders, now, how many shards of each segment of a file are reachable, and
whether every segment can still be rebuilt. Exits ${EXIT_CODES.UNAVAILABLE} (UNAVAILABLE) if it cannot.`,
  args: [{ name: 'ID|LINK' }],
  parse: ({ args, dataDir, json }) => {
    checkFileRef(args[0])
    return { kind: 'health', ref: args[0], dataDir, json }
  },
  call: async (api, cmd) => await api.fileHealth(cmd.ref),
  text: formatHealth,
  check: h => {
    if (h.recoverable) return
    const worst = h.segments.find(s => s.reachable < s.k)
    throw new WgtError('UNAVAILABLE', worst != null
      ? `file ${h.id} cannot be rebuilt now: segment ${worst.index} has ${worst.reachable} of the ${worst.k} shards it needs`
      : `file ${h.id} cannot be rebuilt now${h.manifestReachable ? '' : ': its manifest is not reachable'}`)
  }
})

const repair: CommandSpec = clientCommand({
  name: 'repair',
  summary: 're-create a file\'s missing shards on new holders',
  usage: 'ID|LINK [--data-dir DIR] [--json]',
  description: `Rebuild the missing shards of a file from the reachable ones and place them on new
holders; prints how many were re-created and the file's health afterwards.`,
  args: [{ name: 'ID|LINK' }],
  parse: ({ args, dataDir, json }) => {
    checkFileRef(args[0])
    return { kind: 'repair', ref: args[0], dataDir, json }
  },
  call: async (api, cmd, io) => {
    const op = await runOperation(api, io, async () => await api.repairFile(cmd.ref))
    return op.result as RepairResult
  },
  text: formatRepair
})

export const filesCommands: CommandSpec[] = [share, fetch, files, inspect, health, repair]

export function formatFetched (r: FetchResult): string {
  const lines = [
    r.existing ? `already here ${printable(r.path)} (fetched before; nothing was written)` : `saved   ${printable(r.path)}`,
    `size    ${bytes(r.size)} (${r.size} bytes)`,
    `sha256  ${r.sha256} (verified)`
  ]
  if (r.resumedSegments > 0) lines.push(`resumed ${r.resumedSegments} segment${r.resumedSegments === 1 ? '' : 's'} from an earlier attempt`)
  if (r.badHolders.length > 0) lines.push(`rejected corrupt shards from ${printable(r.badHolders.join(', '))}`)
  return lines.join('\n')
}

export function formatFiles (files: FileEntry[]): string {
  if (files.length === 0) return 'no files shared or received'
  return [...files]
    .sort((a, b) => b.createdAt - a.createdAt)
    .map(f => [
      `${f.direction === 'shared' ? 'shared  ' : 'received'}  ${printable(f.name)}  ${bytes(f.size)}  ${f.k}+${f.m}  ${f.segments} segment${f.segments === 1 ? '' : 's'}  ${new Date(f.createdAt).toISOString()}`,
      `  id    ${f.id}`,
      `  link  ${f.link}`,
      ...(f.path != null ? [`  path  ${printable(f.path)}`] : []),
      ...(f.from != null ? [`  from  ${printable(f.from)}`] : [])
    ].join('\n'))
    .join('\n')
}

export function formatHealth (h: FileHealth): string {
  const lines = [
    `file         ${h.id}`,
    `checked      ${new Date(h.checkedAt).toISOString()}`,
    `manifest     ${h.manifestReachable ? 'reachable' : 'NOT reachable'}`,
    `recoverable  ${h.recoverable ? 'yes' : 'NO'} (fewest reachable shards in a segment: ${h.minReachable})`
  ]
  for (const s of h.segments) {
    const state = s.reachable >= s.total ? 'complete' : s.reachable >= s.k ? 'degraded' : 'LOST'
    lines.push(`  segment ${String(s.index).padStart(4)}  ${String(s.reachable).padStart(3)}/${s.total} reachable, needs ${s.k}  ${state}  holders ${s.holders.length}`)
  }
  return lines.join('\n')
}

export function formatRepair (r: RepairResult): string {
  return `re-created ${r.recreated} shard${r.recreated === 1 ? '' : 's'}\n${formatHealth(r.health)}`
}

export function formatPreview (p: LinkPreview): string {
  const peers = (list: string[]): string => list.length === 0 ? 'nobody' : printable(list.join(', '))
  const lines = [
    `name       ${printable(p.name)}`,
    `size       ${bytes(p.size)} (${p.size} bytes)`,
    `segments   ${p.segments} (k=${p.k}, m=${p.m})`,
    `served by  ${peers(p.servedBy)}`,
    `offered by ${peers(p.offeredBy)}`
  ]
  if (p.existing != null) lines.push(p.existing.direction === 'shared' ? 'here       shared from this node' : `here       fetched before: ${printable(p.existing.path ?? '')}`)
  return lines.join('\n')
}
