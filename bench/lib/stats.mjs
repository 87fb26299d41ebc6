// Summary statistics of the bench (nearest-rank percentiles).

/** @param {number[]} values @param {number} p 0..100 */
export function percentile(values, p) {
  const s = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (s.length === 0) return null;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

/** @param {number[]} values */
export function median(values) {
  const s = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (s.length === 0) return null;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

const round = (/** @type {number | null} */ v, digits = 2) => (v === null ? null : Number(v.toFixed(digits)));

/**
 * @param {number[]} samples
 * @returns {{ n: number, median: number | null, p99: number | null, min: number | null, max: number | null, mean: number | null }}
 */
export function summarize(samples) {
  const s = samples.filter((v) => Number.isFinite(v));
  if (s.length === 0) return { n: 0, median: null, p99: null, min: null, max: null, mean: null };
  return {
    n: s.length,
    median: round(median(s)),
    p99: round(percentile(s, 99)),
    min: round(Math.min(...s)),
    max: round(Math.max(...s)),
    mean: round(s.reduce((a, b) => a + b, 0) / s.length),
  };
}

/** a / b, or null when either is missing or b is 0. */
export function ratio(/** @type {number | null} */ a, /** @type {number | null} */ b) {
  if (a === null || b === null || b === 0) return null;
  return round(a / b, 3);
}
