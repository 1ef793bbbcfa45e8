/** Real WGT nodes on 127.0.0.1 for the files tests, and small waits. */
import { createHash, randomBytes } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { FetchResult, OperationInfo, OperationRef, RepairResult, ShareOptions, ShareResult } from '../../../../shared/api/index.js'
import { followOperation } from '../../../../shared/follow.js'
import { decodeSegment } from '../../ces/index.js'
import { createNode, type WgtNode } from '../../index.js'
import { shardPath } from '../../storage/cid-path.js'
import { parseLink } from '../link.js'
import { SHARD_PROTOCOL } from '../shard-service.js'
import { decodeManifest, decodeRoot, type ManifestData } from '../tables.js'

export const LOOPBACK = { listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false, metricsIntervalMs: 500, probeIntervalMs: 200, quotaBytes: 1 << 30 }

export class Swarm {
  readonly nodes: WgtNode[] = []
  constructor (private readonly root: string) {}

  async start (name: string, extra: Record<string, unknown> = {}): Promise<WgtNode> {
    const bootstrap = this.nodes.length > 0 ? [this.nodes[0].multiaddrs()[0]] : []
    const node = await createNode({ dataDir: join(this.root, name), ...LOOPBACK, bootstrap, ...extra })
    this.nodes.push(node)
    return node
  }

  async stop (node: WgtNode): Promise<void> {
    await node.stop()
    this.nodes.splice(this.nodes.indexOf(node), 1)
  }

  async stopAll (): Promise<void> {
    await Promise.all(this.nodes.splice(0).map(async n => { await n.stop() }))
  }
}

/** Until `node` sees `count` connected peers that speak the shard protocol. */
export async function untilShardPeers (node: WgtNode, count: number, timeoutMs = 20_000): Promise<void> {
  await until(`${count} shard peers`, async () => {
    const peers = await node.api.listPeers()
    return peers.filter(p => p.connected && p.protocols.includes(SHARD_PROTOCOL)).length >= count
  }, timeoutMs)
}

export async function until<T> (what: string, fn: () => Promise<T | undefined | null | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const v = await fn()
    if (v != null && v !== false) return v
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 100))
  }
}

export async function randomFile (path: string, size: number): Promise<string> {
  const bytes = randomBytes(size)
  await writeFile(path, bytes)
  return createHash('sha256').update(bytes).digest('hex')
}

/** A file's manifest read straight from the shard store directory of a node that holds its root and manifest shards. */
export async function readManifest (storeDir: string, link: string): Promise<ManifestData> {
  const { manifestId, key } = parseLink(link)
  const root = decodeRoot(await readFile(shardPath(storeDir, manifestId)))
  const parts: Uint8Array[] = []
  for (const seg of root.segments) {
    const shards = await Promise.all(seg.shards.map(async c => await readFile(shardPath(storeDir, c)).catch(() => null)))
    parts.push(decodeSegment(seg, shards, { params: root.params, key, fileId: root.fileId, domain: 'manifest' }).plain)
  }
  return decodeManifest(Buffer.concat(parts))
}

/** Start an operation on a node and wait for its end: the result, or the operation's error; every update is kept. */
export async function run<R> (node: WgtNode, start: () => Promise<OperationRef>, updates: OperationInfo[] = []): Promise<R> {
  const op = await followOperation(node.api, start, u => { updates.push(u) }).done
  return op.result as R
}

export async function share (node: WgtNode, path: string, options?: ShareOptions, updates?: OperationInfo[]): Promise<ShareResult> {
  return await run<ShareResult>(node, async () => await node.api.shareFile(path, options), updates)
}

export async function fetchLink (node: WgtNode, link: string, out?: string, updates?: OperationInfo[]): Promise<FetchResult> {
  return await run<FetchResult>(node, async () => await node.api.fetchFile(link, out), updates)
}

export async function repairFile (node: WgtNode, ref: string, updates?: OperationInfo[]): Promise<RepairResult> {
  return await run<RepairResult>(node, async () => await node.api.repairFile(ref), updates)
}
