/** Line icons for the call controls, drawn in the text colour (emoji are not in every system's fonts). */
type P = { size?: number }

const svg = (size: number, children: React.ReactNode): React.JSX.Element => (
  <svg className='icon' viewBox='0 0 16 16' width={size} height={size} aria-hidden='true' fill='none' stroke='currentColor' strokeWidth='1.4' strokeLinecap='round' strokeLinejoin='round'>{children}</svg>
)

export const PhoneIcon = ({ size = 14 }: P): React.JSX.Element => svg(size,
  <path d='M3.2 2.5h2.4l1.1 3-1.5 1a8 8 0 0 0 4.3 4.3l1-1.5 3 1.1v2.4a1.2 1.2 0 0 1-1.3 1.2A11.5 11.5 0 0 1 2 3.8a1.2 1.2 0 0 1 1.2-1.3z' />)

export const VideoIcon = ({ size = 14 }: P): React.JSX.Element => svg(size,
  <><rect x='1.5' y='4' width='9' height='8' rx='1.5' /><path d='M10.5 7l4-2.2v6.4l-4-2.2' /></>)

export const MicIcon = ({ size = 14, off = false }: P & { off?: boolean }): React.JSX.Element => svg(size,
  <><rect x='6' y='1.5' width='4' height='8' rx='2' /><path d='M3.5 7.5a4.5 4.5 0 0 0 9 0M8 12v2.5' />{off && <path d='M2 2l12 12' />}</>)

export const CameraIcon = ({ size = 14, off = false }: P & { off?: boolean }): React.JSX.Element => svg(size,
  <><rect x='1.5' y='4' width='9' height='8' rx='1.5' /><path d='M10.5 7l4-2.2v6.4l-4-2.2' />{off && <path d='M1.5 2l13 12' />}</>)

export const ScreenIcon = ({ size = 14 }: P): React.JSX.Element => svg(size,
  <><rect x='1.5' y='2.5' width='13' height='8.5' rx='1' /><path d='M5.5 14h5M8 11v3M8 8.5V5M6 7l2-2 2 2' /></>)

export const HangupIcon = ({ size = 14 }: P): React.JSX.Element => svg(size,
  <path d='M1.8 9.6c3.6-3.2 8.8-3.2 12.4 0l-1.4 2-2.7-1.1v-1.7a7 7 0 0 0-4.2 0v1.7l-2.7 1.1z' />)
