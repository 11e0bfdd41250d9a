/** Deletes the oldest entry (the first inserted) of a Map or Set: the eviction step of a bounded cache. */
export function deleteOldest<K>(m: { keys(): Iterator<K>; delete(key: K): boolean }): void {
  const first = m.keys().next();
  if (!first.done) m.delete(first.value);
}
