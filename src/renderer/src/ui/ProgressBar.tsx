/** A thin bar; without a fraction it shows an indeterminate stripe (work whose size is not known yet). */
export function ProgressBar ({ fraction, label, state = 'active' }: { fraction: number | null, label: string, state?: 'active' | 'done' | 'failed' }): React.JSX.Element {
  const percent = fraction == null ? undefined : Math.round(fraction * 100)
  return (
    <div
      className={`progress progress-${state}${fraction == null ? ' progress-indeterminate' : ''}`}
      role='progressbar'
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={percent}
    >
      <div className='progress-fill' style={fraction == null ? undefined : { width: `${(fraction * 100).toFixed(1)}%` }} />
    </div>
  )
}
