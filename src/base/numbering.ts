/** A numbering of objects by identity: the first object asked about gets 0, the next new one 1, and so on. */
export function numbering(): (x: object) => number {
  const ids = new Map<object, number>();
  return (x) => {
    let id = ids.get(x);
    if (id === undefined) ids.set(x, (id = ids.size));
    return id;
  };
}
