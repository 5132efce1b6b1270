// Shared by the browser tests: start headless Chromium with puppeteer-core.
const puppeteer = require('puppeteer-core');

async function launch() {
  return puppeteer.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    // Root (CI containers) cannot use Chromium's sandbox; the pages are our own, on loopback.
    args: process.getuid && process.getuid() === 0 ? ['--no-sandbox'] : [],
  });
}

// Fail with the page's console output so a failure says what the page saw.
function collectConsole(page) {
  const lines = [];
  page.on('console', (m) => lines.push(`console.${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => lines.push(`page error: ${e.message}`));
  return lines;
}

// `wait(what, fn, ...args)`: waits until `fn(...args)` is true in `page` (at most `ms`); a
// timeout fails naming `what`, with the console lines `log` collected.
function waiter(page, log, ms) {
  return (what, fn, ...args) =>
    page.waitForFunction(fn, { timeout: ms }, ...args).catch((e) => {
      throw new Error(`${what}: ${e.message}\n${log.join('\n')}`);
    });
}

function run(main) {
  main().then(
    () => process.exit(0),
    (e) => {
      console.error(`browser test failed: ${e && e.stack ? e.stack : e}`);
      process.exit(1);
    }
  );
}

module.exports = { launch, collectConsole, waiter, run };
