/**
 * Topic names: non-empty strings of at most `MAX_TOPIC_BYTES` UTF-8 bytes.
 *
 * @example
 * isValidTopic('news') // true
 * isValidTopic('')     // false
 */
import { MAX_TOPIC_BYTES } from './constants'
import { InvalidTopicError } from './errors'

const utf8 = new TextEncoder()

/**
 * Whether `value` is a valid topic name.
 * @param value - anything
 * @returns true for a non-empty string of at most 256 UTF-8 bytes
 */
export function isValidTopic(value: unknown): value is string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_TOPIC_BYTES)
    return false
  // one UTF-16 unit is at most 3 UTF-8 bytes: only long names need measuring
  return value.length * 3 <= MAX_TOPIC_BYTES || utf8.encode(value).length <= MAX_TOPIC_BYTES
}

/**
 * Asserts a topic name, naming the argument.
 * @throws {InvalidTopicError} when it is not valid
 */
export function assertTopic(value: unknown, argument = 'topic'): asserts value is string {
  if (!isValidTopic(value)) {
    throw new InvalidTopicError(
      `${argument}: expected a non-empty string of at most ${MAX_TOPIC_BYTES} UTF-8 bytes`,
    )
  }
}
