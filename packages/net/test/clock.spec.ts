import { describe, expect, it } from 'vitest'
import { createVirtualClock, systemClock } from '../src/clock'

describe('virtual clock', () => {
  it('fires timers in time order, then in the order they were set', () => {
    const clock = createVirtualClock(100)
    const fired: string[] = []
    clock.setTimeout(() => fired.push(`b@${clock.now()}`), 20)
    clock.setTimeout(() => fired.push(`a@${clock.now()}`), 10)
    clock.setTimeout(() => fired.push(`c@${clock.now()}`), 20)
    clock.setTimeout(() => fired.push(`z@${clock.now()}`), 0)
    expect(clock.pending()).toBe(4)
    clock.advance(15)
    expect(fired).toEqual(['z@100', 'a@110'])
    expect(clock.now()).toBe(115)
    clock.advance(5)
    expect(fired).toEqual(['z@100', 'a@110', 'b@120', 'c@120'])
    expect(clock.pending()).toBe(0)
  })

  it('fires timers set by timers within the same advance', () => {
    const clock = createVirtualClock()
    const fired: number[] = []
    clock.setTimeout(() => {
      fired.push(clock.now())
      clock.setTimeout(() => fired.push(clock.now()), 5)
    }, 5)
    clock.advance(10)
    expect(fired).toEqual([5, 10])
  })

  it('cancels timers and ignores foreign handles', () => {
    const clock = createVirtualClock()
    const other = createVirtualClock()
    const fired: number[] = []
    const handle = clock.setTimeout(() => fired.push(1), 5)
    const foreign = other.setTimeout(() => fired.push(2), 5)
    clock.clearTimeout(foreign)
    clock.clearTimeout({ cancelled: false })
    clock.clearTimeout(undefined)
    clock.clearTimeout(handle)
    clock.clearTimeout(handle)
    expect(clock.pending()).toBe(0)
    expect(other.pending()).toBe(1)
    clock.advance(10)
    other.advance(10)
    expect(fired).toEqual([2])
  })

  it('runs until idle within a limit', () => {
    const clock = createVirtualClock()
    const again = (): void => {
      clock.setTimeout(again, 1)
    }
    again()
    expect(clock.runUntilIdle(50)).toBe(50)
    expect(clock.now()).toBe(50)
    expect(clock.pending()).toBe(1)
    const once = createVirtualClock()
    once.setTimeout(() => {}, 1000)
    expect(once.runUntilIdle()).toBe(1)
    expect(once.now()).toBe(1000)
  })

  it('refuses bad arguments with InvalidArgumentError', () => {
    const clock = createVirtualClock()
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => clock.advance(bad)).toThrow(
        expect.objectContaining({ name: 'InvalidArgumentError' }),
      )
    }
    expect(() => clock.runUntilIdle(-1)).toThrow(
      expect.objectContaining({ name: 'InvalidArgumentError' }),
    )
    expect(() => createVirtualClock(Number.NaN)).toThrow(
      expect.objectContaining({ name: 'InvalidArgumentError' }),
    )
    expect(() => clock.setTimeout(1 as never, 1)).toThrow(
      expect.objectContaining({ name: 'InvalidArgumentError' }),
    )
  })
})

describe('system clock', () => {
  it('tells real time and fires and cancels real timers', async () => {
    const clock = systemClock()
    const before = Date.now()
    expect(Math.abs(clock.now() - before)).toBeLessThan(1000)
    const cancelled = clock.setTimeout(() => {
      throw new Error('should not fire')
    }, 1)
    clock.clearTimeout(cancelled)
    await new Promise<void>((resolve) => clock.setTimeout(resolve, 2))
  })
})
