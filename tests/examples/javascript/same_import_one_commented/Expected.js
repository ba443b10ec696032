"use strict";

const fs = require("fs");
const path = require("path");
<<<<<<< ours
// for the home directory
const os = require("os");
||||||| base
=======
const os = require("os");
>>>>>>> theirs

function tmpFile(name) {
  return path.join(fs.realpathSync("/tmp"), name);
}

module.exports = { tmpFile };
