// Configurations are frozen all the way down: a request holds its snapshot for as long
// as it runs, so nothing may change one in place.
export function deepFreeze<T> (value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner)
    Object.freeze(value)
  }
  return value
}
