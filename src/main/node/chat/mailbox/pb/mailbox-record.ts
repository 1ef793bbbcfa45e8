import { decodeMessage, encodeMessage, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface MailboxRecord {
  tag: Uint8Array<ArrayBuffer>
  sealed: Uint8Array<ArrayBuffer>
  depositor: string
  storedAt: number
  release: Uint8Array<ArrayBuffer>
}

export namespace MailboxRecord {
  let _codec: Codec<MailboxRecord>

  export const codec = (): Codec<MailboxRecord> => {
    if (_codec == null) {
      _codec = message<MailboxRecord>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.tag != null && obj.tag.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.tag)
        }

        if ((obj.sealed != null && obj.sealed.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.sealed)
        }

        if ((obj.depositor != null && obj.depositor !== '')) {
          w.uint32(26)
          w.string(obj.depositor)
        }

        if ((obj.storedAt != null && obj.storedAt !== 0)) {
          w.uint32(33)
          w.double(obj.storedAt)
        }

        if ((obj.release != null && obj.release.byteLength > 0)) {
          w.uint32(42)
          w.bytes(obj.release)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          tag: uint8ArrayAlloc(0),
          sealed: uint8ArrayAlloc(0),
          depositor: '',
          storedAt: 0,
          release: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.tag = reader.bytes()
              break
            }
            case 2: {
              obj.sealed = reader.bytes()
              break
            }
            case 3: {
              obj.depositor = reader.string()
              break
            }
            case 4: {
              obj.storedAt = reader.double()
              break
            }
            case 5: {
              obj.release = reader.bytes()
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
                field: `${prefix}.tag`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.sealed`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.depositor`,
                value: reader.string()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.storedAt`,
                value: reader.double()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.release`,
                value: reader.bytes()
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

  export interface MailboxRecordTagFieldEvent {
    field: '$.tag'
    value: Uint8Array<ArrayBuffer>
  }

  export interface MailboxRecordSealedFieldEvent {
    field: '$.sealed'
    value: Uint8Array<ArrayBuffer>
  }

  export interface MailboxRecordDepositorFieldEvent {
    field: '$.depositor'
    value: string
  }

  export interface MailboxRecordStoredAtFieldEvent {
    field: '$.storedAt'
    value: number
  }

  export interface MailboxRecordReleaseFieldEvent {
    field: '$.release'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<MailboxRecord>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, MailboxRecord.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MailboxRecord>): MailboxRecord {
    return decodeMessage(buf, MailboxRecord.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MailboxRecord>): Generator<MailboxRecordTagFieldEvent | MailboxRecordSealedFieldEvent | MailboxRecordDepositorFieldEvent | MailboxRecordStoredAtFieldEvent | MailboxRecordReleaseFieldEvent> {
    return streamMessage(buf, MailboxRecord.codec(), opts)
  }
}
