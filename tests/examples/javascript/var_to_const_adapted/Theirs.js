function total(items) {
  var sum = 0;
  for (var i = 0; i < items.length; i++) {
    sum += items[i].price;
  }
  return sum;
}

function largest(items) {
  let best = null;
  items.forEach(function (item) {
    if (!best || item.price > best.price) best = item;
  });
  return best;
}

function average(items) {
  var count = items.length;
  return count ? total(items) / count : 0;
}

module.exports = { total, average, largest };
