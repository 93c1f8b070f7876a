/**
 * The values peerkit's CBOR profile can carry.
 */

/** A value of peerkit's CBOR profile. */
export type Value =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | Value[]
  | { [key: string]: Value }
  | Map<string, Value>

/** A map-shaped value: a plain object with text keys, or a `Map` with text keys. */
export type MapValue = { [key: string]: Value } | Map<string, Value>
