/** The one operation both Reed-Solomon kernels implement; encode, decode and repair are all built on it. */
export type KernelName = 'wasm' | 'ts'

export interface RsKernel {
  readonly name: KernelName
  /**
   * outputs[r][0..len) = XOR over j of coeffs[r*inputs.length + j] · inputs[j][0..len)
   * in GF(2^8). Outputs must not overlap inputs. No allocation per call: both
   * kernels keep their scratch between calls (fresh buffers halve throughput).
   */
  combine (coeffs: Uint8Array, inputs: Uint8Array[], outputs: Uint8Array[], len: number): void
}
