/**
 * Catch-up frames: a peer that joins asks a neighbour for the current book instead of
 * waiting for offers to be gossiped again. A request names how many envelopes it wants
 * and where the previous page ended; a response carries that many offer and cancel
 * envelopes (each checked by the requester's book like a gossiped one) and the cursor of
 * the next page. A request may name a part of the book (`part: { index, of }`): only offers
 * whose envelope id falls in that part, so a newcomer can ask several neighbours at once
 * for disjoint parts. Both are canonical CBOR, bounded before they are decoded.
 *
 * @example
 * const request = encodeCatchUpRequest({ limit: 128 })
 * const { limit, cursor } = decodeCatchUpRequest(request)
 * const page = book.page(now, limit, cursor)
 * const response = encodeCatchUpResponse(page)
 */
import { decode, encode, isBytes } from '@peerkit/codec'
import {
  CATCH_UP_VERSION,
  DEFAULT_MAX_OFFER_BYTES,
  MAX_CATCH_UP_BYTES,
  MAX_CATCH_UP_OFFERS,
  MAX_CATCH_UP_PARTS,
} from './constants'
import { InvalidArgumentError, MalformedCatchUpError } from './errors'
import { field, onlyKeys, positiveIntField, recordOf, textField } from './fields'

/** Longest cursor (a maker id and an offer id). */
const MAX_CURSOR_LENGTH = 200

/** A request for one page of a neighbour's book. */
export interface CatchUpRequest {
  /** Most envelopes wanted (1 to `MAX_CATCH_UP_OFFERS`). */
  readonly limit: number
  /** Where the previous page ended. */
  readonly cursor?: string | undefined
  /** Only this part of the book (see `BookPart`). */
  readonly part?: BookPart | undefined
}

/**
 * Part `index` of a book split into `of` parts (2 to `MAX_CATCH_UP_PARTS`) by envelope id:
 * the parts are disjoint, together they are the whole book, and each holds about `1/of` of it.
 */
export interface BookPart {
  readonly index: number
  readonly of: number
}

/** Whether `part` is a part a request may name (`of` 2 to `MAX_CATCH_UP_PARTS`, `index` below it). */
export function validPart(part: unknown): part is BookPart {
  if (typeof part !== 'object' || part === null) return false
  const { index, of } = part as Record<string, unknown>
  return (
    Number.isSafeInteger(of) &&
    (of as number) >= 2 &&
    (of as number) <= MAX_CATCH_UP_PARTS &&
    Number.isSafeInteger(index) &&
    (index as number) >= 0 &&
    (index as number) < (of as number)
  )
}

/** One page of a book. */
export interface CatchUpResponse {
  readonly envelopes: readonly Uint8Array[]
  /** The cursor of the next page, when there is one. */
  readonly next?: string | undefined
}

function malformed(message: string, cause?: unknown): never {
  throw new MalformedCatchUpError(message, cause === undefined ? undefined : { cause })
}

function decodeFrame(bytes: Uint8Array, kind: string): Record<string, unknown> {
  if (!isBytes(bytes)) malformed('a catch-up frame must be bytes')
  if (bytes.length > MAX_CATCH_UP_BYTES)
    malformed(`a catch-up frame may be ${MAX_CATCH_UP_BYTES} bytes`)
  let value: unknown
  try {
    value = decode(bytes, {
      maxBytes: MAX_CATCH_UP_BYTES,
      maxDepth: 3,
      maxItems: MAX_CATCH_UP_OFFERS + 8,
      maxTotalItems: MAX_CATCH_UP_OFFERS + 16,
    })
  } catch (error) {
    malformed('a catch-up frame must be canonical CBOR within its limits', error)
  }
  const record = recordOf(value)
  if (record === undefined) malformed('a catch-up frame must be a map')
  if (field(record, 'v') !== CATCH_UP_VERSION) malformed('unsupported catch-up version')
  if (field(record, 'kind') !== kind) malformed(`expected a catch-up ${kind}`)
  return record
}

/**
 * Encodes a catch-up request.
 * @throws {InvalidArgumentError} for a limit outside 1 … `MAX_CATCH_UP_OFFERS` or a bad cursor
 * @example const frame = encodeCatchUpRequest({ limit: 64, cursor: page.next })
 */
