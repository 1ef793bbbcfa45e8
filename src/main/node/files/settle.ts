/**
 * Every result once every promise has settled; the first failure in the
 * list's order, if any. Promise.all rejects at the first failure while the
 * other puts still read the shard's memory (which the caller then hands back
 * for reuse) or are still storing what the caller, failing, is about to
 * release: a put landing after its release would be left behind.
 */
export async function settleAll<T extends readonly unknown[]> (values: T): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const settled = await Promise.allSettled(values)
  for (const s of settled) if (s.status === 'rejected') throw s.reason
  return settled.map(s => (s as PromiseFulfilledResult<unknown>).value) as { -readonly [K in keyof T]: Awaited<T[K]> }
}
