"use client";
// Sign-up, sign-in and sign-out against better-auth's endpoints under /api/auth.
import { createAuthClient } from "better-auth/react";

export const authClient = createAuthClient();
