/**
 * What the fuzzer drives: every decoder the node applies to bytes from the
 * network, each with the node's own validation of what it decoded, valid
 * samples (encoded by the real protons codecs), its field schema for the
 * mutations, and the largest frame the node reads of it.
 *
 * loadTargets(dir) imports the node's modules from dir: src/main/node under
 * vitest, out/node/main/node after `npm run build:node` (the fuzz script).
 * The DHT's messages come from @libp2p/kad-dht's files (its package exports
 * only its entry point).
 */
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { WIRE } from './gen.js'

const KAD_DHT = new URL('../../node_modules/@libp2p/kad-dht/dist/src/', import.meta.url)
/** @libp2p/utils' pbStream, as kad-dht reads, sets no length limit: the 4 MiB read buffer is the bound */
export const DHT_MAX_FRAME = 4 * 1024 * 1024

const HEX = '0123456789abcdef'

/** ed25519 PeerId multihash: identity(protobuf(Ed25519 public key)) */
function peerMultihash (r) {
  return Uint8Array.from([0x00, 0x24, 0x08, 0x01, 0x12, 0x20, ...r.bytes(32)])
}

/** /ip4/127.0.0.1/tcp/N as multiaddr bytes */
function tcpAddr (r) {
  const port = r.range(1, 65535)
  return Uint8Array.from([0x04, 127, 0, 0, r.range(0, 255), 0x06, port >> 8, port & 0xff])
}

function enumValues (e) {
  return Object.values(e).filter(v => typeof v === 'string')
}

