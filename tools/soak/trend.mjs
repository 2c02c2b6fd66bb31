// @ts-check

/**
 * Least-squares line through points: `slope` in y per x, `intercept` at x = 0. A line through every reading
 * judges a trend that one unlucky first or last reading cannot fake or hide. Fewer than two distinct x: slope 0.
 * @param {Array<{ x: number, y: number }>} points
 */
export function fitLine(points) {
  const n = points.length;
  if (n === 0) return { slope: 0, intercept: 0 };
  const meanX = points.reduce((sum, p) => sum + p.x, 0) / n;
  const meanY = points.reduce((sum, p) => sum + p.y, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (const p of points) {
    sxx += (p.x - meanX) ** 2;
    sxy += (p.x - meanX) * (p.y - meanY);
  }
  const slope = sxx === 0 ? 0 : sxy / sxx;
  return { slope, intercept: meanY - slope * meanX };
}
