"use strict";

const fs = require("fs");
const path = require("path");
const os = require("os");
const util = require("util");

function readConfig(dir) {
  const file = path.join(dir, "config.json");
  return JSON.parse(fs.readFileSync(file, "utf8"));
}

function configValue(dir, key, fallback) {
  const config = readConfig(dir);
  return key in config ? config[key] : fallback;
}

module.exports = { readConfig, configValue };
