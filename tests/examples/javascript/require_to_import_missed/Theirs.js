const fs = require('fs');
const path = require('path');
const util = require('util');
const os = require('os');

function read(p) {
  return fs.readFileSync(path.join(__dirname, p), 'utf8');
}

function show(x) {
  return util.inspect(x);
}

function home() {
  return os.homedir();
}

module.exports = { read, show };
