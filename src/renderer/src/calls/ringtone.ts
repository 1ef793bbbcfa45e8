/**
 * A short two-tone ring made with WebAudio (no sound file to ship): rings
 * for 1 s every 3 s until stopped. The page may not be allowed to play sound
 * before the person interacted with it; then it stays silent and the banner
 * alone rings.
 */
export function startRingtone (): () => void {
  const Ctx = globalThis.AudioContext
  if (Ctx == null) return () => {}
  let ctx: AudioContext | null = new Ctx()
  const ring = (): void => {
    if (ctx == null || ctx.state !== 'running') return
    const t = ctx.currentTime
    const gain = ctx.createGain()
    gain.gain.setValueAtTime(0, t)
    gain.gain.linearRampToValueAtTime(0.08, t + 0.05)
    gain.gain.setValueAtTime(0.08, t + 0.95)
    gain.gain.linearRampToValueAtTime(0, t + 1)
    gain.connect(ctx.destination)
    for (const [freq, start] of [[440, 0], [480, 0]] as const) {
      const osc = ctx.createOscillator()
      osc.frequency.value = freq
      osc.connect(gain)
      osc.start(t + start)
      osc.stop(t + 1)
    }
  }
  ctx.resume().then(ring, () => {})
  const timer = setInterval(ring, 3000)
  return () => {
    clearInterval(timer)
    void ctx?.close().catch(() => {})
    ctx = null
  }
}
