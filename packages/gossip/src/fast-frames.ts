/**
 * The in-place ihave reader under its former module name; the one frame codec is
 * `frames.ts`.
 */
export { type Announced, announcements, createFrameReader, readIhave } from './frames'
