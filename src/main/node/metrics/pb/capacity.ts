import { decodeMessage, encodeMessage, message, streamMessage } from 'protons-runtime'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface CapacityMessage {
  cores: number
  cpuLoad: number
  memTotal: number
  memFree: number
  diskTotal: number
  diskFree: number
  measuredAt: number
}

export namespace CapacityMessage {
  let _codec: Codec<CapacityMessage>

  export const codec = (): Codec<CapacityMessage> => {
    if (_codec == null) {
      _codec = message<CapacityMessage>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.cores != null && obj.cores !== 0)) {
          w.uint32(8)
          w.uint32(obj.cores)
        }

        if ((obj.cpuLoad != null && obj.cpuLoad !== 0)) {
          w.uint32(17)
          w.double(obj.cpuLoad)
        }

        if ((obj.memTotal != null && obj.memTotal !== 0)) {
          w.uint32(25)
          w.double(obj.memTotal)
        }

        if ((obj.memFree != null && obj.memFree !== 0)) {
          w.uint32(33)
          w.double(obj.memFree)
        }

        if ((obj.diskTotal != null && obj.diskTotal !== 0)) {
          w.uint32(41)
          w.double(obj.diskTotal)
        }

        if ((obj.diskFree != null && obj.diskFree !== 0)) {
          w.uint32(49)
          w.double(obj.diskFree)
        }

        if ((obj.measuredAt != null && obj.measuredAt !== 0)) {
          w.uint32(57)
          w.double(obj.measuredAt)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          cores: 0,
          cpuLoad: 0,
          memTotal: 0,
          memFree: 0,
          diskTotal: 0,
          diskFree: 0,
          measuredAt: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.cores = reader.uint32()
              break
            }
            case 2: {
              obj.cpuLoad = reader.double()
              break
            }
            case 3: {
              obj.memTotal = reader.double()
              break
            }
            case 4: {
              obj.memFree = reader.double()
              break
            }
            case 5: {
              obj.diskTotal = reader.double()
              break
            }
            case 6: {
              obj.diskFree = reader.double()
              break
            }
            case 7: {
              obj.measuredAt = reader.double()
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
                field: `${prefix}.cores`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.cpuLoad`,
                value: reader.double()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.memTotal`,
                value: reader.double()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.memFree`,
                value: reader.double()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.diskTotal`,
                value: reader.double()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.diskFree`,
                value: reader.double()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.measuredAt`,
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

  export interface CapacityMessageCoresFieldEvent {
    field: '$.cores'
    value: number
  }

  export interface CapacityMessageCpuLoadFieldEvent {
    field: '$.cpuLoad'
    value: number
  }

  export interface CapacityMessageMemTotalFieldEvent {
    field: '$.memTotal'
    value: number
  }

  export interface CapacityMessageMemFreeFieldEvent {
    field: '$.memFree'
    value: number
  }

  export interface CapacityMessageDiskTotalFieldEvent {
    field: '$.diskTotal'
    value: number
  }

  export interface CapacityMessageDiskFreeFieldEvent {
    field: '$.diskFree'
    value: number
  }

  export interface CapacityMessageMeasuredAtFieldEvent {
    field: '$.measuredAt'
    value: number
  }

  export function encode (obj: Partial<CapacityMessage>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, CapacityMessage.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CapacityMessage>): CapacityMessage {
    return decodeMessage(buf, CapacityMessage.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CapacityMessage>): Generator<CapacityMessageCoresFieldEvent | CapacityMessageCpuLoadFieldEvent | CapacityMessageMemTotalFieldEvent | CapacityMessageMemFreeFieldEvent | CapacityMessageDiskTotalFieldEvent | CapacityMessageDiskFreeFieldEvent | CapacityMessageMeasuredAtFieldEvent> {
    return streamMessage(buf, CapacityMessage.codec(), opts)
  }
}
