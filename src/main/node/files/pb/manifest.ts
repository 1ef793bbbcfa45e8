import { decodeMessage, encodeMessage, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface Params {
  k: number
  m: number
  segmentSize: number
}

export namespace Params {
  let _codec: Codec<Params>

  export const codec = (): Codec<Params> => {
    if (_codec == null) {
      _codec = message<Params>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.k != null && obj.k !== 0)) {
          w.uint32(8)
          w.uint32(obj.k)
        }

        if ((obj.m != null && obj.m !== 0)) {
          w.uint32(16)
          w.uint32(obj.m)
        }

        if ((obj.segmentSize != null && obj.segmentSize !== 0)) {
          w.uint32(24)
          w.uint32(obj.segmentSize)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          k: 0,
          m: 0,
          segmentSize: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.k = reader.uint32()
              break
            }
            case 2: {
              obj.m = reader.uint32()
              break
            }
            case 3: {
              obj.segmentSize = reader.uint32()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.k`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.m`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.segmentSize`,
                value: reader.uint32()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface ParamsKFieldEvent {
    field: '$.k'
    value: number
  }

  export interface ParamsMFieldEvent {
    field: '$.m'
    value: number
  }

  export interface ParamsSegmentSizeFieldEvent {
    field: '$.segmentSize'
    value: number
  }

  export function encode (obj: Partial<Params>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Params.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Params>): Params {
    return decodeMessage(buf, Params.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Params>): Generator<ParamsKFieldEvent | ParamsMFieldEvent | ParamsSegmentSizeFieldEvent> {
    return streamMessage(buf, Params.codec(), opts)
  }
}

export interface Segment {
  index: number
  plainSize: number
  compressed: boolean
  cipherSize: number
  shardSize: number
  shards: string[]
  holders: Holders[]
}

export namespace Segment {
  let _codec: Codec<Segment>

  export const codec = (): Codec<Segment> => {
    if (_codec == null) {
      _codec = message<Segment>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.index != null && obj.index !== 0)) {
          w.uint32(8)
          w.uint32(obj.index)
        }

        if ((obj.plainSize != null && obj.plainSize !== 0)) {
          w.uint32(16)
          w.uint32(obj.plainSize)
        }

        if ((obj.compressed != null && obj.compressed !== false)) {
          w.uint32(24)
          w.bool(obj.compressed)
        }

        if ((obj.cipherSize != null && obj.cipherSize !== 0)) {
          w.uint32(32)
          w.uint32(obj.cipherSize)
        }

        if ((obj.shardSize != null && obj.shardSize !== 0)) {
          w.uint32(40)
          w.uint32(obj.shardSize)
        }

        if (obj.shards != null && obj.shards.length > 0) {
          for (const value of obj.shards) {
            w.uint32(50)
            w.string(value)
          }
        }

        if (obj.holders != null && obj.holders.length > 0) {
          for (const value of obj.holders) {
            w.uint32(58)
            Holders.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          index: 0,
          plainSize: 0,
          compressed: false,
          cipherSize: 0,
          shardSize: 0,
          shards: [],
          holders: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.index = reader.uint32()
              break
            }
            case 2: {
              obj.plainSize = reader.uint32()
              break
            }
            case 3: {
              obj.compressed = reader.bool()
              break
            }
            case 4: {
              obj.cipherSize = reader.uint32()
              break
            }
            case 5: {
              obj.shardSize = reader.uint32()
              break
            }
            case 6: {
              if (opts.limits?.shards != null && obj.shards.length === opts.limits.shards) {
                throw new MaxLengthError('Decode error - repeated field "shards" had too many elements')
              }

              obj.shards.push(reader.string())
              break
            }
            case 7: {
              if (opts.limits?.holders != null && obj.holders.length === opts.limits.holders) {
                throw new MaxLengthError('Decode error - repeated field "holders" had too many elements')
              }

              obj.holders.push(Holders.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.holders$
              }))
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          shards: 0,
          holders: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.index`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.plainSize`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.compressed`,
                value: reader.bool()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.cipherSize`,
                value: reader.uint32()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.shardSize`,
                value: reader.uint32()
              }
              break
            }
            case 6: {
              if (opts.limits?.shards != null && obj.shards === opts.limits.shards) {
                throw new MaxLengthError('Streaming decode error - repeated field "shards" had too many elements')
              }

              yield {
                field: `${prefix}.shards[]`,
                index: obj.shards,
                value: reader.string()
              }

              obj.shards++

              break
            }
            case 7: {
              if (opts.limits?.holders != null && obj.holders === opts.limits.holders) {
                throw new MaxLengthError('Streaming decode error - repeated field "holders" had too many elements')
              }

              for (const evt of Holders.codec().stream(reader, reader.uint32(), `${prefix}.holders[]`, {
                limits: opts.limits?.holders$
              })) {
                yield {
                  ...evt,
                  index: obj.holders
                }
              }

              obj.holders++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface SegmentIndexFieldEvent {
    field: '$.index'
    value: number
  }

  export interface SegmentPlainSizeFieldEvent {
    field: '$.plainSize'
    value: number
  }

  export interface SegmentCompressedFieldEvent {
    field: '$.compressed'
    value: boolean
  }

  export interface SegmentCipherSizeFieldEvent {
    field: '$.cipherSize'
    value: number
  }

  export interface SegmentShardSizeFieldEvent {
    field: '$.shardSize'
    value: number
  }

  export interface SegmentShardsFieldEvent {
    field: '$.shards[]'
    index: number
    value: string
  }

  export interface SegmentHoldersPeersFieldEvent {
    field: '$.holders[].peers[]'
    index: number
    value: string
  }

  export function encode (obj: Partial<Segment>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Segment.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Segment>): Segment {
    return decodeMessage(buf, Segment.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Segment>): Generator<SegmentIndexFieldEvent | SegmentPlainSizeFieldEvent | SegmentCompressedFieldEvent | SegmentCipherSizeFieldEvent | SegmentShardSizeFieldEvent | SegmentShardsFieldEvent | SegmentHoldersPeersFieldEvent> {
    return streamMessage(buf, Segment.codec(), opts)
  }
}

export interface Holders {
  peers: string[]
}

export namespace Holders {
  let _codec: Codec<Holders>

  export const codec = (): Codec<Holders> => {
    if (_codec == null) {
      _codec = message<Holders>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.peers != null && obj.peers.length > 0) {
          for (const value of obj.peers) {
            w.uint32(10)
            w.string(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          peers: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.peers != null && obj.peers.length === opts.limits.peers) {
                throw new MaxLengthError('Decode error - repeated field "peers" had too many elements')
              }

              obj.peers.push(reader.string())
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          peers: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.peers != null && obj.peers === opts.limits.peers) {
                throw new MaxLengthError('Streaming decode error - repeated field "peers" had too many elements')
              }

              yield {
                field: `${prefix}.peers[]`,
                index: obj.peers,
                value: reader.string()
              }

              obj.peers++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface HoldersPeersFieldEvent {
    field: '$.peers[]'
    index: number
    value: string
  }

  export function encode (obj: Partial<Holders>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Holders.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Holders>): Holders {
    return decodeMessage(buf, Holders.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Holders>): Generator<HoldersPeersFieldEvent> {
    return streamMessage(buf, Holders.codec(), opts)
  }
}

export interface RootRecord {
  version: number
  fileId: Uint8Array<ArrayBuffer>
  params?: Params
  manifestSize: number
  manifestSha256: string
  segments: Segment[]
}

export namespace RootRecord {
  let _codec: Codec<RootRecord>

  export const codec = (): Codec<RootRecord> => {
    if (_codec == null) {
      _codec = message<RootRecord>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if ((obj.fileId != null && obj.fileId.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.fileId)
        }

        if (obj.params != null) {
          w.uint32(26)
          Params.codec().encode(obj.params, w)
        }

        if ((obj.manifestSize != null && obj.manifestSize !== 0)) {
          w.uint32(33)
          w.double(obj.manifestSize)
        }

        if ((obj.manifestSha256 != null && obj.manifestSha256 !== '')) {
          w.uint32(42)
          w.string(obj.manifestSha256)
        }

        if (obj.segments != null && obj.segments.length > 0) {
          for (const value of obj.segments) {
            w.uint32(50)
            Segment.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          fileId: uint8ArrayAlloc(0),
          manifestSize: 0,
          manifestSha256: '',
          segments: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.version = reader.uint32()
              break
            }
            case 2: {
              obj.fileId = reader.bytes()
              break
            }
            case 3: {
              obj.params = Params.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.params
              })
              break
            }
            case 4: {
              obj.manifestSize = reader.double()
              break
            }
            case 5: {
              obj.manifestSha256 = reader.string()
              break
            }
            case 6: {
              if (opts.limits?.segments != null && obj.segments.length === opts.limits.segments) {
                throw new MaxLengthError('Decode error - repeated field "segments" had too many elements')
              }

              obj.segments.push(Segment.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.segments$
              }))
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          segments: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.version`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.fileId`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield * Params.codec().stream(reader, reader.uint32(), `${prefix}.params`, {
                limits: opts.limits?.params
              })

              break
            }
            case 4: {
              yield {
                field: `${prefix}.manifestSize`,
                value: reader.double()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.manifestSha256`,
                value: reader.string()
              }
              break
            }
            case 6: {
              if (opts.limits?.segments != null && obj.segments === opts.limits.segments) {
                throw new MaxLengthError('Streaming decode error - repeated field "segments" had too many elements')
              }

              for (const evt of Segment.codec().stream(reader, reader.uint32(), `${prefix}.segments[]`, {
                limits: opts.limits?.segments$
              })) {
                yield {
                  ...evt,
                  index: obj.segments
                }
              }

              obj.segments++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface RootRecordVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface RootRecordFileIdFieldEvent {
    field: '$.fileId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RootRecordParamsKFieldEvent {
    field: '$.params.k'
    value: number
  }

  export interface RootRecordParamsMFieldEvent {
    field: '$.params.m'
    value: number
  }

  export interface RootRecordParamsSegmentSizeFieldEvent {
    field: '$.params.segmentSize'
    value: number
  }

  export interface RootRecordManifestSizeFieldEvent {
    field: '$.manifestSize'
    value: number
  }

  export interface RootRecordManifestSha256FieldEvent {
    field: '$.manifestSha256'
    value: string
  }

  export interface RootRecordSegmentsIndexFieldEvent {
    field: '$.segments[].index'
    value: number
    index: number
  }

  export interface RootRecordSegmentsPlainSizeFieldEvent {
    field: '$.segments[].plainSize'
    value: number
    index: number
  }

  export interface RootRecordSegmentsCompressedFieldEvent {
    field: '$.segments[].compressed'
    value: boolean
    index: number
  }

  export interface RootRecordSegmentsCipherSizeFieldEvent {
    field: '$.segments[].cipherSize'
    value: number
    index: number
  }

  export interface RootRecordSegmentsShardSizeFieldEvent {
    field: '$.segments[].shardSize'
    value: number
    index: number
  }

  export interface RootRecordSegmentsShardsFieldEvent {
    field: '$.segments[].shards[]'
    index: number
    value: string
  }

  export interface RootRecordSegmentsHoldersPeersFieldEvent {
    field: '$.segments[].holders[].peers[]'
    index: number
    value: string
  }

  export function encode (obj: Partial<RootRecord>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, RootRecord.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RootRecord>): RootRecord {
    return decodeMessage(buf, RootRecord.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RootRecord>): Generator<RootRecordVersionFieldEvent | RootRecordFileIdFieldEvent | RootRecordParamsKFieldEvent | RootRecordParamsMFieldEvent | RootRecordParamsSegmentSizeFieldEvent | RootRecordManifestSizeFieldEvent | RootRecordManifestSha256FieldEvent | RootRecordSegmentsIndexFieldEvent | RootRecordSegmentsPlainSizeFieldEvent | RootRecordSegmentsCompressedFieldEvent | RootRecordSegmentsCipherSizeFieldEvent | RootRecordSegmentsShardSizeFieldEvent | RootRecordSegmentsShardsFieldEvent | RootRecordSegmentsHoldersPeersFieldEvent> {
    return streamMessage(buf, RootRecord.codec(), opts)
  }
}

export interface Manifest {
  version: number
  name: string
  size: number
  sha256: string
  params?: Params
  segments: Segment[]
  createdAt: number
}

export namespace Manifest {
  let _codec: Codec<Manifest>

  export const codec = (): Codec<Manifest> => {
    if (_codec == null) {
      _codec = message<Manifest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if ((obj.name != null && obj.name !== '')) {
          w.uint32(18)
          w.string(obj.name)
        }

        if ((obj.size != null && obj.size !== 0)) {
          w.uint32(25)
          w.double(obj.size)
        }

        if ((obj.sha256 != null && obj.sha256 !== '')) {
          w.uint32(34)
          w.string(obj.sha256)
        }

        if (obj.params != null) {
          w.uint32(42)
          Params.codec().encode(obj.params, w)
        }

        if (obj.segments != null && obj.segments.length > 0) {
          for (const value of obj.segments) {
            w.uint32(50)
            Segment.codec().encode(value, w)
          }
        }

        if ((obj.createdAt != null && obj.createdAt !== 0)) {
          w.uint32(57)
          w.double(obj.createdAt)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          name: '',
          size: 0,
          sha256: '',
          segments: [],
          createdAt: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.version = reader.uint32()
              break
            }
            case 2: {
              obj.name = reader.string()
              break
            }
            case 3: {
              obj.size = reader.double()
              break
            }
            case 4: {
              obj.sha256 = reader.string()
              break
            }
            case 5: {
              obj.params = Params.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.params
              })
              break
            }
            case 6: {
              if (opts.limits?.segments != null && obj.segments.length === opts.limits.segments) {
                throw new MaxLengthError('Decode error - repeated field "segments" had too many elements')
              }

              obj.segments.push(Segment.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.segments$
              }))
              break
            }
            case 7: {
              obj.createdAt = reader.double()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          segments: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.version`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.name`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.size`,
                value: reader.double()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.sha256`,
                value: reader.string()
              }
              break
            }
            case 5: {
              yield * Params.codec().stream(reader, reader.uint32(), `${prefix}.params`, {
                limits: opts.limits?.params
              })

              break
            }
            case 6: {
              if (opts.limits?.segments != null && obj.segments === opts.limits.segments) {
                throw new MaxLengthError('Streaming decode error - repeated field "segments" had too many elements')
              }

              for (const evt of Segment.codec().stream(reader, reader.uint32(), `${prefix}.segments[]`, {
                limits: opts.limits?.segments$
              })) {
                yield {
                  ...evt,
                  index: obj.segments
                }
              }

              obj.segments++

              break
            }
            case 7: {
              yield {
                field: `${prefix}.createdAt`,
                value: reader.double()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface ManifestVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface ManifestNameFieldEvent {
    field: '$.name'
    value: string
  }

  export interface ManifestSizeFieldEvent {
    field: '$.size'
    value: number
  }

  export interface ManifestSha256FieldEvent {
    field: '$.sha256'
    value: string
  }

  export interface ManifestParamsKFieldEvent {
    field: '$.params.k'
    value: number
  }

  export interface ManifestParamsMFieldEvent {
    field: '$.params.m'
    value: number
  }

  export interface ManifestParamsSegmentSizeFieldEvent {
    field: '$.params.segmentSize'
    value: number
  }

  export interface ManifestSegmentsIndexFieldEvent {
    field: '$.segments[].index'
    value: number
    index: number
  }

  export interface ManifestSegmentsPlainSizeFieldEvent {
    field: '$.segments[].plainSize'
    value: number
    index: number
  }

  export interface ManifestSegmentsCompressedFieldEvent {
    field: '$.segments[].compressed'
    value: boolean
    index: number
  }

  export interface ManifestSegmentsCipherSizeFieldEvent {
    field: '$.segments[].cipherSize'
    value: number
    index: number
  }

  export interface ManifestSegmentsShardSizeFieldEvent {
    field: '$.segments[].shardSize'
    value: number
    index: number
  }

  export interface ManifestSegmentsShardsFieldEvent {
    field: '$.segments[].shards[]'
    index: number
    value: string
  }

  export interface ManifestSegmentsHoldersPeersFieldEvent {
    field: '$.segments[].holders[].peers[]'
    index: number
    value: string
  }

  export interface ManifestCreatedAtFieldEvent {
    field: '$.createdAt'
    value: number
  }

  export function encode (obj: Partial<Manifest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Manifest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Manifest>): Manifest {
    return decodeMessage(buf, Manifest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Manifest>): Generator<ManifestVersionFieldEvent | ManifestNameFieldEvent | ManifestSizeFieldEvent | ManifestSha256FieldEvent | ManifestParamsKFieldEvent | ManifestParamsMFieldEvent | ManifestParamsSegmentSizeFieldEvent | ManifestSegmentsIndexFieldEvent | ManifestSegmentsPlainSizeFieldEvent | ManifestSegmentsCompressedFieldEvent | ManifestSegmentsCipherSizeFieldEvent | ManifestSegmentsShardSizeFieldEvent | ManifestSegmentsShardsFieldEvent | ManifestSegmentsHoldersPeersFieldEvent | ManifestCreatedAtFieldEvent> {
    return streamMessage(buf, Manifest.codec(), opts)
  }
}
