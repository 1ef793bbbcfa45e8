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
/** kad-dht's reader, as patches/@libp2p+kad-dht+16.4.5.patch bounds it: no message over 1 MiB */
export const DHT_MAX_FRAME = 1024 * 1024

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
  const [shardPb, offerPb, probePb, capacityPb, contactPb, tables, shardService, offerCheck, capacityMeasure, ces, screen, chatService, mailboxService, mailboxStore, callService] = await Promise.all([
    load('files/pb/shard.js'), load('files/pb/offer.js'), load('metrics/pb/probe.js'),
    load('metrics/pb/capacity.js'), load('guard/pb/contact.js'), load('files/tables.js'), load('files/shard-service.js'),
    load('files/offer-check.js'), load('metrics/capacity-measure.js'), load('ces/index.js'), load('wire/screen.js'),
    load('chat/chat-service.js'), load('chat/mailbox/mailbox-service.js'), load('chat/mailbox/mailbox-store.js'),
    load('calls/call-service.js')
  ])
  const { CallMessage, CallReply, checkMessage: checkCallMessage, MAX_MESSAGE_BYTES: MAX_CALL_MESSAGE } = callService
  const { ChatFrame, ChatReply, checkFrame, MAX_FRAME_BYTES, MAX_FRAME_MESSAGES } = chatService
  const { MailboxRequest, MailboxReply, checkRequest, checkItems, MAX_REQUEST, MAX_REPLY, MAX_FETCH_TAGS, MAX_ACKS, MAX_REPLY_ITEMS } = mailboxService
  const mailboxItemId = mailboxStore.itemId
  const rejected = fn => value => {
    try {
      fn(value)
      return null
    } catch (err) {
      return err.message
    }
  }
  const { ShardRequest, ShardResponse } = shardPb
  const { Offer, OfferAck } = offerPb
  const { Probe } = probePb
  const { CapacityMessage } = capacityPb
  const { ContactMessage, ContactReply } = contactPb
  const { MAX_HAS, MAX_PROVE, MAX_SHARD_SIZE } = shardService
  const { cidOf, parseShardCid, verifyShard, encodeLink, SEGMENT_OVERHEAD, MIN_SEGMENT_SIZE, MAX_SEGMENT_SIZE } = ces
  const { MAX_MANIFEST_SIZE, segmentCount, plainSizeOf } = tables
  const FRAME = 1024

  const cid = r => cidOf(r.bytes(r.range(1, 64)))
  const hex = r => Array.from({ length: 64 }, () => HEX[r.int(16)]).join('')
  /**
   * A name offer-check.ts takes: 1 to 40 characters, printable ASCII or (one in
   * ten) from U+00A1 to U+1FFF, none of which is a control, a separator or a
   * reordering character; it starts with a letter, so it is never blank.
   */
  const name = r => {
    let s = String.fromCodePoint(r.range(0x61, 0x7a))
    for (let i = r.range(0, 39); i > 0; i--) s += String.fromCodePoint(r.chance(0.9) ? r.range(0x20, 0x7e) : r.range(0xa1, 0x1fff))
    return s
  }
  const plainRoundtrip = codec => (value, bytes) => bytesEqual(codec.encode(value), bytes)

  const shardKinds = enumValues(ShardRequest.Kind)
  /**
   * A consistent segment table for `size` bytes, as share writes one (see
   * files/test/tables.test.ts entry()): segment i has index i, the plain size
   * the file's size gives it, a cipher of that plus SEGMENT_OVERHEAD (less when
   * compressed), shards of ceil(cipher / k), k + m shard CIDs, and no
   * placement or k + m holder lists.
   */
  const segmentsFor = (r, size, params) => {
    const n = params.k + params.m
    const placed = r.chance(0.7)
    return Array.from({ length: segmentCount(size, params.segmentSize) }, (_, index) => {
      const plainSize = plainSizeOf(index, size, params.segmentSize)
      const compressed = r.chance(0.3)
      const cipherSize = (compressed ? r.int(plainSize + 1) : plainSize) + SEGMENT_OVERHEAD
      return {
        index,
        plainSize,
        compressed,
        cipherSize,
        shardSize: Math.ceil(cipherSize / params.k),
        shards: Array.from({ length: n }, () => cid(r)),
        holders: Array.from({ length: n }, () => placed ? Array.from({ length: r.range(0, 2) }, () => `12D3KooW${hex(r).slice(0, 44)}`) : [])
      }
    })
  }
  /** parameters ces takes: mostly small segments (one to three of them), sometimes the default or largest segment size */
  const tableParams = r => ({ k: r.range(1, 6), m: r.range(0, 3), segmentSize: r.chance(0.8) ? r.range(MIN_SEGMENT_SIZE, 65536) : r.pick([4 * 1024 * 1024, MAX_SEGMENT_SIZE]) })
  /** a size of one to three segments (an empty file has one, empty), or any size up to `max` */
  const tableSize = (r, params, max) => {
    if (r.chance(0.1)) return r.int(max + 1)
    const count = r.range(1, 3)
    return count === 1 ? r.int(params.segmentSize + 1) : (count - 1) * params.segmentSize + r.range(1, params.segmentSize)
  }
  const manifestFields = [{ no: 1, wire: WIRE.VARINT }, { no: 2, wire: WIRE.LEN }, { no: 3, wire: WIRE.I64 }, { no: 4, wire: WIRE.LEN }, { no: 5, wire: WIRE.LEN }, { no: 6, wire: WIRE.LEN, repeated: true }, { no: 7, wire: WIRE.I64 }]

  const targets = [
    {
      name: 'shard.ShardRequest',
      maxFrame: MAX_SHARD_SIZE + FRAME,
      fields: [{ no: 1, wire: WIRE.VARINT, enumValues: [0, 1, 2, 3, 4, 5] }, { no: 2, wire: WIRE.LEN }, { no: 3, wire: WIRE.LEN }, { no: 4, wire: WIRE.I64 }, { no: 5, wire: WIRE.LEN, repeated: true }, { no: 6, wire: WIRE.LEN }],
      sample: r => {
        const kind = r.pick(shardKinds)
        const none = { cid: '', data: new Uint8Array(0), leaseMs: 0, cids: [], nonce: new Uint8Array(0) }
        const lease = () => r.range(1, 365 * 24 * 3600_000)
        const cids = max => Array.from({ length: r.range(1, max) }, () => cid(r))
        if (kind === 'PUT') { const data = r.bytes(r.range(1, 256)); return { ...none, kind, cid: cidOf(data), data, leaseMs: lease() } }
        if (kind === 'GET') return { ...none, kind, cid: cid(r) }
        if (kind === 'RENEW') return { ...none, kind, leaseMs: lease(), cids: cids(8) }
        if (kind === 'PROVE') return { ...none, kind, cids: cids(r.chance(0.1) ? MAX_PROVE : 8), nonce: r.bytes(r.range(16, 64)) }
        return { ...none, kind, cids: cids(8) }
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
          case 'RENEW':
            if (req.cids.length === 0) return 'RENEW without CIDs'
            if (!(req.leaseMs > 0)) return 'RENEW lease must be positive'
            for (const c of req.cids) parseShardCid(c)
            return null
          case 'PROVE':
            if (req.cids.length === 0 || req.cids.length > MAX_PROVE) return `PROVE needs 1 to ${MAX_PROVE} CIDs`
            if (req.nonce.byteLength < 16 || req.nonce.byteLength > 64) return 'PROVE nonce must be 16 to 64 bytes'
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
      fields: [{ no: 1, wire: WIRE.VARINT, enumValues: [0, 1, 2, 3, 4, 5, 6] }, { no: 2, wire: WIRE.LEN }, { no: 3, wire: WIRE.LEN }, { no: 4, wire: WIRE.VARINT, repeated: true }, { no: 5, wire: WIRE.VARINT }, { no: 6, wire: WIRE.LEN, repeated: true }],
      sample: r => ({
        status: r.pick(enumValues(ShardResponse.Status)),
        message: r.chance(0.5) ? '' : name(r),
        data: r.chance(0.5) ? r.bytes(r.range(1, 256)) : new Uint8Array(0),
        has: Array.from({ length: r.int(8) }, () => r.chance(0.5)),
        renewed: r.chance(0.5),
        proofs: Array.from({ length: r.chance(0.7) ? 0 : r.range(1, MAX_PROVE) }, () => r.chance(0.8) ? r.bytes(32) : new Uint8Array(0))
      }),
      encode: v => ShardResponse.encode(v),
      // shard-service.ts request(): what a requester decodes
      decode: b => ShardResponse.decode(b, { limits: { has: MAX_HAS, proofs: MAX_PROVE } }),
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
      // offer-check.ts, as offer-service.ts applies it
      validate: o => offerCheck.offerProblem(o),
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
      name: 'chat.ChatFrame',
      maxFrame: MAX_FRAME_BYTES,
      fields: [{ no: 1, wire: WIRE.LEN, repeated: true }, { no: 2, wire: WIRE.LEN }, { no: 3, wire: WIRE.VARINT }],
      sample: r => ({
        messages: Array.from({ length: r.range(0, 4) }, () => ({
          id: r.bytes(16),
          n: r.range(1, 1e6),
          order: r.range(1, 1e9),
          sentAt: r.range(0, 2 ** 40),
          text: name(r),
          ...(r.chance(0.3) ? { file: { link: encodeLink(cid(r), r.bytes(32)), name: name(r).replace(/[/\\]/g, '_'), size: r.range(0, 2 ** 40) } } : {})
        })),
        ...(r.chance(0.5) ? { receipt: { delivered: r.range(0, 1e6), read: r.range(0, 1e6) } } : {}),
        acked: r.range(0, 1e6)
      }),
      encode: v => ChatFrame.encode(v),
      decode: b => ChatFrame.decode(b, { limits: { messages: MAX_FRAME_MESSAGES } }),
      validate: f => {
        try {
          checkFrame(f)
          return null
        } catch (err) {
          return err.message
        }
      },
      roundtrip: plainRoundtrip(ChatFrame)
    },
    {
      name: 'chat.ChatReply',
      maxFrame: 64,
      fields: [{ no: 1, wire: WIRE.VARINT, enumValues: [0, 1, 2, 3] }, { no: 2, wire: WIRE.LEN }],
      sample: r => ({ status: r.pick(enumValues(ChatReply.Status)), receipt: { delivered: r.range(0, 1e6), read: r.range(0, 1e6) } }),
      encode: v => ChatReply.encode(v),
      decode: b => ChatReply.decode(b),
      validate: m => enumValues(ChatReply.Status).includes(m.status) ? null : 'unknown reply status',
      roundtrip: plainRoundtrip(ChatReply)
    },
    {
      name: 'call.CallMessage',
      maxFrame: MAX_CALL_MESSAGE,
      fields: [{ no: 1, wire: WIRE.VARINT, enumValues: [0, 1, 2, 3, 4, 5] }, { no: 2, wire: WIRE.LEN }, { no: 3, wire: WIRE.VARINT }, { no: 4, wire: WIRE.LEN },
        { no: 5, wire: WIRE.VARINT }, { no: 6, wire: WIRE.LEN }],
      sample: r => {
        const kind = r.pick(enumValues(CallMessage.Kind))
        const base = { kind, callId: r.bytes(16), video: r.chance(0.5), key: kind === 'RING' ? r.bytes(32) : new Uint8Array(0), tunnel: r.chance(0.5) }
        if (kind !== 'SIGNAL') return base
        const signal = r.chance(0.5)
          ? { kind: r.pick(['OFFER', 'ANSWER']), sdp: `v=0\r\no=- ${r.range(1, 1e9)} 2 IN IP4 127.0.0.1\r\n${name(r)}`, candidate: '' }
          : { kind: 'CANDIDATE', sdp: '', candidate: `candidate:${r.range(1, 1e6)} 1 udp ${r.range(1, 2 ** 31)} 127.0.0.1 ${r.range(1, 65535)} typ host`, sdpMid: '0', sdpMLineIndex: r.range(0, 4) }
        return { ...base, signal }
      },
      encode: v => CallMessage.encode(v),
      decode: b => CallMessage.decode(b),
      validate: rejected(checkCallMessage),
      roundtrip: plainRoundtrip(CallMessage)
    },
    {
      name: 'call.CallReply',
      maxFrame: 512,
      fields: [{ no: 1, wire: WIRE.VARINT, enumValues: [0, 1, 2, 3, 4] }, { no: 2, wire: WIRE.LEN }],
      sample: r => ({ status: r.pick(enumValues(CallReply.Status)), reason: r.chance(0.5) ? name(r) : '' }),
      encode: v => CallReply.encode(v),
      decode: b => CallReply.decode(b),
      validate: m => enumValues(CallReply.Status).includes(m.status) ? null : 'unknown reply status',
      roundtrip: plainRoundtrip(CallReply)
    },
    {
      name: 'mailbox.MailboxRequest',
      maxFrame: MAX_REQUEST,
      fields: [{ no: 1, wire: WIRE.VARINT, enumValues: [0, 1, 2] }, { no: 2, wire: WIRE.LEN }, { no: 3, wire: WIRE.LEN }, { no: 4, wire: WIRE.LEN, repeated: true },
        { no: 5, wire: WIRE.LEN, repeated: true }, { no: 6, wire: WIRE.LEN }, { no: 7, wire: WIRE.LEN }],
      sample: r => {
        const none = { tag: new Uint8Array(0), sealed: new Uint8Array(0), release: new Uint8Array(0), after: new Uint8Array(0), tags: [], acks: [] }
        const kind = r.pick(enumValues(MailboxRequest.Kind))
        if (kind === 'DEPOSIT') return { ...none, kind, tag: r.bytes(16), sealed: r.bytes(r.range(41, 2000)), release: r.bytes(32) }
        if (kind === 'FETCH') return { ...none, kind, tags: Array.from({ length: r.range(1, 8) }, () => r.bytes(16)), after: r.chance(0.5) ? r.bytes(40) : new Uint8Array(0) }
        return { ...none, kind, acks: Array.from({ length: r.range(1, 8) }, () => ({ tag: r.bytes(16), id: r.bytes(16), token: r.bytes(32) })) }
      },
      encode: v => MailboxRequest.encode(v),
      decode: b => MailboxRequest.decode(b, { limits: { tags: MAX_FETCH_TAGS, acks: MAX_ACKS } }),
      validate: rejected(checkRequest),
      roundtrip: plainRoundtrip(MailboxRequest)
    },
    {
      name: 'mailbox.MailboxReply',
      maxFrame: MAX_REPLY,
      fields: [{ no: 1, wire: WIRE.VARINT, enumValues: [0, 1, 2, 3] }, { no: 2, wire: WIRE.LEN, repeated: true }, { no: 3, wire: WIRE.VARINT }, { no: 4, wire: WIRE.LEN }],
      sample: r => ({
        status: r.pick(enumValues(MailboxReply.Status)),
        items: Array.from({ length: r.range(0, 4) }, () => { const sealed = r.bytes(r.range(41, 2000)); return { id: mailboxItemId(sealed), tag: r.bytes(16), sealed } }),
        more: r.chance(0.3),
        next: r.chance(0.5) ? r.bytes(40) : new Uint8Array(0)
      }),
      encode: v => MailboxReply.encode(v),
      decode: b => MailboxReply.decode(b, { limits: { items: MAX_REPLY_ITEMS } }),
      // the asker checks items against the tags it asked for: here, the tags the reply names
      validate: rejected(reply => { checkItems(reply, reply.items.map(i => i.tag)) }),
      roundtrip: plainRoundtrip(MailboxReply)
    },
    {
      // a root record arrives as a shard (GET), so as large as one; decodeRoot validates as it decodes
      name: 'files.RootRecord',
      maxFrame: MAX_SHARD_SIZE,
      fields: [{ no: 1, wire: WIRE.VARINT }, { no: 2, wire: WIRE.LEN }, { no: 3, wire: WIRE.LEN }, { no: 4, wire: WIRE.I64 }, { no: 5, wire: WIRE.LEN }, { no: 6, wire: WIRE.LEN, repeated: true }],
      // the root record's table describes the manifest: at most MAX_MANIFEST_SIZE bytes (and 64 segments here)
      sample: r => { const params = tableParams(r); const size = tableSize(r, params, Math.min(MAX_MANIFEST_SIZE, 64 * params.segmentSize)); return { fileId: r.bytes(16), params, manifestSize: size, manifestSha256: hex(r), segments: segmentsFor(r, size, params) } },
      encode: v => tables.encodeRoot(v),
      decode: b => tables.decodeRoot(b),
      validate: () => null,
      roundtrip: (v, b) => bytesEqual(tables.encodeRoot(v), tables.encodeRoot(tables.decodeRoot(b)))
    },
    {
      name: 'files.Manifest',
      maxFrame: MAX_SHARD_SIZE,
      fields: manifestFields,
      // at most 64 segments here (4 GiB); larger files only have more entries of the same kind
      sample: r => { const params = tableParams(r); const size = tableSize(r, params, Math.min(2 ** 32, 64 * params.segmentSize)); return { name: name(r), size, sha256: hex(r), params, segments: segmentsFor(r, size, params), createdAt: 1_700_000_000_000 + r.int(1e11) } },
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
