/**
 * The fuzzer's seeded generator: a small PRNG keyed by (seed, target, phase,
 * case number), so any case is reproduced from those four alone, a tolerant
 * protobuf wire-format parser, and the mutations applied to real encoded
 * messages: random bytes, truncation, bit flips, byte insertions and
 * deletions, oversized length-delimited fields, huge repeated fields, unknown
 * fields and wire types, endless varints, wrong enum values, duplicated
 * fields and splices of two messages.
 *
 * Plain JavaScript with no project imports: the unit test (vitest, from src/)
 * and `npm run fuzz` (node, from out/) both use it. A target (targets.js)
 * supplies what is specific to a message type.
 */

/** cyrb128: four 32-bit words from a string */
function hash128 (s) {
  let h1 = 1779033703; let h2 = 3144134277; let h3 = 1013904242; let h4 = 2773480762
  for (let i = 0; i < s.length; i++) {
    const k = s.charCodeAt(i)
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067)
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233)
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213)
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179)
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067)
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233)
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213)
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179)
  return [(h1 ^ h2 ^ h3 ^ h4) >>> 0, (h2 ^ h1) >>> 0, (h3 ^ h1) >>> 0, (h4 ^ h1) >>> 0]
}

/** sfc32, keyed by a seed and a case key: the same (seed, key) always gives the same stream. */
export class Rng {
  constructor (seed, key = '') {
    [this.a, this.b, this.c, this.d] = hash128(`${seed}/${key}`)
    for (let i = 0; i < 12; i++) this.u32()
  }

  u32 () {
    const t = (((this.a + this.b) | 0) + this.d) | 0
    this.d = (this.d + 1) | 0
    this.a = this.b ^ (this.b >>> 9)
    this.b = (this.c + (this.c << 3)) | 0
    this.c = (this.c << 21) | (this.c >>> 11)
    this.c = (this.c + t) | 0
    return t >>> 0
  }

  /** a float in [0, 1) */
  float () { return this.u32() / 4294967296 }
  /** an integer in [0, n) */
  int (n) { return n <= 0 ? 0 : Math.floor(this.float() * n) }
  /** an integer in [lo, hi] */
  range (lo, hi) { return lo + this.int(hi - lo + 1) }
  chance (p) { return this.float() < p }
  pick (list) { return list[this.int(list.length)] }
  /** choose a key of `weights` ({ name: weight }) in proportion to its weight */
  weighted (weights) {
    const entries = Object.entries(weights)
    let x = this.float() * entries.reduce((s, [, w]) => s + w, 0)
    for (const [k, w] of entries) { x -= w; if (x < 0) return k }
    return entries[entries.length - 1][0]
  }

  bytes (n) {
    const out = new Uint8Array(n)
    for (let i = 0; i < n; i += 4) {
      const v = this.u32()
      out[i] = v; if (i + 1 < n) out[i + 1] = v >>> 8; if (i + 2 < n) out[i + 2] = v >>> 16; if (i + 3 < n) out[i + 3] = v >>> 24
    }
    return out
  }

  /** a length skewed small: mostly under 16, sometimes up to max */
  size (max) {
    const r = this.float()
    if (r < 0.6) return this.int(Math.min(16, max) + 1)
    if (r < 0.9) return this.int(Math.min(256, max) + 1)
    return this.int(max + 1)
  }

  /** a string of printable ASCII, sometimes with any code point */
  text (max) {
    const n = this.size(max)
    let s = ''
    for (let i = 0; i < n; i++) s += String.fromCodePoint(this.chance(0.9) ? this.range(0x20, 0x7e) : this.range(0, 0x2fff))
    return s
  }
}

// ---------------------------------------------------------------- wire format

export const WIRE = { VARINT: 0, I64: 1, LEN: 2, SGROUP: 3, EGROUP: 4, I32: 5 }

export function concat (...parts) {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0))
  let at = 0
  for (const p of parts) { out.set(p, at); at += p.length }
  return out
}

/** varint of a non-negative integer up to 2^64 - 1 (a bigint, or a number up to 2^53) */
export function varint (value) {
  let n = BigInt(value)
  if (n < 0n) n = BigInt.asUintN(64, n) // negative int32/int64: ten bytes, as protobuf encodes them
  const out = []
  do {
    let byte = Number(n & 0x7fn)
    n >>= 7n
    if (n > 0n) byte |= 0x80
    out.push(byte)
  } while (n > 0n)
  return Uint8Array.from(out)
}

export function tag (field, wireType) {
  return varint(BigInt(field) * 8n + BigInt(wireType))
}

/** A whole field: tag, then the value as its wire type wants it (LEN: length-prefixed bytes). */
export function field (fieldNo, wireType, value = new Uint8Array(0)) {
  if (wireType === WIRE.LEN) return concat(tag(fieldNo, wireType), varint(value.length), value)
  return concat(tag(fieldNo, wireType), value)
}

