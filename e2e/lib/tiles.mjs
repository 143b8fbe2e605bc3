// A map tile server on 127.0.0.1 for the portal's maps (`MAP_TILE_URL`), so
// that pages with a map load their tiles without leaving this machine. Every
// `/{z}/{x}/{y}.png` is the same small grey PNG; requests are counted.
import http from 'node:http';

/** A valid 1x1 grey PNG (the browser scales it to the tile size). */
const TILE_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGO4e/cuAAUyApjDDfqPAAAAAElFTkSuQmCC',
  'base64',
);

/**
 * Start the tile server. Resolves with `{ url, tileRequests, stop() }`, where
 * `url` is a `MAP_TILE_URL` template (`http://127.0.0.1:<port>/{z}/{x}/{y}.png`)
 * and `tileRequests` the paths served so far.
 */
export async function startTileServer() {
  const tileRequests = [];
  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && /^\/\d+\/\d+\/\d+\.png$/.test(req.url)) {
      tileRequests.push(req.url);
      res.writeHead(200, {
        'content-type': 'image/png',
        'content-length': TILE_PNG.length,
        'cache-control': 'public, max-age=3600',
        // The portal's pages load tiles as images from another origin.
        'access-control-allow-origin': '*',
      });
      res.end(TILE_PNG);
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not a tile');
    }
  });
  server.keepAliveTimeout = 1_000;
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}/{z}/{x}/{y}.png`,
    origin: `http://127.0.0.1:${port}`,
    tileRequests,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
