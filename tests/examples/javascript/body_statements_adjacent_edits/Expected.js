export function applyDiscount(order, code) {
  let total = order.subtotal;
<<<<<<< ours
  total -= discountFor(code, order.subtotal);
  total += order.shipping;
||||||| base
  total -= discountFor(code, total);
  total += order.shipping;
=======
  total -= discountFor(code, total);
  total += order.shipping + order.tax;
>>>>>>> theirs
  return Math.round(total * 100) / 100;
}

function discountFor(code, amount) {
  return code === 'WELCOME10' ? amount * 0.1 : 0;
}