/** Read a varint at pos: [value (number, may lose precision above 2^53), next pos], or null if it does not end in 10 bytes or the buffer. */
export function readVarint (bytes, pos) {
  let value = 0
  let mul = 1
  for (let i = 0; i < 10 && pos + i < bytes.length; i++) {
    const b = bytes[pos + i]
    value += (b & 0x7f) * mul
    mul *= 128
    if (b < 0x80) return [value, pos + i + 1]
  }
  return null
}

/**
 * The top-level fields of a message, as far as they parse: each with its
 * field number, wire type, and byte offsets (start of tag, start of value,
 * end; for LEN also where its length varint starts). Stops at the first
 * field that does not parse.
 */
export function parseFields (bytes) {
  const fields = []
  let pos = 0
  while (pos < bytes.length) {
    const t = readVarint(bytes, pos)
    if (t == null) break
    const [tagValue, afterTag] = t
    const wireType = tagValue % 8
    const fieldNo = Math.floor(tagValue / 8)
    let valueStart = afterTag
    let end
    let lenStart
    if (wireType === WIRE.VARINT) {
      const v = readVarint(bytes, afterTag)
      if (v == null) break
      end = v[1]
    } else if (wireType === WIRE.I64) {
      end = afterTag + 8
    } else if (wireType === WIRE.I32) {
      end = afterTag + 4
    } else if (wireType === WIRE.LEN) {
      const l = readVarint(bytes, afterTag)
      if (l == null) break
      lenStart = afterTag
      valueStart = l[1]
      end = l[1] + l[0]
    } else if (wireType === WIRE.SGROUP || wireType === WIRE.EGROUP) {
      end = afterTag
    } else {
      break
    }
    if (end > bytes.length) break
    fields.push({ start: pos, valueStart, end, fieldNo, wireType, lenStart })
    pos = end
  }
  return fields
}

function splice (bytes, at, remove, insert = new Uint8Array(0)) {
  return concat(bytes.subarray(0, at), insert, bytes.subarray(Math.min(bytes.length, at + remove)))
}

/** an endless varint: n bytes with the continuation bit set */
export function endless (n) { return new Uint8Array(n).fill(0xff) }

// ---------------------------------------------------------------- mutations

/**
 * Huge lengths a length field may claim: just past the data, the frame
 * limit, 2^31, 2^32 and 2^53 (beyond what a JS number reads exactly), 2^64-1.
 */
function hugeLength (r, have, maxFrame) {
  return r.pick([have + 1, have + r.range(2, 1000), maxFrame + 1, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 53, (1n << 64n) - 1n])
}

/** A field no schema has, or a known field with the wrong wire type, with a payload that fits (or not) its wire type. */
function strangeField (r, t) {
  const known = t.fields.map(f => f.no)
  const fieldNo = r.chance(0.4) && known.length > 0 ? r.pick(known) : r.pick([r.range(1, 31), r.range(32, 2 ** 16), r.range(2 ** 16, 2 ** 29 - 1), 0])
  const wireType = r.int(8)
  switch (wireType) {
    case WIRE.VARINT: return concat(tag(fieldNo, wireType), varint(r.chance(0.5) ? r.int(300) : BigInt(r.u32()) * BigInt(r.u32())))
    case WIRE.I64: return concat(tag(fieldNo, wireType), r.bytes(r.chance(0.8) ? 8 : r.int(8)))
    case WIRE.LEN: return field(fieldNo, wireType, r.bytes(r.size(64)))
    case WIRE.SGROUP: {
      // a group, closed or not, maybe nested
      const depth = r.range(1, 8)
      const open = []; const close = []
      for (let i = 0; i < depth; i++) { open.push(tag(fieldNo, WIRE.SGROUP)); if (r.chance(0.8)) close.push(tag(fieldNo, WIRE.EGROUP)) }
      return concat(...open, r.chance(0.5) ? field(r.range(1, 20), WIRE.VARINT, varint(r.int(100))) : new Uint8Array(0), ...close)
    }
    case WIRE.EGROUP: return tag(fieldNo, wireType)
    case WIRE.I32: return concat(tag(fieldNo, wireType), r.bytes(r.chance(0.8) ? 4 : r.int(4)))
    default: return concat(tag(fieldNo, wireType), r.bytes(r.int(4))) // wire types 6 and 7 do not exist
  }
}

