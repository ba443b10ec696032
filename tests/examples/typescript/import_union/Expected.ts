import { Router } from "express";
import type { Request, Response } from "express";
<<<<<<< ours
import { z } from "zod";
||||||| base
=======
import { db } from "./db";
>>>>>>> theirs

export const router = Router();

router.get("/items", (req: Request, res: Response) => {
  res.json([]);
});
