// The web app's production server: Next.js behind a plain Node HTTP server that writes each
// request's TCP peer address into a header, over whatever the client sent. Next.js gives route
// handlers no socket, and `next start` keeps a client's own X-Forwarded-For, so without this the
// rate limits could only count addresses that clients choose. Takes `next start`'s -p and -H.
import { createServer } from "node:http";
import { parseArgs } from "node:util";
import { SOCKET_ADDRESS_HEADER } from "@attune/api/client-address";
import next from "next";

const { values } = parseArgs({
  options: { port: { type: "string", short: "p" }, hostname: { type: "string", short: "H" } },
});
const port = Number(values.port ?? process.env.PORT ?? 3000);
const hostname = values.hostname;

const app = next({ dir: import.meta.dirname, hostname, port });
const handle = app.getRequestHandler();
await app.prepare();

createServer((request, response) => {
  request.headers[SOCKET_ADDRESS_HEADER] = request.socket.remoteAddress ?? "";
  void handle(request, response);
}).listen(port, hostname, () => {
  console.log(`Attune web app listening on http://${hostname ?? "localhost"}:${port}`);
});
