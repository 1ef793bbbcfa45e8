/** Small line icons drawn in the text colour: emoji are not in every system's fonts (Debian's Chromium showed boxes). */

export function PaperclipIcon ({ size = 14 }: { size?: number }): React.JSX.Element {
  return (
    <svg className='icon' viewBox='0 0 16 16' width={size} height={size} aria-hidden='true'>
      <path d='M10.5 4.5l-5 5a1.6 1.6 0 0 0 2.3 2.3l5.4-5.4a3 3 0 0 0-4.2-4.2L3.6 7.6a4.3 4.3 0 0 0 6.1 6.1l4-4' fill='none' stroke='currentColor' strokeWidth='1.4' strokeLinecap='round' />
    </svg>
  )
}

export function ClockIcon ({ size = 13 }: { size?: number }): React.JSX.Element {
  return (
    <svg className='icon' viewBox='0 0 16 16' width={size} height={size} aria-hidden='true'>
      <circle cx='8' cy='8' r='6' fill='none' stroke='currentColor' strokeWidth='1.5' />
      <path d='M8 4.5V8l2.5 1.5' fill='none' stroke='currentColor' strokeWidth='1.5' strokeLinecap='round' />
    </svg>
  )
}
