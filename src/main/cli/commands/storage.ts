/** wgt storage [--pool BYTES] [--per-peer BYTES] [--off|--on] | storage scrub: the shard store's pools. */
import type { Policies, ScrubResult, StorageInfo } from '../../../shared/api/index.js'
import { clientCommand } from '../client-command.js'
import { bytes } from '../format.js'
import { byteSize, stringValue, usage } from '../options.js'
import type { CommandSpec } from './command.js'

interface StorageView { storage: StorageInfo, policy: Policies['storage'] }

const storage: CommandSpec = clientCommand({
  name: 'storage',
  summary: 'disk used for shards: your own files and storage for others',
  usage: '[--pool BYTES] [--per-peer BYTES] [--off|--on] [--data-dir DIR] [--json]',
  description: `Show the shard store: the quota, what your own files take, and the pool kept for other
peers with its per-peer quota. --pool and --per-peer change those limits (500MB, 2GiB, …;
"default" goes back to half the quota and an eighth of the pool). --off stops storing shards
for others (the storage policy becomes "nobody"); --on opens it to anyone again. Other peers
can never take the space your own files need beyond the pool.`,
  options: [
    { flags: '--pool <BYTES>', help: 'bytes kept for other peers, all together' },
    { flags: '--per-peer <BYTES>', help: 'bytes one peer may keep here' },
    { flags: '--off', help: 'store nothing for others' },
    { flags: '--on', help: 'store shards for anyone again, within the pool' }
  ],
  parse: ({ opts, dataDir, json }) => {
    if (opts.off === true && opts.on === true) throw usage('--off and --on cannot go together', 'storage')
    const limit = (flag: string, raw: unknown): number | null | undefined => {
      const v = stringValue(raw)
      if (v === 'default') return null
      return byteSize(v, flag)
    }
    return {
      kind: 'storage',
      pool: limit('--pool', opts.pool),
      perPeer: limit('--per-peer', opts.perPeer),
      policy: opts.off === true ? 'nobody' as const : opts.on === true ? 'anyone' as const : undefined,
      dataDir,
      json
    }
  },
  call: async (api, cmd): Promise<StorageView> => {
    if (cmd.pool !== undefined || cmd.perPeer !== undefined) {
      await api.setStorageLimits({ ...(cmd.pool !== undefined ? { pool: cmd.pool } : {}), ...(cmd.perPeer !== undefined ? { perPeerBytes: cmd.perPeer } : {}) })
    }
    const policies = cmd.policy != null ? await api.setPolicy('storage', cmd.policy) : await api.getPolicies()
    return { storage: await api.getStorage(), policy: policies.storage }
  },
  text: formatStorage
})

const scrub: CommandSpec = clientCommand({
  name: 'storage scrub',
  summary: 're-hash every stored shard now',
  usage: '[--data-dir DIR] [--json]',
  description: 'Re-hash every shard this node stores; a rotten one is deleted and no longer announced.\n(The node also does this on its own once a day, at a bounded read rate.)',
  parse: ({ dataDir, json }) => ({ kind: 'storage scrub', dataDir, json }),
  call: async (api) => await api.scrubStorage(),
  text: (r: ScrubResult) => `${r.checked} shards checked, ${r.corrupt.length} rotten${r.corrupt.length > 0 ? ' and deleted:\n' + r.corrupt.map(c => `  ${c}`).join('\n') : ''}`
})

export const storageCommands: CommandSpec[] = [storage, scrub]

export function formatStorage ({ storage: s, policy }: StorageView): string {
  const o = s.others
  return [
    `used        ${bytes(s.used)} of ${bytes(s.quota)} (${s.shards} shards, counted in ${bytes(s.blockSize)} blocks)`,
    `your files  ${bytes(s.own.bytes)} (${s.own.shards} shards)`,
    `for others  ${bytes(o.bytes)} of a ${bytes(o.pool)} pool (${o.shards} shards from ${o.peers} peers); ${policy === 'nobody' ? 'off' : `open to ${policy}`}`,
    `per peer    at most ${bytes(o.perPeerBytes)} and ${o.perPeerShards} shards`
  ].join('\n')
}
