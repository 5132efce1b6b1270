// buttplug-js's browser build (dist/web/buttplug.js, a UMD bundle that defines `buttplug`) in a
// page of a local static server, connecting to our server with the browser's WebSocket.
// Usage: node buttplug_js.js <client-ws-url>
// Prints one JSON line with what the page saw; the Rust test checks the device's bytes.
const http = require('http');
const path = require('path');
const fs = require('fs');
const { launch, collectConsole, run } = require('./common.js');

const [clientUrl] = process.argv.slice(2);
const bundle = path.join(path.dirname(require.resolve('buttplug/package.json')), 'dist/web/buttplug.js');
const page = `<!doctype html><meta charset="utf-8"><title>buttplug-js</title>
<script src="/buttplug.js"></script>`;

// Only these two files, from loopback; nothing comes from the internet.
function serve() {
  const server = http.createServer((req, res) => {
    if (req.url === '/') {
      res.writeHead(200, { 'content-type': 'text/html' }).end(page);
    } else if (req.url === '/buttplug.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(fs.readFileSync(bundle));
    } else {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

run(async () => {
  const server = await serve();
  const browser = await launch();
  try {
    const tab = await browser.newPage();
    const log = collectConsole(tab);
    await tab.goto(`http://127.0.0.1:${server.address().port}/`);
    const seen = await tab.evaluate(async (url) => {
      const bp = window.buttplug;
      const client = new bp.ButtplugClient('browser test');
      await client.connect(new bp.ButtplugBrowserWebsocketClientConnector(url));
      const added = new Promise((resolve) => client.addListener('deviceadded', resolve));
      await client.startScanning();
      const device = client.devices.get(0) || await Promise.race([
        added, new Promise((_, reject) => setTimeout(() => reject(new Error('no device')), 10000)),
      ]);
      await client.stopScanning();
      await device.runOutput(bp.DeviceOutput.Vibrate.percent(0.5));
      await device.stop();
      const name = device.name;
      await client.disconnect();
      return { name, websocket: typeof WebSocket };
    }, clientUrl).catch((e) => { throw new Error(`${e.message}\n${log.join('\n')}`); });
    console.log(JSON.stringify(seen));
  } finally {
    await browser.close();
    server.close();
  }
});
