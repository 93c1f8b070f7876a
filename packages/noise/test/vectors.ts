/** Loads the Noise vector files of test/vectors/ (the common Noise vector format). */
import { readFileSync } from 'node:fs'

export interface NoiseVector {
  readonly protocol_name: string
  readonly init_prologue: string
  readonly init_static: string
  readonly init_ephemeral: string
  readonly resp_prologue: string
  readonly resp_static: string
  readonly resp_ephemeral: string
  readonly handshake_hash?: string
  readonly messages: readonly { readonly payload: string; readonly ciphertext: string }[]
}

export function loadVectors(file: string): NoiseVector[] {
  const text = readFileSync(new URL(`./vectors/${file}`, import.meta.url), 'utf8')
  return (JSON.parse(text) as { vectors: NoiseVector[] }).vectors
}

export const hex = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text, 'hex'))
export const toHex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex')
