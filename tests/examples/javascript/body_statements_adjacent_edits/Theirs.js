export function applyDiscount(order, code) {
  let total = order.subtotal;
  total -= discountFor(code, total);
  total += order.shipping + order.tax;
  return Math.round(total * 100) / 100;
}

function discountFor(code, amount) {
  return code === 'WELCOME10' ? amount * 0.1 : 0;
}
