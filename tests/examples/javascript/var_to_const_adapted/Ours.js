function total(items) {
  let sum = 0;
  for (let i = 0; i < items.length; i++) {
    sum += items[i].price;
  }
  return sum;
}

function average(items = []) {
  const count = items.length;
  return count ? total(items) / count : 0;
}

module.exports = { total, average };
