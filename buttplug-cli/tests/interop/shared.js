// The JavaScript client's half of the shared-server test: connect, find the device, vibrate it
// (claiming it), print "claimed", then wait for a line on stdin and disconnect.
// Usage: node shared.js <package> <ws-url>
const [pkg, url] = process.argv.slice(2);
const Buttplug = require(pkg);
const readline = require('readline');

function timeout(ms, what) {
  return new Promise((_, reject) => setTimeout(() => reject(new Error(`timed out: ${what}`)), ms));
}

async function main() {
  const client = new Buttplug.ButtplugClient('interop js');
  const connector = new Buttplug.ButtplugNodeWebsocketClientConnector(url);
  const added = new Promise((resolve) => client.addListener('deviceadded', resolve));
  await Promise.race([client.connect(connector), timeout(5000, 'connect')]);
  let device = client.devices[0];
  if (!device) {
    await client.startScanning();
    device = await Promise.race([added, timeout(10000, 'device')]);
    await client.stopScanning();
  }
  await device.runOutput(Buttplug.DeviceOutput.Vibrate.percent(0.5));
  console.log('claimed');
  const lines = readline.createInterface({ input: process.stdin });
  await Promise.race([
    new Promise((resolve) => lines.once('line', resolve)),
    timeout(30000, 'the go-ahead'),
  ]);
  lines.close();
  await client.disconnect();
  console.log('disconnected');
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(`interop client failed: ${e && e.stack ? e.stack : e}`);
    process.exit(1);
  }
);
