/**
 * Batch's patterns (evaluateOnExit, share identifiers, name filters): exact, or a prefix when they end
 * with `*`.
 */
export function globMatches(pattern: string, value: string): boolean {
  return pattern.endsWith("*") ? value.startsWith(pattern.slice(0, -1)) : value === pattern;
}
