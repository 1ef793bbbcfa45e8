/**
 * CPU seconds of processes, from /proc (Linux only, as the files figures'
 * daemons are): utime + stime of a live process, and cutime + cstime of this
 * process, which is the CPU of its children that have exited and been reaped
 * (the short `wgt` CLI processes a phase ran).
 */
import { execFileSync } from 'node:child_process'
import { readFile } from 'node:fs/promises'

let ticks = null

/** USER_HZ: the unit of the /proc/<pid>/stat times. */
function clockTicks () {
  if (ticks == null) {
    const out = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim())
    if (!Number.isInteger(out) || out < 1) throw new Error(`getconf CLK_TCK gave ${out}`)
    ticks = out
  }
  return ticks
}

async function statFields (pid) {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8')
  // the command name (field 2) is in parentheses and may hold spaces; fields 3.. follow the last ')'
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number)
}

/** utime + stime of a live process, in seconds. */
export async function cpuSeconds (pid) {
  const f = await statFields(pid)
  // fields 14 and 15 of /proc/<pid>/stat; index 0 here is field 3
  return (f[11] + f[12]) / clockTicks()
}

/** cutime + cstime of this process: CPU seconds of its reaped children. */
export async function reapedChildrenCpuSeconds () {
  const f = await statFields(process.pid)
  return (f[13] + f[14]) / clockTicks()
}
