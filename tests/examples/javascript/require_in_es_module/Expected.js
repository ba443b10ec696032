<<<<<<< ours
import express from 'express';
import cors from 'cors';
||||||| base
const express = require('express');
const cors = require('cors');
=======
const express = require('express');
const cors = require('cors');
const helmet = require('helmet');
>>>>>>> theirs

const app = express();
app.use(cors());
app.use(helmet());

app.get('/health', (req, res) => res.send('ok'));

export default app;
