export interface Product {
  id: string;
  name: string;
  priceCents: number;
  tags: string[];
}

export function formatPrice(product: Product): string {
  return `${(product.priceCents / 100).toFixed(2)} EUR`;
}
