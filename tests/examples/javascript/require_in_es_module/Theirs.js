const express = require('express');
const cors = require('cors');
const helmet = require('helmet');

const app = express();
app.use(cors());
app.use(helmet());

app.get('/health', (req, res) => res.send('ok'));

module.exports = app;
