/**
 * What the worker side keeps in the datastore: the contributor settings
 * (/wgt/compute/settings), and the totals and per-minute history of what
 * this node ran for others (/wgt/compute/contribution). A stored value of the
 * wrong shape is ignored and the default applies, field by field. Reads are
 * synchronous (loaded at open); a settings change is written before it is
 * announced.
 */
import { availableParallelism } from 'node:os'
import { Key, type Datastore } from 'interface-datastore'
import { COMPUTE_LIMITS, type ComputeSettings, type ContributionTotals } from '../../../shared/api/index.js'
import { WgtError } from '../../../shared/errors.js'
import { getOrNull } from '../net/datastore-reads.js'

const SETTINGS = new Key('/wgt/compute/settings')
const CONTRIBUTION = new Key('/wgt/compute/contribution')
/** per-minute buckets kept: 24 h */
export const HISTORY_MINUTES = 24 * 60
const encoder = new TextEncoder()
const decoder = new TextDecoder()

/**
 * Defaults: contributing is on, because guard's default 'contacts' policy
 * already limits it to people the user accepted; one core is left for the
 * user's own work (BOINC's "use at most N-1 CPUs" habit).
 */
export function defaultSettings (cores = availableParallelism()): ComputeSettings {
  return {
    enabled: true,
    maxTasks: Math.min(COMPUTE_LIMITS.maxTasks.max, Math.max(1, cores - 1)),
    memoryMb: 512,
    timeoutS: 300,
    idleOnly: false,
    idleLoadPercent: 25
  }
}

export interface Bucket { at: number, tasks: number, cpuMs: number }
export interface ContributionRecord { totals: ContributionTotals, history: Bucket[] }

export const NO_TOTALS: Readonly<ContributionTotals> = Object.freeze({ tasks: 0, failed: 0, cpuMs: 0, inputBytes: 0, outputBytes: 0 })

export class ComputeStore {
  private settings: ComputeSettings
  private record: ContributionRecord = { totals: { ...NO_TOTALS }, history: [] }

  constructor (private readonly datastore: Datastore, private readonly defaults: ComputeSettings = defaultSettings()) {
    this.settings = { ...defaults }
  }

  async load (): Promise<void> {
    try {
      this.settings = checkSettings(parse(await getOrNull(this.datastore, SETTINGS)), this.defaults)
      this.record = checkRecord(parse(await getOrNull(this.datastore, CONTRIBUTION)))
    } catch (err) {
      throw WgtError.from(err, 'UNAVAILABLE')
    }
  }

  getSettings (): ComputeSettings { return { ...this.settings } }

  async updateSettings (patch: Partial<ComputeSettings>): Promise<ComputeSettings> {
    const next = checkSettings({ ...this.settings, ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) }, this.defaults)
    await this.datastore.put(SETTINGS, encoder.encode(JSON.stringify(next)))
    this.settings = next
    return this.getSettings()
  }

  getRecord (): ContributionRecord {
    return { totals: { ...this.record.totals }, history: this.record.history.map(b => ({ ...b })) }
  }

  async saveRecord (record: ContributionRecord): Promise<void> {
    await this.datastore.put(CONTRIBUTION, encoder.encode(JSON.stringify(record)))
    this.record = record
  }

}

function parse (bytes: Uint8Array | null): Record<string, unknown> | null {
  if (bytes == null) return null
  try {
    const v = JSON.parse(decoder.decode(bytes))
    return typeof v === 'object' && v !== null ? v : null
  } catch {
    return null
  }
}

function intIn (v: unknown, limits: { min: number, max: number }): v is number {
  return Number.isSafeInteger(v) && (v as number) >= limits.min && (v as number) <= limits.max
}

function checkSettings (s: Record<string, unknown> | null, d: ComputeSettings): ComputeSettings {
  return {
    enabled: typeof s?.enabled === 'boolean' ? s.enabled : d.enabled,
    maxTasks: intIn(s?.maxTasks, COMPUTE_LIMITS.maxTasks) ? s.maxTasks : d.maxTasks,
    memoryMb: intIn(s?.memoryMb, COMPUTE_LIMITS.memoryMb) ? s.memoryMb : d.memoryMb,
    timeoutS: intIn(s?.timeoutS, COMPUTE_LIMITS.timeoutS) ? s.timeoutS : d.timeoutS,
    idleOnly: typeof s?.idleOnly === 'boolean' ? s.idleOnly : d.idleOnly,
    idleLoadPercent: intIn(s?.idleLoadPercent, COMPUTE_LIMITS.idleLoadPercent) ? s.idleLoadPercent : d.idleLoadPercent
  }
}

const count = (v: unknown): number => Number.isSafeInteger(v) && (v as number) >= 0 ? v as number : 0

function checkRecord (r: Record<string, unknown> | null): ContributionRecord {
  const t = (typeof r?.totals === 'object' && r.totals !== null ? r.totals : {}) as Record<string, unknown>
  const totals = { tasks: count(t.tasks), failed: count(t.failed), cpuMs: count(t.cpuMs), inputBytes: count(t.inputBytes), outputBytes: count(t.outputBytes) }
  const history = (Array.isArray(r?.history) ? r.history : [])
    .filter((b): b is Bucket => typeof b === 'object' && b !== null && count(b.at) > 0 && count(b.tasks) >= 0 && count(b.cpuMs) >= 0)
    .map(b => ({ at: b.at, tasks: count(b.tasks), cpuMs: count(b.cpuMs) }))
    .sort((a, b) => a.at - b.at)
    .slice(-HISTORY_MINUTES)
  return { totals, history }
}
