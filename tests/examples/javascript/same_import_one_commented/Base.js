"use strict";

const fs = require("fs");
const path = require("path");

function tmpFile(name) {
  return path.join(fs.realpathSync("/tmp"), name);
}

module.exports = { tmpFile };
