"use strict";

const fs = require("fs");
const path = require("path");
// for the home directory
const os = require("os");

function tmpFile(name) {
  return path.join(fs.realpathSync("/tmp"), name);
}

module.exports = { tmpFile };