/** one element of a repeated (or any) field of the schema, minimal or taken from the message */
function elementOf (r, t, bytes) {
  const repeated = t.fields.filter(f => f.repeated)
  const parsed = parseFields(bytes)
  const present = parsed.filter(p => repeated.some(f => f.no === p.fieldNo))
  if (present.length > 0 && r.chance(0.5)) { const p = r.pick(present); return bytes.slice(p.start, p.end) }
  const f = repeated.length > 0 ? r.pick(repeated) : (t.fields.length > 0 ? r.pick(t.fields) : { no: r.range(1, 15), wire: WIRE.LEN })
  switch (f.wire) {
    case WIRE.VARINT: return field(f.no, WIRE.VARINT, varint(r.int(2)))
    case WIRE.I64: return field(f.no, WIRE.I64, new Uint8Array(8))
    case WIRE.I32: return field(f.no, WIRE.I32, new Uint8Array(4))
    default: return field(f.no, WIRE.LEN, r.chance(0.7) ? new Uint8Array(0) : r.bytes(r.size(32)))
  }
}

/** Repeat `element` until about `budget` bytes. */
export function repeatTo (element, budget) {
  const n = Math.max(1, Math.floor(budget / Math.max(1, element.length)))
  const out = new Uint8Array(n * element.length)
  for (let i = 0; i < n; i++) out.set(element, i * element.length)
  return out
}

/**
 * Each mutation takes (rng, encoded message, target) and answers new bytes.
 * The target gives `fields` ({ no, wire, repeated?, enumValues? }),
 * `maxFrame` (the most the node reads of it) and `hugeBytes` (the budget of
 * the huge mutations in this run).
 */
export const MUTATIONS = {
  random: (r, _b, t) => r.bytes(r.size(Math.min(t.maxFrame + 16, 1024))),
  truncate: (r, b) => b.slice(0, r.int(b.length)),
  bitflip: (r, b) => {
    if (b.length === 0) return r.bytes(1)
    const out = b.slice()
    for (let i = r.range(1, 8); i > 0; i--) out[r.int(out.length)] ^= 1 << r.int(8)
    return out
  },
  insert: (r, b) => splice(b, r.int(b.length + 1), 0, r.chance(0.5) ? r.bytes(r.range(1, 16)) : new Uint8Array(r.range(1, 16)).fill(r.pick([0, 0x80, 0xff, 0x08, 0x12]))),
  delete: (r, b) => splice(b, r.int(b.length + 1), r.range(1, 16)),
  /** a length-delimited field claims far more than follows */
  overlength: (r, b, t) => {
    const lens = parseFields(b).filter(p => p.wireType === WIRE.LEN)
    if (lens.length === 0) {
      const no = t.fields.find(f => f.wire === WIRE.LEN)?.no ?? r.range(1, 15)
      return concat(b, tag(no, WIRE.LEN), varint(hugeLength(r, 0, t.maxFrame)), r.bytes(r.int(8)))
    }
    const p = r.pick(lens)
    return splice(b, p.lenStart, p.valueStart - p.lenStart, varint(hugeLength(r, p.end - p.valueStart, t.maxFrame)))
  },
  /** a repeated field (or any field) repeated up to the run's huge budget */
  repeat: (r, b, t) => {
    const el = elementOf(r, t, b)
    return concat(b, repeatTo(el, r.range(Math.min(t.hugeBytes, el.length), Math.min(t.hugeBytes, t.maxFrame))))
  },
  unknown: (r, b, t) => {
    const fields = parseFields(b)
    const at = fields.length === 0 || r.chance(0.3) ? (r.chance(0.5) ? 0 : b.length) : r.pick(fields).end
    return splice(b, at, 0, strangeField(r, t))
  },
  /** a field whose wire type is changed, its value left as it was */
  wiretype: (r, b) => {
    const fields = parseFields(b)
    if (fields.length === 0) return concat(tag(r.range(1, 10), r.int(8)), b)
    const p = r.pick(fields)
    return splice(b, p.start, (p.lenStart ?? p.valueStart) - p.start, tag(p.fieldNo, (p.wireType + r.range(1, 7)) % 8))
  },
  /** 0xff... where a tag, a value or a length should end */
  endless: (r, b) => {
    const n = r.range(10, 64)
    const fields = parseFields(b)
    const where = r.pick(['start', 'end', 'tag', 'value', 'length'])
    if (where === 'start' || fields.length === 0) return concat(endless(n), b)
    if (where === 'end') return concat(b, endless(n))
    const p = r.pick(fields)
    if (where === 'tag') return splice(b, p.start, 0, endless(n))
    if (where === 'length' && p.lenStart != null) return splice(b, p.lenStart, p.valueStart - p.lenStart, endless(n))
    return splice(b, p.lenStart ?? p.valueStart, 0, endless(n))
  },
  /** an enum field set to a value it does not have (negative, just past the last, 2^31 - 1, 2^32) */
  enum: (r, b, t) => {
    const enums = t.fields.filter(f => f.enumValues != null)
    if (enums.length === 0) return MUTATIONS.unknown(r, b, t)
    const f = r.pick(enums)
    const value = r.pick([Math.max(...f.enumValues) + 1, Math.max(...f.enumValues) + r.range(2, 1000), -1, -r.range(2, 2 ** 31), 2 ** 31 - 1, 2 ** 32 - 1, 2 ** 32 + r.int(8), 2 ** 53])
    const encoded = field(f.no, WIRE.VARINT, varint(value))
    return r.chance(0.5) ? concat(b, encoded) : concat(encoded, b)
  },
  duplicate: (r, b) => {
    const fields = parseFields(b)
    if (fields.length === 0) return concat(b, b)
    const p = r.pick(fields)
    const copy = b.slice(p.start, p.end)
    return splice(b, r.chance(0.5) ? p.end : b.length, 0, r.chance(0.8) ? copy : repeatTo(copy, copy.length * r.range(2, 16)))
  },
  /** a length-delimited field (a sub-message, a string) mutated inside, its length fixed up */
  nested: (r, b, t) => {
    const lens = parseFields(b).filter(p => p.wireType === WIRE.LEN && p.end > p.valueStart)
    if (lens.length === 0) return MUTATIONS.bitflip(r, b, t)
    const p = r.pick(lens)
    const inner = { fields: [], maxFrame: t.maxFrame, hugeBytes: Math.min(t.hugeBytes, 1024) }
    const op = r.pick(['bitflip', 'insert', 'delete', 'truncate', 'unknown', 'wiretype', 'endless', 'overlength', 'repeat', 'duplicate'])
    const value = MUTATIONS[op](r, b.slice(p.valueStart, p.end), inner)
    return splice(b, p.lenStart, p.end - p.lenStart, concat(varint(value.length), value))
  },
  /** the head of this message and the tail of another of the same type */
  splice: (r, b, t) => {
    const other = t.encode(t.sample(r))
    return concat(b.subarray(0, r.int(b.length + 1)), other.subarray(r.int(other.length + 1)))
  }
}

