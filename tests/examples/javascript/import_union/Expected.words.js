import { readFile } from "node:fs/promises";
import express from "express";
import helmet from "helmet";
import morgan from "morgan";

const app = express();

app.get("/health", (req, res) => {
  res.json({ ok: true });
});

app.get("/version", async (req, res) => {
  const pkg = JSON.parse(await readFile("package.json", "utf8"));
  res.json({ version: pkg.version });
});

export default app;
