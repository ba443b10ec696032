import express from 'express';
import cors from 'cors';

const app = express();
app.use(cors());

app.get('/health', (req, res) => res.send('ok'));

export default app;