export function encodeCatchUpRequest(request: CatchUpRequest): Uint8Array {
  const { limit, cursor, part } = request
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_CATCH_UP_OFFERS)
    throw new InvalidArgumentError(`limit must be 1 to ${MAX_CATCH_UP_OFFERS}`)
  if (
    cursor !== undefined &&
    (typeof cursor !== 'string' || cursor.length === 0 || cursor.length > MAX_CURSOR_LENGTH)
  )
    throw new InvalidArgumentError(`cursor must be 1 to ${MAX_CURSOR_LENGTH} characters`)
  if (part !== undefined && !validPart(part))
    throw new InvalidArgumentError(
      `part must be { index, of } with of 2 to ${MAX_CATCH_UP_PARTS} and index below of`,
    )
  const frame: Record<string, string | number | number[]> = {
    v: CATCH_UP_VERSION,
    kind: 'request',
    limit,
  }
  if (cursor !== undefined) frame.cursor = cursor
  if (part !== undefined) frame.part = [part.index, part.of]
  return encode(frame)
}

/**
 * Decodes a catch-up request.
 * @throws {MalformedCatchUpError} for anything but a well-formed request within limits
 * @example const { limit, cursor } = decodeCatchUpRequest(frame)
 */
export function decodeCatchUpRequest(bytes: Uint8Array): CatchUpRequest {
  if (isBytes(bytes) && bytes.length > 512) malformed('a catch-up request is small')
  const record = decodeFrame(bytes, 'request') as Record<string, never>
  if (!onlyKeys(record, ['v', 'kind', 'limit', 'cursor', 'part']))
    malformed('unknown request field')
  const limit = positiveIntField(record, 'limit')
  if (limit === undefined || limit > MAX_CATCH_UP_OFFERS)
    malformed(`limit must be 1 to ${MAX_CATCH_UP_OFFERS}`)
  const cursor = field(record, 'cursor')
  if (cursor !== undefined && textField(record, 'cursor', MAX_CURSOR_LENGTH) === undefined)
    malformed('bad cursor')
  const asked = field(record, 'part') as unknown
  let part: BookPart | undefined
  if (asked !== undefined) {
    if (!Array.isArray(asked) || asked.length !== 2) malformed('part must be [index, of]')
    part = { index: asked[0] as number, of: asked[1] as number }
    if (!validPart(part)) malformed(`part must have of 2 to ${MAX_CATCH_UP_PARTS}, index below`)
  }
  return {
    limit,
    ...(cursor === undefined ? {} : { cursor: cursor as string }),
    ...(part === undefined ? {} : { part }),
  }
}

/**
 * Encodes a catch-up response.
 * @throws {InvalidArgumentError} when it holds more than `MAX_CATCH_UP_OFFERS` envelopes or exceeds `MAX_CATCH_UP_BYTES`
 * @example const frame = encodeCatchUpResponse(book.page(now, limit, cursor))
 */
export function encodeCatchUpResponse(response: CatchUpResponse): Uint8Array {
  const { envelopes, next } = response
  if (!Array.isArray(envelopes) || envelopes.length > MAX_CATCH_UP_OFFERS)
    throw new InvalidArgumentError(`a response carries at most ${MAX_CATCH_UP_OFFERS} envelopes`)
  const frame = encode(
    next === undefined
      ? { v: CATCH_UP_VERSION, kind: 'response', offers: [...envelopes] }
      : { v: CATCH_UP_VERSION, kind: 'response', offers: [...envelopes], next },
  )
  if (frame.length > MAX_CATCH_UP_BYTES)
    throw new InvalidArgumentError(`a response may be at most ${MAX_CATCH_UP_BYTES} bytes`)
  return frame
}

/**
 * Decodes a catch-up response. Each envelope still has to pass the book.
 * @param maxOfferBytes - largest envelope kept (default `DEFAULT_MAX_OFFER_BYTES`)
 * @throws {MalformedCatchUpError} for anything but a well-formed response within limits
 * @example for (const bytes of decodeCatchUpResponse(frame).envelopes) book.add(bytes, now)
 */
export function decodeCatchUpResponse(
  bytes: Uint8Array,
  maxOfferBytes = DEFAULT_MAX_OFFER_BYTES,
): CatchUpResponse {
  const record = decodeFrame(bytes, 'response') as Record<string, never>
  if (!onlyKeys(record, ['v', 'kind', 'offers', 'next'])) malformed('unknown response field')
  const offers = field(record, 'offers') as unknown
  if (!Array.isArray(offers) || offers.length > MAX_CATCH_UP_OFFERS)
    malformed(`offers must list at most ${MAX_CATCH_UP_OFFERS} envelopes`)
  for (const offer of offers)
    if (!isBytes(offer) || offer.length === 0 || offer.length > maxOfferBytes)
      malformed(`each offer must be 1 to ${maxOfferBytes} bytes`)
  const next = field(record, 'next')
  if (next !== undefined && textField(record, 'next', MAX_CURSOR_LENGTH) === undefined)
    malformed('bad next cursor')
  return next === undefined ? { envelopes: offers } : { envelopes: offers, next: next as string }
}
