export function formatPrice(cents, currency = "EUR") {
  return new Intl.NumberFormat("en", { style: "currency", currency }).format(cents / 100);
}

export function parsePrice(text) {
<<<<<<< ours
  const value = Number.parseFloat(text.trim().replace(/[^0-9.]/g, ""));
||||||| base
  const value = Number.parseFloat(text.replace(/[^0-9.]/g, ""));
=======
  const value = Number.parseFloat(text.replace(/[^0-9.-]/g, ""));
>>>>>>> theirs
  return Math.round(value * 100);
}
