// The web panel in headless Chromium, with the JavaScript client (npm `buttplug`, Node build) as
// the app. Usage: node panel.js <panel-url> <client-ws-url> [screenshot-dir]
// The Rust test checks the bytes the simulated Lovense Hush receives; this script drives the
// panel and the client and checks what the panel shows, step by step.
const Buttplug = require('buttplug');
const { launch, collectConsole, waiter, run } = require('./common.js');

const [panelUrl, clientUrl, screenshots] = process.argv.slice(2);
const STEP_MS = 10000;

run(async () => {
  const browser = await launch();
  try {
    const page = await browser.newPage();
    const wait = waiter(page, collectConsole(page), STEP_MS);
    const level = (n) => wait(`chart level ${n}`,
      (n) => document.querySelector('[data-device="0"] .legend [data-series="0-Vibrate"]')
        ?.dataset.level === String(n), n);
    await page.goto(panelUrl);

    // A simulated device appears, with its battery.
    await wait('device card', () => document.querySelector('[data-device="0"] .name')
      ?.textContent === 'Lovense Hush');
    await wait('battery', () => !document.querySelector('[data-device="0"] .battery').hidden);
    // Without a cap of its own, the server's --max-level is shown as what applies.
    await wait('server default cap', () => document.querySelector('[data-device="0"] .cap output')
      ?.textContent === '90% (server default)');

    // An app connects and vibrates at 0.5: the chart moves to 10 of 20 steps.
    const client = new Buttplug.ButtplugClient('panel test app');
    const added = new Promise((resolve) => client.addListener('deviceadded', resolve));
    await client.connect(new Buttplug.ButtplugNodeWebsocketClientConnector(clientUrl));
    await wait('client listed', () => document.querySelector('#clients [data-client]')
      ?.textContent === 'panel test app');
    // The device was there before the app: it comes with the device list (a Map by index).
    const device = client.devices.get(0) || await Promise.race([added,
      new Promise((_, reject) => setTimeout(() => reject(new Error('the app sees no device')), STEP_MS))]);
    await device.runOutput(Buttplug.DeviceOutput.Vibrate.percent(0.5));
    await level(10);

    // A cap of 25 % set in the panel limits the app's next command.
    await page.$eval('[data-device="0"] .cap input', (el) => {
      el.value = 25;
      el.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await page.click('[data-device="0"] .cap button[type="submit"]');
    await wait('cap shown', () => document.querySelector('[data-device="0"]').dataset.cap === '0.25');
    await device.runOutput(Buttplug.DeviceOutput.Vibrate.percent(1));
    await level(5);

    // Stop All.
    await page.click('#stop-all');
    await level(0);

    // The app leaves: the sliders drive the device by hand (capped all the same).
    await client.disconnect();
    await wait('sliders enabled', () => {
      const s = document.querySelector('[data-device="0"] .outputs input');
      return s && !s.disabled && !document.querySelector('#clients [data-client]');
    });
    await page.$eval('[data-device="0"] .outputs input', (el) => {
      el.value = 20;
      el.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await level(4);
    await page.click('#stop-all');
    await level(0);
    if (screenshots) await shoot(page, screenshots);
    console.log(JSON.stringify({ ok: true }));
  } finally {
    await browser.close();
  }
});

// Light and dark screenshots of the panel (for the README), with a cap of 80 % and an app playing
// a short pattern (the checks are done by then; the Rust test checks the bytes before it).
async function shoot(page, dir) {
  const app = new Buttplug.ButtplugClient('Example game');
  await app.connect(new Buttplug.ButtplugNodeWebsocketClientConnector(clientUrl));
  await page.$eval('[data-device="0"] .cap input', (el) => {
    el.value = 80;
    el.dispatchEvent(new Event('input', { bubbles: true }));
  });
  await page.click('[data-device="0"] .cap button[type="submit"]');
  const device = app.devices.get(0);
  for (const level of [0.3, 0.6, 0.45, 0.9, 0.7, 1, 0.5, 0.8, 0.35, 0.65]) {
    await device.runOutput(Buttplug.DeviceOutput.Vibrate.percent(level));
    await new Promise((r) => setTimeout(r, 700));
  }
  await page.setViewport({ width: 900, height: 620 });
  for (const scheme of ['light', 'dark']) {
    await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: scheme }]);
    await new Promise((r) => setTimeout(r, 600)); // a few chart frames
    await page.screenshot({ path: `${dir}/panel-${scheme}.png` });
  }
  await app.disconnect();
}
