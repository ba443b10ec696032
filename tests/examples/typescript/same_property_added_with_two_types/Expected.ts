export interface Product {
  id: string;
  name: string;
  priceCents: number;
<<<<<<< ours
  tags: string[];
||||||| base
=======
  tags: Set<string>;
>>>>>>> theirs
}

export function formatPrice(product: Product): string {
  return `${(product.priceCents / 100).toFixed(2)} EUR`;
}
