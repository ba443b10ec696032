"use strict";

const fs = require("fs");
const path = require("path");
<<<<<<< ours
const os = require("os");
||||||| base
=======
const util = require("util");
>>>>>>> theirs

function readConfig(dir) {
  const file = path.join(dir, "config.json");
  return JSON.parse(fs.readFileSync(file, "utf8"));
}

function configValue(dir, key, fallback) {
  const config = readConfig(dir);
  return key in config ? config[key] : fallback;
}

module.exports = { readConfig, configValue };
