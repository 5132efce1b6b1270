// Drives a Buttplug server with the real JavaScript client from npm.
// Usage: node client.js <package> <ws-url>
//   package: "bp3" (buttplug@3.2.2, spec v3) or "bp5" (buttplug@5.0.2, spec v4)
// Prints one JSON line with what the client saw; exits non-zero on any failure.
const [pkg, url] = process.argv.slice(2);
const Buttplug = require(pkg);

function timeout(ms, what) {
  return new Promise((_, reject) => setTimeout(() => reject(new Error(`timed out: ${what}`)), ms));
}

async function main() {
  const client = new Buttplug.ButtplugClient(`interop ${pkg}`);
  const connector = new Buttplug.ButtplugNodeWebsocketClientConnector(url);
  const added = new Promise((resolve) => client.addListener('deviceadded', resolve));
  await Promise.race([client.connect(connector), timeout(5000, 'connect')]);
  let device = client.devices[0];
  if (!device) {
    await client.startScanning();
    device = await Promise.race([added, timeout(10000, 'device')]);
    await client.stopScanning();
  }
  if (pkg === 'bp3') {
    await device.vibrate(0.5);
  } else {
    await device.runOutput(Buttplug.DeviceOutput.Vibrate.percent(0.5));
  }
  const battery = await device.battery();
  await device.stop();
  const name = device.name;
  await client.disconnect();
  console.log(JSON.stringify({ name, battery }));
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(`interop client failed: ${e && e.stack ? e.stack : e}`);
    process.exit(1);
  }
);
