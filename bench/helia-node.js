/**
 * One Helia node of the files comparison (helia.js), in its own process:
 * Helia 7 (createHeliaLight + withLibp2pLight + withBitswap: createHelia
 * would add HTTP gateway routing and delegated routing, which reach the
 * internet) over a libp2p of its own: TCP on 127.0.0.1, TLS (what two WGT
 * daemons negotiate: they offer tls() first), yamux and identify (bitswap
 * learns which peers speak it from identify); no bootstrap, mDNS or DHT, the
 * two nodes dial each other directly. Blocks go to a blockstore-fs
 * FsBlockstore, everything else to a datastore-fs FsDatastore, both in DIR.
 *
 *   node helia-node.js DIR
 *
 * Announces {peerId, multiaddr} on stdout, then answers one JSON line
 * {id, ok, ...} per request line {id, op, ...} on stdin (children.js
 * request()), and stops when stdin ends.
 *
 * FsBlockstore does not fsync: it writes each block with steno (write a temp
 * file, rename it over the final name; blockstore-fs 4.0.1, steno 4.0.2),
 * and has no option to. WGT writes every shard as temp file, fsync, rename,
 * fsync of the directory (src/main/node/storage/atomic-write.ts), so the
 * blockstore here does the same (SyncedFsBlockstore) and the two pay for the
 * same durability. Fetched files are fsynced once at the end (WGT fdatasyncs
 * the output once per segment).
 */
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdir, open, rename, unlink } from 'node:fs/promises'
import { join, dirname, basename } from 'node:path'
import { createInterface } from 'node:readline'
import { randomBytes } from 'node:crypto'
import { createHeliaLight } from 'helia'
import { withLibp2pLight } from '@helia/libp2p'
import { withBitswap } from '@helia/bitswap'
import { unixfs } from '@helia/unixfs'
import { identify } from '@libp2p/identify'
import { tcp } from '@libp2p/tcp'
import { tls } from '@libp2p/tls'
import { yamux } from '@libp2p/yamux'
import { multiaddr } from '@multiformats/multiaddr'
import { FsBlockstore } from 'blockstore-fs'
import { FsDatastore } from 'datastore-fs'
import { CID } from 'multiformats/cid'
import { announce, failAndExit, serveUntilParentGone } from './lib/serve.js'

// stdout carries the protocol: libraries must not write to it
console.log = console.error
console.info = console.error

const TEMP_SUFFIX = '.tmp'

/** FsBlockstore's layout and reads, with WGT's write path: temp file, fsync, rename, fsync of the directory. */
class SyncedFsBlockstore extends FsBlockstore {
  async put (key, val) {
    const { dir, file } = this.shardingStrategy.encode(key)
    const sub = join(this.path, dir)
    if (await mkdir(sub, { recursive: true }) !== undefined) await fsyncDir(this.path)
    const final = join(sub, file)
    const temp = join(sub, `${basename(final)}.${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`)
    let renamed = false
    try {
      const fh = await open(temp, 'wx', 0o600)
      try {
        await fh.writeFile(val)
        await fh.sync()
      } finally {
        await fh.close()
      }
      await rename(temp, final)
      renamed = true
      await fsyncDir(dirname(final))
    } finally {
      if (!renamed) await unlink(temp).catch(() => {})
    }
    return key
  }
}

async function fsyncDir (dir) {
  const fh = await open(dir, 'r')
  try {
    await fh.sync()
  } finally {
    await fh.close()
  }
}

/** The bytes of path, hashed as they go by: the adding side's check that it stored what is on disk. */
async function * hashed (path, hash) {
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) {
    hash.update(chunk)
    yield chunk
  }
}

async function startHelia (dir) {
  const blockstore = new SyncedFsBlockstore(join(dir, 'blocks'))
  const datastore = new FsDatastore(join(dir, 'data'))
  await blockstore.open()
  await datastore.open()
  const helia = withBitswap(withLibp2pLight(createHeliaLight({ blockstore, datastore }), {
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [tls()],
    streamMuxers: [yamux()],
    services: { identify: identify() }
  }))
  await helia.start()
  return helia
}

try {
  const helia = await startHelia(process.argv[2])
  const fs = unixfs(helia)
  const ops = {
    dial: async ({ addr }) => {
      await helia.libp2p.dial(multiaddr(addr))
      return {}
    },
    /** add the file at path; sha256 is of the bytes the importer read */
    add: async ({ path }) => {
      const hash = createHash('sha256')
      const cid = await fs.addByteStream(hashed(path, hash))
      return { cid: cid.toString(), sha256: hash.digest('hex') }
    },
    /** cat cid into out (fsynced); sha256 is of the bytes written */
    fetch: async ({ cid, out }) => {
      const hash = createHash('sha256')
      const fh = await open(out, 'w', 0o600)
      let bytes = 0
      try {
        for await (const chunk of fs.cat(CID.parse(cid))) {
          hash.update(chunk)
          await fh.write(chunk)
          bytes += chunk.byteLength
        }
        await fh.sync()
      } finally {
        await fh.close()
      }
      return { bytes, sha256: hash.digest('hex') }
    }
  }
  serveUntilParentGone(async () => { await helia.stop() })
  const addr = helia.libp2p.getMultiaddrs().map(String).find(a => a.startsWith('/ip4/127.0.0.1/tcp/'))
  if (addr == null) throw new Error('helia node has no loopback tcp address')
  announce({ peerId: helia.libp2p.peerId.toString(), multiaddr: addr })
  createInterface({ input: process.stdin }).on('line', line => {
    let req
    try { req = JSON.parse(line) } catch { return }
    const op = ops[req.op]
    const answer = op == null ? Promise.reject(new Error(`unknown op ${req.op}`)) : op(req)
    answer.then(
      res => { announce({ id: req.id, ok: true, ...res }) },
      err => { announce({ id: req.id, ok: false, error: err?.stack ?? String(err) }) }
    )
  })
} catch (err) {
  failAndExit(err)
}
