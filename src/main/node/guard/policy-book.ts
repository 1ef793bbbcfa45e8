/**
 * Policies per capability (anyone / contacts / contacts-only / nobody), in the datastore under
 * /wgt/guard/policies. A stored value that is not a policy is ignored and the
 * safe default applies (DEFAULT_POLICIES).
 */
import { Key, type Datastore } from 'interface-datastore'
import { CAPABILITIES, DEFAULT_POLICIES, POLICY_VALUES, type Capability, type Policies, type PolicyValue } from '../../../shared/api/index.js'
import { WgtError } from '../../../shared/errors.js'

const KEY = new Key('/wgt/guard/policies')
const encoder = new TextEncoder()
const decoder = new TextDecoder()

export class PolicyBook {
  private current: Policies = { ...DEFAULT_POLICIES }
  private readonly listeners = new Set<(p: Policies) => void>()

  constructor (private readonly datastore: Datastore) {}

  async load (): Promise<void> {
    let stored: Record<string, unknown> = {}
    try {
      stored = JSON.parse(decoder.decode(await this.datastore.get(KEY)))
    } catch (err) {
      if ((err as Error).name !== 'NotFoundError' && !(err instanceof SyntaxError)) throw WgtError.from(err, 'UNAVAILABLE')
    }
    for (const cap of CAPABILITIES) {
      const v = stored[cap]
      if ((POLICY_VALUES as readonly unknown[]).includes(v)) this.current[cap] = v as PolicyValue
    }
  }

  get (): Policies { return { ...this.current } }

  of (capability: Capability): PolicyValue { return this.current[capability] }

  async set (capability: Capability, value: PolicyValue): Promise<Policies> {
    const next = { ...this.current, [capability]: value }
    await this.datastore.put(KEY, encoder.encode(JSON.stringify(next)))
    this.current = next
    for (const l of this.listeners) l(this.get())
    return this.get()
  }

  onChange (listener: (p: Policies) => void): () => void {
    this.listeners.add(listener)
    return () => { this.listeners.delete(listener) }
  }
}
