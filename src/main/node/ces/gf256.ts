/**
 * Arithmetic in GF(2^8) with the reducing polynomial x^8+x^4+x^3+x^2+1 (0x11d),
 * the one most Reed-Solomon codes use. Addition is XOR. Multiplication goes
 * through log/exp tables; the full 256×256 product table (64 KiB) is built once
 * because the TypeScript kernel's inner loop is one lookup per byte with it.
 */
const POLY = 0x11d

export const EXP = new Uint8Array(512)
export const LOG = new Uint8Array(256)

{
  let x = 1
  for (let i = 0; i < 255; i++) {
    EXP[i] = x
    LOG[x] = i
    x <<= 1
    if (x & 0x100) x ^= POLY
  }
  // doubled so mul() never needs a modulo
  for (let i = 255; i < 512; i++) EXP[i] = EXP[i - 255]
}

export function mul (a: number, b: number): number {
  if (a === 0 || b === 0) return 0
  return EXP[LOG[a] + LOG[b]]
}

export function inv (a: number): number {
  if (a === 0) throw new RangeError('0 has no inverse in GF(2^8)')
  return EXP[255 - LOG[a]]
}

/** MUL_TABLE[(c << 8) | x] = c·x */
export const MUL_TABLE = new Uint8Array(65536)
for (let c = 1; c < 256; c++) {
  for (let x = 1; x < 256; x++) MUL_TABLE[(c << 8) | x] = EXP[LOG[c] + LOG[x]]
}
