// Start order: declaration order, except that a child starts only after every child it dependsOn.
// The stop order is the reverse. A dependency cycle is a RangeError naming the children in it.

interface Node {
  name: string;
  dependsOn: readonly string[];
}

/** Names in start order (a stable topological sort: ties keep declaration order). */
export function startOrder(children: readonly Node[]): string[] {
  const order: string[] = [];
  const placed = new Set<string>();
  const pending = [...children];
  while (pending.length > 0) {
    const next = pending.findIndex((c) => c.dependsOn.every((d) => placed.has(d)));
    if (next < 0) {
      throw new RangeError(`children: dependsOn has a cycle among ${pending.map((c) => JSON.stringify(c.name)).join(', ')}`);
    }
    const [child] = pending.splice(next, 1);
    order.push(child!.name);
    placed.add(child!.name);
  }
  return order;
}
