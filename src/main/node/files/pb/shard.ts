import { decodeMessage, encodeMessage, enumeration, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface ShardRequest {
  kind: ShardRequest.Kind
  cid: string
  data: Uint8Array<ArrayBuffer>
  leaseMs: number
  cids: string[]
  nonce: Uint8Array<ArrayBuffer>
  group?: string
}

export namespace ShardRequest {
  export enum Kind {
    PUT = 'PUT',
    GET = 'GET',
    HAS = 'HAS',
    RELEASE = 'RELEASE',
    RENEW = 'RENEW',
    PROVE = 'PROVE'
  }

  enum __KindValues {
    PUT = 0,
    GET = 1,
    HAS = 2,
    RELEASE = 3,
    RENEW = 4,
    PROVE = 5
  }

  export namespace Kind {
    export const codec = (): Codec<Kind> => {
      return enumeration<Kind>(__KindValues)
    }
  }

  let _codec: Codec<ShardRequest>

  export const codec = (): Codec<ShardRequest> => {
    if (_codec == null) {
      _codec = message<ShardRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.kind != null && __KindValues[obj.kind] !== 0) {
          w.uint32(8)
          ShardRequest.Kind.codec().encode(obj.kind, w)
        }

        if ((obj.cid != null && obj.cid !== '')) {
          w.uint32(18)
          w.string(obj.cid)
        }

        if ((obj.data != null && obj.data.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.data)
        }

        if ((obj.leaseMs != null && obj.leaseMs !== 0)) {
          w.uint32(33)
          w.double(obj.leaseMs)
        }

        if (obj.cids != null && obj.cids.length > 0) {
          for (const value of obj.cids) {
            w.uint32(42)
            w.string(value)
          }
        }

        if ((obj.nonce != null && obj.nonce.byteLength > 0)) {
          w.uint32(50)
          w.bytes(obj.nonce)
        }

        if (obj.group != null) {
          w.uint32(58)
          w.string(obj.group)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          kind: Kind.PUT,
          cid: '',
          data: uint8ArrayAlloc(0),
          leaseMs: 0,
          cids: [],
          nonce: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.kind = ShardRequest.Kind.codec().decode(reader)
              break
            }
            case 2: {
              obj.cid = reader.string()
              break
            }
            case 3: {
              obj.data = reader.bytes()
              break
            }
            case 4: {
              obj.leaseMs = reader.double()
              break
            }
            case 5: {
              if (opts.limits?.cids != null && obj.cids.length === opts.limits.cids) {
                throw new MaxLengthError('Decode error - repeated field "cids" had too many elements')
              }

              obj.cids.push(reader.string())
              break
            }
            case 6: {
              obj.nonce = reader.bytes()
              break
            }
            case 7: {
              obj.group = reader.string()
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
          cids: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.kind`,
                value: ShardRequest.Kind.codec().decode(reader)
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.cid`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.data`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.leaseMs`,
                value: reader.double()
              }
              break
            }
            case 5: {
              if (opts.limits?.cids != null && obj.cids === opts.limits.cids) {
                throw new MaxLengthError('Streaming decode error - repeated field "cids" had too many elements')
              }

              yield {
                field: `${prefix}.cids[]`,
                index: obj.cids,
                value: reader.string()
              }

              obj.cids++

              break
            }
            case 6: {
              yield {
                field: `${prefix}.nonce`,
                value: reader.bytes()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.group`,
                value: reader.string()
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

  export interface ShardRequestKindFieldEvent {
    field: '$.kind'
    value: ShardRequest.Kind
  }

  export interface ShardRequestCidFieldEvent {
    field: '$.cid'
    value: string
  }

  export interface ShardRequestDataFieldEvent {
    field: '$.data'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ShardRequestLeaseMsFieldEvent {
    field: '$.leaseMs'
    value: number
  }

  export interface ShardRequestCidsFieldEvent {
    field: '$.cids[]'
    index: number
    value: string
  }

  export interface ShardRequestNonceFieldEvent {
    field: '$.nonce'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ShardRequestGroupFieldEvent {
    field: '$.group'
    value: string
  }

  export function encode (obj: Partial<ShardRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ShardRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ShardRequest>): ShardRequest {
    return decodeMessage(buf, ShardRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ShardRequest>): Generator<ShardRequestKindFieldEvent | ShardRequestCidFieldEvent | ShardRequestDataFieldEvent | ShardRequestLeaseMsFieldEvent | ShardRequestCidsFieldEvent | ShardRequestNonceFieldEvent | ShardRequestGroupFieldEvent> {
    return streamMessage(buf, ShardRequest.codec(), opts)
  }
}

export interface ShardResponse {
  status: ShardResponse.Status
  message: string
  data: Uint8Array<ArrayBuffer>
  has: boolean[]
  renewed: boolean
  proofs: Uint8Array<ArrayBuffer>[]
}

export namespace ShardResponse {
  export enum Status {
    OK = 'OK',
    NOT_FOUND = 'NOT_FOUND',
    DENIED = 'DENIED',
    QUOTA = 'QUOTA',
    INVALID = 'INVALID',
    UNAVAILABLE = 'UNAVAILABLE',
    BUSY = 'BUSY'
  }

  enum __StatusValues {
    OK = 0,
    NOT_FOUND = 1,
    DENIED = 2,
    QUOTA = 3,
    INVALID = 4,
    UNAVAILABLE = 5,
    BUSY = 6
  }

  export namespace Status {
    export const codec = (): Codec<Status> => {
      return enumeration<Status>(__StatusValues)
    }
  }

  let _codec: Codec<ShardResponse>

  export const codec = (): Codec<ShardResponse> => {
    if (_codec == null) {
      _codec = message<ShardResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.status != null && __StatusValues[obj.status] !== 0) {
          w.uint32(8)
          ShardResponse.Status.codec().encode(obj.status, w)
        }

        if ((obj.message != null && obj.message !== '')) {
          w.uint32(18)
          w.string(obj.message)
        }

        if ((obj.data != null && obj.data.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.data)
        }

        if (obj.has != null && obj.has.length > 0) {
          for (const value of obj.has) {
            w.uint32(32)
            w.bool(value)
          }
        }

        if ((obj.renewed != null && obj.renewed !== false)) {
          w.uint32(40)
          w.bool(obj.renewed)
        }

        if (obj.proofs != null && obj.proofs.length > 0) {
          for (const value of obj.proofs) {
            w.uint32(50)
            w.bytes(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          status: Status.OK,
          message: '',
          data: uint8ArrayAlloc(0),
          has: [],
          renewed: false,
          proofs: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.status = ShardResponse.Status.codec().decode(reader)
              break
            }
            case 2: {
              obj.message = reader.string()
              break
            }
            case 3: {
              obj.data = reader.bytes()
              break
            }
            case 4: {
              if (opts.limits?.has != null && obj.has.length === opts.limits.has) {
                throw new MaxLengthError('Decode error - repeated field "has" had too many elements')
              }

              obj.has.push(reader.bool())
              break
            }
            case 5: {
              obj.renewed = reader.bool()
              break
            }
            case 6: {
              if (opts.limits?.proofs != null && obj.proofs.length === opts.limits.proofs) {
                throw new MaxLengthError('Decode error - repeated field "proofs" had too many elements')
              }

              obj.proofs.push(reader.bytes())
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
          has: 0,
          proofs: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.status`,
                value: ShardResponse.Status.codec().decode(reader)
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.message`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.data`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              if (opts.limits?.has != null && obj.has === opts.limits.has) {
                throw new MaxLengthError('Streaming decode error - repeated field "has" had too many elements')
              }

              yield {
                field: `${prefix}.has[]`,
                index: obj.has,
                value: reader.bool()
              }

              obj.has++

              break
            }
            case 5: {
              yield {
                field: `${prefix}.renewed`,
                value: reader.bool()
              }
              break
            }
            case 6: {
              if (opts.limits?.proofs != null && obj.proofs === opts.limits.proofs) {
                throw new MaxLengthError('Streaming decode error - repeated field "proofs" had too many elements')
              }

              yield {
                field: `${prefix}.proofs[]`,
                index: obj.proofs,
                value: reader.bytes()
              }

              obj.proofs++

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

  export interface ShardResponseStatusFieldEvent {
    field: '$.status'
    value: ShardResponse.Status
  }

  export interface ShardResponseMessageFieldEvent {
    field: '$.message'
    value: string
  }

  export interface ShardResponseDataFieldEvent {
    field: '$.data'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ShardResponseHasFieldEvent {
    field: '$.has[]'
    index: number
    value: boolean
  }

  export interface ShardResponseRenewedFieldEvent {
    field: '$.renewed'
    value: boolean
  }

  export interface ShardResponseProofsFieldEvent {
    field: '$.proofs[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<ShardResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ShardResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ShardResponse>): ShardResponse {
    return decodeMessage(buf, ShardResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ShardResponse>): Generator<ShardResponseStatusFieldEvent | ShardResponseMessageFieldEvent | ShardResponseDataFieldEvent | ShardResponseHasFieldEvent | ShardResponseRenewedFieldEvent | ShardResponseProofsFieldEvent> {
    return streamMessage(buf, ShardResponse.codec(), opts)
  }
}
