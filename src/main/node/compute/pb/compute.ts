import { decodeMessage, encodeMessage, enumeration, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface TaskRequest {
  job: Uint8Array<ArrayBuffer>
  task: number
  kernel: TaskRequest.Kernel
  moduleSha256: Uint8Array<ArrayBuffer>
  module: Uint8Array<ArrayBuffer>
  input: Uint8Array<ArrayBuffer>
  budget: bigint
  memoryBytes: bigint
  timeoutMs: number
}

export namespace TaskRequest {
  export enum Kernel {
    MATMUL = 'MATMUL',
    WASM = 'WASM'
  }

  enum __KernelValues {
    MATMUL = 0,
    WASM = 1
  }

  export namespace Kernel {
    export const codec = (): Codec<Kernel> => {
      return enumeration<Kernel>(__KernelValues)
    }
  }

  let _codec: Codec<TaskRequest>

  export const codec = (): Codec<TaskRequest> => {
    if (_codec == null) {
      _codec = message<TaskRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.job != null && obj.job.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.job)
        }

        if ((obj.task != null && obj.task !== 0)) {
          w.uint32(16)
          w.uint32(obj.task)
        }

        if (obj.kernel != null && __KernelValues[obj.kernel] !== 0) {
          w.uint32(24)
          TaskRequest.Kernel.codec().encode(obj.kernel, w)
        }

        if ((obj.moduleSha256 != null && obj.moduleSha256.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.moduleSha256)
        }

        if ((obj.module != null && obj.module.byteLength > 0)) {
          w.uint32(42)
          w.bytes(obj.module)
        }

        if ((obj.input != null && obj.input.byteLength > 0)) {
          w.uint32(50)
          w.bytes(obj.input)
        }

        if ((obj.budget != null && obj.budget !== 0n)) {
          w.uint32(56)
          w.uint64(obj.budget)
        }

        if ((obj.memoryBytes != null && obj.memoryBytes !== 0n)) {
          w.uint32(64)
          w.uint64(obj.memoryBytes)
        }

        if ((obj.timeoutMs != null && obj.timeoutMs !== 0)) {
          w.uint32(72)
          w.uint32(obj.timeoutMs)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          job: uint8ArrayAlloc(0),
          task: 0,
          kernel: Kernel.MATMUL,
          moduleSha256: uint8ArrayAlloc(0),
          module: uint8ArrayAlloc(0),
          input: uint8ArrayAlloc(0),
          budget: 0n,
          memoryBytes: 0n,
          timeoutMs: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.job = reader.bytes()
              break
            }
            case 2: {
              obj.task = reader.uint32()
              break
            }
            case 3: {
              obj.kernel = TaskRequest.Kernel.codec().decode(reader)
              break
            }
            case 4: {
              obj.moduleSha256 = reader.bytes()
              break
            }
            case 5: {
              obj.module = reader.bytes()
              break
            }
            case 6: {
              obj.input = reader.bytes()
              break
            }
            case 7: {
              obj.budget = reader.uint64()
              break
            }
            case 8: {
              obj.memoryBytes = reader.uint64()
              break
            }
            case 9: {
              obj.timeoutMs = reader.uint32()
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
                field: `${prefix}.job`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.task`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.kernel`,
                value: TaskRequest.Kernel.codec().decode(reader)
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.moduleSha256`,
                value: reader.bytes()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.module`,
                value: reader.bytes()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.input`,
                value: reader.bytes()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.budget`,
                value: reader.uint64()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.memoryBytes`,
                value: reader.uint64()
              }
              break
            }
            case 9: {
              yield {
                field: `${prefix}.timeoutMs`,
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

  export interface TaskRequestJobFieldEvent {
    field: '$.job'
    value: Uint8Array<ArrayBuffer>
  }

  export interface TaskRequestTaskFieldEvent {
    field: '$.task'
    value: number
  }

  export interface TaskRequestKernelFieldEvent {
    field: '$.kernel'
    value: TaskRequest.Kernel
  }

  export interface TaskRequestModuleSha256FieldEvent {
    field: '$.moduleSha256'
    value: Uint8Array<ArrayBuffer>
  }

  export interface TaskRequestModuleFieldEvent {
    field: '$.module'
    value: Uint8Array<ArrayBuffer>
  }

  export interface TaskRequestInputFieldEvent {
    field: '$.input'
    value: Uint8Array<ArrayBuffer>
  }

  export interface TaskRequestBudgetFieldEvent {
    field: '$.budget'
    value: bigint
  }

  export interface TaskRequestMemoryBytesFieldEvent {
    field: '$.memoryBytes'
    value: bigint
  }

  export interface TaskRequestTimeoutMsFieldEvent {
    field: '$.timeoutMs'
    value: number
  }

  export function encode (obj: Partial<TaskRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, TaskRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TaskRequest>): TaskRequest {
    return decodeMessage(buf, TaskRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TaskRequest>): Generator<TaskRequestJobFieldEvent | TaskRequestTaskFieldEvent | TaskRequestKernelFieldEvent | TaskRequestModuleSha256FieldEvent | TaskRequestModuleFieldEvent | TaskRequestInputFieldEvent | TaskRequestBudgetFieldEvent | TaskRequestMemoryBytesFieldEvent | TaskRequestTimeoutMsFieldEvent> {
    return streamMessage(buf, TaskRequest.codec(), opts)
  }
}

export interface TaskReply {
  status: TaskReply.Status
  ok: boolean
  output: Uint8Array<ArrayBuffer>
  verdict: TaskReply.Verdict
  message: string
  cpuMs: bigint
  reason: string
}

export namespace TaskReply {
  export enum Status {
    OK = 'OK',
    NEED_MODULE = 'NEED_MODULE',
    UNAVAILABLE = 'UNAVAILABLE',
    DENIED = 'DENIED',
    TIMEOUT = 'TIMEOUT'
  }

  enum __StatusValues {
    OK = 0,
    NEED_MODULE = 1,
    UNAVAILABLE = 2,
    DENIED = 3,
    TIMEOUT = 4
  }

  export namespace Status {
    export const codec = (): Codec<Status> => {
      return enumeration<Status>(__StatusValues)
    }
  }

  export enum Verdict {
    NONE = 'NONE',
    BUDGET = 'BUDGET',
    MEMORY = 'MEMORY',
    TRAP = 'TRAP',
    INVALID = 'INVALID'
  }

  enum __VerdictValues {
    NONE = 0,
    BUDGET = 1,
    MEMORY = 2,
    TRAP = 3,
    INVALID = 4
  }

  export namespace Verdict {
    export const codec = (): Codec<Verdict> => {
      return enumeration<Verdict>(__VerdictValues)
    }
  }

  let _codec: Codec<TaskReply>

  export const codec = (): Codec<TaskReply> => {
    if (_codec == null) {
      _codec = message<TaskReply>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.status != null && __StatusValues[obj.status] !== 0) {
          w.uint32(8)
          TaskReply.Status.codec().encode(obj.status, w)
        }

        if ((obj.ok != null && obj.ok !== false)) {
          w.uint32(16)
          w.bool(obj.ok)
        }

        if ((obj.output != null && obj.output.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.output)
        }

        if (obj.verdict != null && __VerdictValues[obj.verdict] !== 0) {
          w.uint32(32)
          TaskReply.Verdict.codec().encode(obj.verdict, w)
        }

        if ((obj.message != null && obj.message !== '')) {
          w.uint32(42)
          w.string(obj.message)
        }

        if ((obj.cpuMs != null && obj.cpuMs !== 0n)) {
          w.uint32(48)
          w.uint64(obj.cpuMs)
        }

        if ((obj.reason != null && obj.reason !== '')) {
          w.uint32(58)
          w.string(obj.reason)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          status: Status.OK,
          ok: false,
          output: uint8ArrayAlloc(0),
          verdict: Verdict.NONE,
          message: '',
          cpuMs: 0n,
          reason: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.status = TaskReply.Status.codec().decode(reader)
              break
            }
            case 2: {
              obj.ok = reader.bool()
              break
            }
            case 3: {
              obj.output = reader.bytes()
              break
            }
            case 4: {
              obj.verdict = TaskReply.Verdict.codec().decode(reader)
              break
            }
            case 5: {
              obj.message = reader.string()
              break
            }
            case 6: {
              obj.cpuMs = reader.uint64()
              break
            }
            case 7: {
              obj.reason = reader.string()
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
                field: `${prefix}.status`,
                value: TaskReply.Status.codec().decode(reader)
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.ok`,
                value: reader.bool()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.output`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.verdict`,
                value: TaskReply.Verdict.codec().decode(reader)
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.message`,
                value: reader.string()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.cpuMs`,
                value: reader.uint64()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.reason`,
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

  export interface TaskReplyStatusFieldEvent {
    field: '$.status'
    value: TaskReply.Status
  }

  export interface TaskReplyOkFieldEvent {
    field: '$.ok'
    value: boolean
  }

  export interface TaskReplyOutputFieldEvent {
    field: '$.output'
    value: Uint8Array<ArrayBuffer>
  }

  export interface TaskReplyVerdictFieldEvent {
    field: '$.verdict'
    value: TaskReply.Verdict
  }

  export interface TaskReplyMessageFieldEvent {
    field: '$.message'
    value: string
  }

  export interface TaskReplyCpuMsFieldEvent {
    field: '$.cpuMs'
    value: bigint
  }

  export interface TaskReplyReasonFieldEvent {
    field: '$.reason'
    value: string
  }

  export function encode (obj: Partial<TaskReply>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, TaskReply.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TaskReply>): TaskReply {
    return decodeMessage(buf, TaskReply.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TaskReply>): Generator<TaskReplyStatusFieldEvent | TaskReplyOkFieldEvent | TaskReplyOutputFieldEvent | TaskReplyVerdictFieldEvent | TaskReplyMessageFieldEvent | TaskReplyCpuMsFieldEvent | TaskReplyReasonFieldEvent> {
    return streamMessage(buf, TaskReply.codec(), opts)
  }
}