export async function loadTargets (nodeDir) {
  const load = async (p) => await import(pathToFileURL(join(nodeDir, p)).href)
  const [shardPb, offerPb, probePb, capacityPb, contactPb, tables, shardService, offerService, capacityMeasure, ces, screen] = await Promise.all([
    load('files/pb/shard.js'), load('files/pb/offer.js'), load('metrics/pb/probe.js'),
    load('metrics/pb/capacity.js'), load('guard/pb/contact.js'), load('files/tables.js'), load('files/shard-service.js'),
    load('files/offer-service.js'), load('metrics/capacity-measure.js'), load('ces/index.js'), load('wire/screen.js')
  ])
  const { ShardRequest, ShardResponse } = shardPb
  const { Offer, OfferAck } = offerPb
  const { Probe } = probePb
  const { CapacityMessage } = capacityPb
  const { ContactMessage, ContactReply } = contactPb
  const { MAX_HAS, MAX_SHARD_SIZE } = shardService
  const { cidOf, parseShardCid, verifyShard, encodeLink } = ces
  const FRAME = 1024

  const cid = r => cidOf(r.bytes(r.range(1, 64)))
  const hex = r => Array.from({ length: 64 }, () => HEX[r.int(16)]).join('')
  const name = r => {
    let s = ''
    for (let i = r.range(1, 40); i > 0; i--) s += String.fromCodePoint(r.chance(0.9) ? r.range(0x20, 0x7e) : r.range(0xa0, 0x2000))
    return s
  }
  const plainRoundtrip = codec => (value, bytes) => bytesEqual(codec.encode(value), bytes)

  const shardKinds = enumValues(ShardRequest.Kind)
  const table = (r) => {
    const params = { k: r.range(1, 6), m: r.range(0, 3), segmentSize: r.range(4096, 65536) }
    const n = params.k + params.m
    const segments = Array.from({ length: r.range(0, 3) }, (_, index) => {
      const shardSize = r.range(1, 4096)
      return {
        index,
        plainSize: r.int(params.segmentSize + 1),
        compressed: r.chance(0.5),
        cipherSize: r.int(shardSize * params.k + 1),
        shardSize,
        shards: Array.from({ length: n }, () => cid(r)),
        holders: r.chance(0.3) ? Array.from({ length: n }, () => []) : Array.from({ length: n }, () => Array.from({ length: r.range(0, 2) }, () => `12D3KooW${name(r).replace(/[^A-Za-z0-9]/g, 'x')}`.slice(0, 52)))
      }
    })
    return { params, segments, size: segments.reduce((s, x) => s + x.plainSize, 0) }
  }
  const manifestFields = [{ no: 1, wire: WIRE.VARINT }, { no: 2, wire: WIRE.LEN }, { no: 3, wire: WIRE.I64 }, { no: 4, wire: WIRE.LEN }, { no: 5, wire: WIRE.LEN }, { no: 6, wire: WIRE.LEN, repeated: true }, { no: 7, wire: WIRE.I64 }]

  const targets = [
    {
      name: 'shard.ShardRequest',
      maxFrame: MAX_SHARD_SIZE + FRAME,
      fields: [{ no: 1, wire: WIRE.VARINT, enumValues: [0, 1, 2, 3] }, { no: 2, wire: WIRE.LEN }, { no: 3, wire: WIRE.LEN }, { no: 4, wire: WIRE.I64 }, { no: 5, wire: WIRE.LEN, repeated: true }],
      sample: r => {
        const kind = r.pick(shardKinds)
        const data = r.bytes(r.range(1, 256))
        if (kind === 'PUT') return { kind, cid: cidOf(data), data, leaseMs: r.range(1, 365 * 24 * 3600_000), cids: [] }
        if (kind === 'GET') return { kind, cid: cid(r), data: new Uint8Array(0), leaseMs: 0, cids: [] }
        return { kind, cid: '', data: new Uint8Array(0), leaseMs: 0, cids: Array.from({ length: r.range(1, 8) }, () => cid(r)) }
      },
      encode: v => ShardRequest.encode(v),
      decode: b => ShardRequest.decode(b, { limits: { cids: MAX_HAS } }),
      // shard-service.ts answer(): what it throws Violation for
      validate: req => {
        switch (req.kind) {
          case 'PUT':
            parseShardCid(req.cid)
            if (!(req.leaseMs > 0)) return 'PUT lease must be positive'
            if (req.data.byteLength === 0) return 'PUT without data'
            return verifyShard(req.cid, req.data) ? null : 'PUT data does not match its address'
          case 'GET': parseShardCid(req.cid); return null
          case 'HAS': case 'RELEASE':
            if (req.cids.length === 0) return `${req.kind} without CIDs`
            for (const c of req.cids) parseShardCid(c)
            return null
          default: return `unknown request kind ${String(req.kind)}`
        }
      },
      roundtrip: plainRoundtrip(ShardRequest)
    },
    {
      name: 'shard.ShardResponse',
      maxFrame: MAX_SHARD_SIZE + 2 * FRAME,
      fields: [{ no: 1, wire: WIRE.VARINT, enumValues: [0, 1, 2, 3, 4, 5] }, { no: 2, wire: WIRE.LEN }, { no: 3, wire: WIRE.LEN }, { no: 4, wire: WIRE.VARINT, repeated: true }, { no: 5, wire: WIRE.VARINT }],
      sample: r => ({ status: r.pick(enumValues(ShardResponse.Status)), message: r.chance(0.5) ? '' : name(r), data: r.chance(0.5) ? r.bytes(r.range(1, 256)) : new Uint8Array(0), has: Array.from({ length: r.int(8) }, () => r.chance(0.5)), renewed: r.chance(0.5) }),
      encode: v => ShardResponse.encode(v),
      decode: b => ShardResponse.decode(b, { limits: { has: MAX_HAS } }),
      validate: () => null,
      roundtrip: plainRoundtrip(ShardResponse)
    },
    {
      name: 'offer.Offer',
      maxFrame: 2048,
      fields: [{ no: 1, wire: WIRE.LEN }, { no: 2, wire: WIRE.LEN }, { no: 3, wire: WIRE.I64 }],
      sample: r => ({ link: encodeLink(cid(r), r.bytes(32)), name: name(r), size: r.int(2 ** 40) }),
      encode: v => Offer.encode(v),
      decode: b => Offer.decode(b),
      validate: o => offerService.offerProblem(o),
      roundtrip: plainRoundtrip(Offer)
    },
    {
      name: 'offer.OfferAck',
      maxFrame: 512,
      fields: [{ no: 1, wire: WIRE.VARINT, enumValues: [0, 1, 2, 3] }, { no: 2, wire: WIRE.LEN }],
      sample: r => ({ status: r.pick(enumValues(OfferAck.Status)), message: r.chance(0.5) ? '' : name(r) }),
      encode: v => OfferAck.encode(v),
      decode: b => OfferAck.decode(b),
      validate: () => null,
      roundtrip: plainRoundtrip(OfferAck)
    },
    {
      name: 'probe.Probe',
      maxFrame: 16,
      fields: [{ no: 1, wire: WIRE.VARINT }],
      sample: r => ({ seq: r.u32() }),
      encode: v => Probe.encode(v),
      decode: b => Probe.decode(b),
      validate: () => null,
      roundtrip: plainRoundtrip(Probe)
    },
    {
      name: 'capacity.CapacityMessage',
      maxFrame: 128,
      fields: [{ no: 1, wire: WIRE.VARINT }, ...[2, 3, 4, 5, 6, 7].map(no => ({ no, wire: WIRE.I64 }))],
      sample: r => {
        const memTotal = r.int(2 ** 40); const diskTotal = r.int(2 ** 50)
        return { cores: r.range(1, 256), cpuLoad: r.float() * 100, memTotal, memFree: r.int(memTotal + 1), diskTotal, diskFree: r.int(diskTotal + 1), measuredAt: Date.now() - r.int(3600_000) }
      },
      encode: v => CapacityMessage.encode(v),
      decode: b => CapacityMessage.decode(b),
      validate: c => capacityMeasure.capacityProblem({ ...c }, Date.now(), 5 * 60_000),
      roundtrip: plainRoundtrip(CapacityMessage)
    },
    {
      name: 'contact.ContactMessage',
      maxFrame: 16,
      fields: [{ no: 1, wire: WIRE.VARINT, enumValues: [0, 1, 2, 3] }],
      sample: r => ({ kind: r.pick(enumValues(ContactMessage.Kind)) }),
      encode: v => ContactMessage.encode(v),
      decode: b => ContactMessage.decode(b),
      validate: m => enumValues(ContactMessage.Kind).includes(m.kind) ? null : 'unknown contact message kind',
      roundtrip: plainRoundtrip(ContactMessage)
    },
    {
      name: 'contact.ContactReply',
      maxFrame: 16,
      fields: [{ no: 1, wire: WIRE.VARINT, enumValues: [0, 1, 2, 3] }],
      sample: r => ({ status: r.pick(enumValues(ContactReply.Status)) }),
      encode: v => ContactReply.encode(v),
      decode: b => ContactReply.decode(b),
      validate: m => enumValues(ContactReply.Status).includes(m.status) ? null : 'unknown reply status',
      roundtrip: plainRoundtrip(ContactReply)
    },
    {
      // a root record arrives as a shard (GET), so as large as one; decodeRoot validates as it decodes
      name: 'files.RootRecord',
      maxFrame: MAX_SHARD_SIZE,
      fields: [{ no: 1, wire: WIRE.VARINT }, { no: 2, wire: WIRE.LEN }, { no: 3, wire: WIRE.LEN }, { no: 4, wire: WIRE.I64 }, { no: 5, wire: WIRE.LEN }, { no: 6, wire: WIRE.LEN, repeated: true }],
      sample: r => { const t = table(r); return { fileId: r.bytes(16), params: t.params, manifestSize: t.size, manifestSha256: hex(r), segments: t.segments } },
      encode: v => tables.encodeRoot(v),
      decode: b => tables.decodeRoot(b),
      validate: () => null,
      roundtrip: (v, b) => bytesEqual(tables.encodeRoot(v), tables.encodeRoot(tables.decodeRoot(b)))
    },
    {
      name: 'files.Manifest',
      maxFrame: MAX_SHARD_SIZE,
      fields: manifestFields,
      sample: r => { const t = table(r); return { name: name(r), size: t.size, sha256: hex(r), params: t.params, segments: t.segments, createdAt: Date.now() } },
      encode: v => tables.encodeManifest(v),
      decode: b => tables.decodeManifest(b),
      validate: () => null,
      roundtrip: (v, b) => bytesEqual(tables.encodeManifest(v), tables.encodeManifest(tables.decodeManifest(b)))
    }
  ]

  const dht = await loadDht()
  if (dht != null) targets.push(...dhtTargets(dht, screen.isPeerFault))
  return targets
}