const WEIGHTS = {
  random: 8,
  truncate: 10,
  bitflip: 14,
  insert: 8,
  delete: 8,
  overlength: 10,
  repeat: 5,
  unknown: 10,
  wiretype: 7,
  endless: 7,
  enum: 6,
  duplicate: 4,
  nested: 10,
  splice: 3
}
export const MUTATION_NAMES = Object.keys(WEIGHTS)

/** A valid message of the target, encoded by its own codec. */
export function validCase (t, seed, index) {
  const r = new Rng(seed, `${t.name}/valid/${index}`)
  return { bytes: t.encode(t.sample(r)), ops: ['valid'] }
}

/** A mutated message: one mutation, or two to three stacked (a quarter of cases). */
export function mutatedCase (t, seed, index) {
  const r = new Rng(seed, `${t.name}/mutated/${index}`)
  let bytes = r.chance(0.05) ? new Uint8Array(0) : t.encode(t.sample(r))
  const ops = []
  const n = r.chance(0.25) ? r.range(2, 3) : 1
  for (let i = 0; i < n; i++) {
    const op = r.weighted(WEIGHTS)
    bytes = MUTATIONS[op](r, bytes, t)
    ops.push(op)
  }
  return { bytes, ops }
}

/** The sample messages whose every prefix is a case (truncation at every length). */
export function truncationBase (t, seed, index) {
  return t.encode(t.sample(new Rng(seed, `${t.name}/truncated/${index}`)))
}

/**
 * The worst a peer can send within the target's frame limit (at most `budget`
 * bytes): the longest run of its repeated fields, empty sub-messages by the
 * million, groups nested as deep as the frame allows, an endless varint, one
 * field claiming the largest length, a frame of unknown fields.
 */
export function bombs (t, budget) {
  const size = Math.min(budget, t.maxFrame)
  const out = []
  for (const f of t.fields.filter(f => f.repeated)) {
    const el = f.wire === WIRE.LEN ? field(f.no, WIRE.LEN) : f.wire === WIRE.I64 ? field(f.no, WIRE.I64, new Uint8Array(8)) : field(f.no, WIRE.VARINT, varint(1))
    out.push({ name: `repeated field ${f.no}`, bytes: repeatTo(el, size) })
  }
  // groups nested deeper than any stack: field 15 is unknown to every target here
  out.push({ name: 'nested groups', bytes: repeatTo(tag(15, WIRE.SGROUP), size) })
  out.push({ name: 'unknown fields', bytes: repeatTo(field(1000, WIRE.VARINT, varint(1)), size) })
  out.push({ name: 'endless varint', bytes: endless(size) })
  out.push({ name: 'largest length', bytes: concat(tag(t.fields.find(f => f.wire === WIRE.LEN)?.no ?? 1, WIRE.LEN), varint((1n << 64n) - 1n)) })
  return out
}
