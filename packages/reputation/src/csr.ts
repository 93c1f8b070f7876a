/**
 * Sparse matrices in compressed sparse row form (CSR) on typed arrays: row `i` holds the
 * local trust peer `i` places in each column `j`. The one shape `computeGlobalTrust` reads.
 *
 * @example
 * const m = csrFromTriples(3, [0, 0, 1], [1, 2, 2], [1, 3, 1])
 * m.rowOffsets // Uint32Array [0, 2, 3, 3]
 */
import { MAX_MATRIX_SIZE } from './constants'
import { InvalidArgumentError, InvalidMatrixError } from './errors'

/** A square sparse matrix: row `i` is `columns/values[rowOffsets[i] .. rowOffsets[i + 1])`. */
export interface CsrMatrix {
  /** Number of rows and of columns (peers). */
  readonly size: number
  /** `size + 1` non-decreasing offsets, from 0 to the number of entries. */
  readonly rowOffsets: Uint32Array
  /** Column of each entry, each below `size`. */
  readonly columns: Uint32Array
  /** Value of each entry: finite and non-negative. */
  readonly values: Float64Array
}

function isTyped(value: unknown, name: string): boolean {
  return ArrayBuffer.isView(value) && value.constructor?.name === name
}

/**
 * Checks that `matrix` is a well-formed CSR matrix of non-negative finite values. O(entries).
 * @param matrix - the candidate
 * @throws InvalidMatrixError saying what is wrong
 * @example
 * assertCsrMatrix({ size: 1, rowOffsets: new Uint32Array([0, 0]), columns: new Uint32Array(0), values: new Float64Array(0) })
 */
export function assertCsrMatrix(matrix: unknown): asserts matrix is CsrMatrix {
  if (typeof matrix !== 'object' || matrix === null)
    throw new InvalidMatrixError('matrix must be an object')
  const { size, rowOffsets, columns, values } = matrix as Record<string, unknown>
  if (
    typeof size !== 'number' ||
    !Number.isSafeInteger(size) ||
    size < 0 ||
    size > MAX_MATRIX_SIZE
  ) {
    throw new InvalidMatrixError(`size must be an integer in [0, ${MAX_MATRIX_SIZE}]`)
  }
  if (!isTyped(rowOffsets, 'Uint32Array'))
    throw new InvalidMatrixError('rowOffsets must be a Uint32Array')
  if (!isTyped(columns, 'Uint32Array'))
    throw new InvalidMatrixError('columns must be a Uint32Array')
  if (!isTyped(values, 'Float64Array'))
    throw new InvalidMatrixError('values must be a Float64Array')
  const offsets = rowOffsets as Uint32Array
  const cols = columns as Uint32Array
  const vals = values as Float64Array
  if (offsets.length !== size + 1)
    throw new InvalidMatrixError('rowOffsets must have size + 1 entries')
  if (cols.length !== vals.length)
    throw new InvalidMatrixError('columns and values differ in length')
  if (offsets[0] !== 0 || offsets[size] !== cols.length) {
    throw new InvalidMatrixError('rowOffsets must run from 0 to the number of entries')
  }
  for (let i = 0; i < size; i++) {
    if (offsets[i + 1]! < offsets[i]!)
      throw new InvalidMatrixError(`rowOffsets decrease at row ${i}`)
  }
  for (let k = 0; k < cols.length; k++) {
    if (cols[k]! >= size)
      throw new InvalidMatrixError(`column ${cols[k]} of entry ${k} is out of range`)
    const v = vals[k]!
    if (!(v >= 0 && v < Number.POSITIVE_INFINITY)) {
      throw new InvalidMatrixError(`value of entry ${k} is not a finite non-negative number`)
    }
  }
}

/**
 * Builds a CSR matrix from coordinate triples: entries of one cell are summed, cells that sum
 * to zero or less are dropped, and each row is sorted by column (so equal input gives equal
 * arrays).
 * @param size - number of rows and columns
 * @param rows - row of each triple
 * @param columns - column of each triple
 * @param values - value of each triple (finite; negative values count against the cell)
 * @returns the matrix
 * @throws InvalidArgumentError when the triples disagree in length, leave the range or are not finite
 * @example
 * csrFromTriples(2, [0, 0], [1, 1], [2, -1]).values // Float64Array [1]
 */
export function csrFromTriples(
  size: number,
  rows: ArrayLike<number>,
  columns: ArrayLike<number>,
  values: ArrayLike<number>,
): CsrMatrix {
  if (!Number.isSafeInteger(size) || size < 0 || size > MAX_MATRIX_SIZE) {
    throw new InvalidArgumentError('size', `size must be an integer in [0, ${MAX_MATRIX_SIZE}]`)
  }
  const n = rows.length
  if (columns.length !== n || values.length !== n) {
    throw new InvalidArgumentError('columns', 'rows, columns and values must have the same length')
  }
  const counts = new Uint32Array(size + 1)
  for (let k = 0; k < n; k++) {
    const r = rows[k]!
    const c = columns[k]!
    if (!Number.isInteger(r) || r < 0 || r >= size)
      throw new InvalidArgumentError('rows', `row ${r} out of range`)
    if (!Number.isInteger(c) || c < 0 || c >= size) {
      throw new InvalidArgumentError('columns', `column ${c} out of range`)
    }
    if (!Number.isFinite(values[k]!))
      throw new InvalidArgumentError('values', `value ${k} is not finite`)
    counts[r + 1]!++
  }
  for (let i = 0; i < size; i++) counts[i + 1]! += counts[i]!
  // bucket the triples by row, then sort and merge each row
  const order = new Uint32Array(n)
  const fill = counts.slice(0, size)
  for (let k = 0; k < n; k++) order[fill[rows[k]!]!++] = k
  const offsets = new Uint32Array(size + 1)
  const outColumns: number[] = []
  const outValues: number[] = []
  for (let i = 0; i < size; i++) {
    const slice = Array.from(order.subarray(counts[i]!, counts[i + 1]!)).sort(
      (a, b) => columns[a]! - columns[b]! || a - b,
    )
    let k = 0
    while (k < slice.length) {
      const c = columns[slice[k]!]!
      let sum = 0
      while (k < slice.length && columns[slice[k]!] === c) sum += values[slice[k++]!]!
      if (sum > 0) {
        outColumns.push(c)
        outValues.push(sum)
      }
    }
    offsets[i + 1] = outColumns.length
  }
  return {
    size,
    rowOffsets: offsets,
    columns: Uint32Array.from(outColumns),
    values: Float64Array.from(outValues),
  }
}
