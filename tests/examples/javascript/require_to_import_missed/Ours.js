import fs from 'fs';
import path from 'path';
import util from 'util';

function read(p) {
  return fs.readFileSync(path.join(__dirname, p), 'utf8');
}

function show(x) {
  return util.inspect(x);
}

module.exports = { read, show };