/** kad-dht's Message codec and the conversions its handlers apply; null if this kad-dht is laid out differently */
async function loadDht () {
  try {
    const [message, utils, record, cid] = await Promise.all([
      import(new URL('message/dht.js', KAD_DHT).href),
      import(new URL('message/utils.js', KAD_DHT).href),
      import('@libp2p/record'),
      import('multiformats/cid')
    ])
    return { ...message, fromPbPeerInfo: utils.fromPbPeerInfo, Libp2pRecord: record.Libp2pRecord, CID: cid.CID }
  } catch {
    return null
  }
}

function dhtTargets ({ Message, Record, fromPbPeerInfo, Libp2pRecord, CID }, isPeerFault) {
  const types = ['PUT_VALUE', 'GET_VALUE', 'ADD_PROVIDER', 'GET_PROVIDERS', 'FIND_NODE', 'PING']
  const peer = r => ({ id: peerMultihash(r), multiaddrs: Array.from({ length: r.int(3) }, () => tcpAddr(r)) })
  const record = r => new Libp2pRecord(r.bytes(r.range(1, 40)), r.bytes(r.int(200)), new Date(Date.now() - r.int(1e9)))
  return [
    {
      name: 'dht.Message',
      maxFrame: DHT_MAX_FRAME,
      fields: [{ no: 1, wire: WIRE.VARINT, enumValues: [0, 1, 2, 3, 4, 5] }, { no: 10, wire: WIRE.VARINT }, { no: 2, wire: WIRE.LEN }, { no: 3, wire: WIRE.LEN }, { no: 8, wire: WIRE.LEN, repeated: true }, { no: 9, wire: WIRE.LEN, repeated: true }],
      sample: r => {
        const type = r.pick(types)
        const msg = { type, key: Uint8Array.from([0x12, 0x20, ...r.bytes(32)]), closer: Array.from({ length: r.int(4) }, () => peer(r)), providers: type.includes('PROVIDER') ? Array.from({ length: r.int(3) }, () => peer(r)) : [] }
        if (type.endsWith('VALUE') && r.chance(0.7)) msg.record = record(r).serialize()
        if (r.chance(0.2)) msg.clusterLevel = r.int(10)
        return msg
      },
      encode: v => Message.encode(v),
      decode: b => Message.decode(b),
      // what kad-dht's handlers and its query code do with the fields
      validate: msg => {
        for (const p of [...msg.closer, ...msg.providers]) fromPbPeerInfo(p)
        if (msg.record != null) Libp2pRecord.deserialize(msg.record)
        if (msg.type === 'ADD_PROVIDER' || msg.type === 'GET_PROVIDERS') CID.decode(msg.key ?? new Uint8Array(0))
        return null
      },
      roundtrip: (v, b) => bytesEqual(Message.encode(v), b),
      // wire/screen.ts decides which of the DHT's failures count against the sender
      counted: err => isPeerFault(err)
    },
    {
      name: 'dht.Record',
      maxFrame: DHT_MAX_FRAME,
      fields: [1, 2, 3, 4, 5].map(no => ({ no, wire: WIRE.LEN })),
      sample: r => Record.decode(record(r).serialize()),
      encode: v => Record.encode(v),
      decode: b => Libp2pRecord.deserialize(b),
      validate: () => null
    }
  ]
}

export function bytesEqual (a, b) {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}
