import { Router } from "express";
import type { Request, Response } from "express";
import { z } from "zod";
import { db } from "./db";

export const router = Router();

router.get("/items", (req: Request, res: Response) => {
  res.json([]);
});
