function total(items) {
  let sum = 0;
  for (let i = 0; i < items.length; i++) {
    sum += items[i].price;
  }
  return sum;
}

<<<<<<< ours
function average(items = []) {
  const count = items.length;
||||||| base
function average(items) {
  var count = items.length;
=======
function largest(items) {
  var best = null;
  items.forEach(function (item) {
    if (!best || item.price > best.price) best = item;
  });
  return best;
}

function average(items) {
  var count = items.length;
>>>>>>> theirs
  return count ? total(items) / count : 0;
}

module.exports = { total, average, largest };
