'use strict';

const path = require('path');

module.exports = {
  host: process.env.HOST || '0.0.0.0',
  port: Number(process.env.PORT) || 8080,
  staticDir: path.join(__dirname, 'public'),
  logLevel: 'info',
  session: {
    secret: process.env.SESSION_SECRET,
    maxAge: 24 * 60 * 60 * 1000,
  },
};
