// The web panel of a server shared by two apps (--max-clients 2): it shows which app holds the
// device. Two JavaScript clients (npm `buttplug`, Node build) are the apps.
// Usage: node panel_shared.js <panel-url> <client-ws-url>
// The Rust test checks the bytes the simulated Lovense Hush receives.
const Buttplug = require('buttplug');
const { launch, collectConsole, waiter, run } = require('./common.js');

const [panelUrl, clientUrl] = process.argv.slice(2);
const STEP_MS = 10000;

async function app(name) {
  const client = new Buttplug.ButtplugClient(name);
  await client.connect(new Buttplug.ButtplugNodeWebsocketClientConnector(clientUrl));
  const deadline = Date.now() + STEP_MS;
  while (!client.devices.get(0)) {
    if (Date.now() > deadline) throw new Error(`${name} sees no device`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return { client, device: client.devices.get(0) };
}

run(async () => {
  const browser = await launch();
  try {
    const page = await browser.newPage();
    const wait = waiter(page, collectConsole(page), STEP_MS);
    const heldBy = (name) => wait(`held by ${name}`, (name) => {
      const holder = document.querySelector('[data-device="0"] .holder');
      return holder && (name === null ? holder.hidden
        : !holder.hidden && holder.querySelector('span').textContent === name);
    }, name);
    await page.goto(panelUrl);
    await wait('device card', () => document.querySelector('[data-device="0"] .name')
      ?.textContent === 'Lovense Hush');
    await heldBy(null);

    const alice = await app('alice');
    const bob = await app('bob');
    await wait('both apps listed', () => document.querySelectorAll('#clients [data-client]').length === 2);

    // Alice drives the toy: the panel says she holds it, and Bob is refused.
    await alice.device.runOutput(Buttplug.DeviceOutput.Vibrate.percent(0.5));
    await heldBy('alice');
    let refused = null;
    await bob.device.runOutput(Buttplug.DeviceOutput.Vibrate.percent(1)).catch((e) => { refused = e; });
    if (!refused) throw new Error('bob was not refused');

    // Alice stops it: free. Bob takes it.
    await alice.device.stop();
    await heldBy(null);
    await bob.device.runOutput(Buttplug.DeviceOutput.Vibrate.percent(0.25));
    await heldBy('bob');

    // Stop all in the panel stops it and frees it.
    await page.click('#stop-all');
    await heldBy(null);
    await alice.client.disconnect();
    await bob.client.disconnect();
    console.log(JSON.stringify({ ok: true, refused: String(refused && refused.message) }));
  } finally {
    await browser.close();
  }
});
