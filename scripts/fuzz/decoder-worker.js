/**
 * One decoder-fuzzing worker of `npm run fuzz`: runs its share of the plan
 * (workerData.plan: [{ target, valid, truncations, mutated, mutatedFrom }])
 * and posts each item's stats. Before every case it writes where it is into
 * the shared array (plan item, phase, index, length, heartbeat), so the main
 * thread can name the case of a worker that hangs.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { PHASES, runTarget } from './decoders.js'
import { loadTargets } from './targets.js'

const { nodeDir, seed, plan, bounds, hugeBytes, progress } = workerData
const where = new Int32Array(progress)
const targets = await loadTargets(nodeDir)

for (let item = 0; item < plan.length; item++) {
  const p = plan[item]
  const t = targets.find(x => x.name === p.target)
  let beat = 0
  const stats = runTarget(t, {
    seed,
    valid: p.valid,
    truncations: p.truncations,
    mutated: p.mutated,
    mutatedFrom: p.mutatedFrom,
    hugeBytes,
    bounds,
    onCase: (phase, index, length) => {
      where[0] = item; where[1] = PHASES.indexOf(phase); where[2] = index; where[3] = length; where[4] = ++beat
    }
  })
  parentPort.postMessage({ item, stats })
}
