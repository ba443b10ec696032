export function formatPrice(cents, currency = "EUR") {
  return new Intl.NumberFormat("en", { style: "currency", currency }).format(cents / 100);
}

export function parsePrice(text) {
  const value = Number.parseFloat(text.replace(/[^0-9.]/g, ""));
  return Math.round(value * 100);
}

export function addTax(cents, rate) {
  return Math.round(cents * (1 + rate));
}

export const isFree = (cents) => cents === 0;
