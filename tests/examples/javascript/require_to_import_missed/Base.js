const fs = require('fs');
const path = require('path');
const util = require('util');

function read(p) {
  return fs.readFileSync(path.join(__dirname, p), 'utf8');
}

function show(x) {
  return util.inspect(x);
}

module.exports = { read, show };
