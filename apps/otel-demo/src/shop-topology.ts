/** The demo shop: who calls whom. The frontend calls cart and catalog; both read the database. */
export interface ShopNode {
  readonly name: string;
  /** The services it calls, with how (HTTP, or as a database). */
  readonly calls: readonly { readonly name: string; readonly kind: 'http' | 'db' }[];
}

export const SHOP: readonly ShopNode[] = Object.freeze([
  { name: 'db', calls: [] },
  { name: 'cart', calls: [{ name: 'db', kind: 'db' }] },
  { name: 'catalog', calls: [{ name: 'db', kind: 'db' }] },
  { name: 'frontend', calls: [{ name: 'cart', kind: 'http' }, { name: 'catalog', kind: 'http' }] },
]);

/** The entry point the load generator calls. */
export const ENTRY = 'frontend';

/** The services that call `service`, directly or through others (those a fault in it puts at risk). */
export function callersOf(service: string, shop: readonly ShopNode[] = SHOP): string[] {
  const found = new Set<string>();
  const visit = (target: string): void => {
    for (const node of shop) {
      if (node.calls.some((c) => c.name === target) && !found.has(node.name)) {
        found.add(node.name);
        visit(node.name);
      }
    }
  };
  visit(service);
  return shop.map((n) => n.name).filter((n) => found.has(n));
}
