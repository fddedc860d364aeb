// Drives Debian's Firefox ESR for the end-to-end tests, over WebDriver BiDi with puppeteer-core
// (Playwright cannot drive a stock Firefox). The C# side (FirefoxFixture) speaks one JSON
// request per line on stdin and reads one JSON reply per line on stdout:
//   {"id":1,"op":"open","url":"http://127.0.0.1:…"}      → {"id":1,"value":0}  (a page number)
//   {"id":2,"op":"eval","page":0,"expr":"() => …"}         → {"id":2,"value":…} | {"id":2,"error":"…"}
//   {"id":3,"op":"close","page":0}                         → {"id":3,"value":null}
// Each page gets a browser of its own: Firefox throttles the timers of background tabs, and a
// participant's synthetic camera is a canvas repainted by a timer.
import puppeteer from 'puppeteer-core';
import readline from 'node:readline';

const executablePath = process.env.MCU_FIREFOX || '/usr/bin/firefox-esr';
const prefs = {
  // Loopback candidates, and real addresses instead of mDNS names (the server is on 127.0.0.1).
  'media.peerconnection.ice.loopback': true,
  'media.peerconnection.ice.obfuscate_host_addresses': false,
  // Without a granted camera/microphone permission Firefox gathers no 127.0.0.1 candidate.
  'permissions.default.camera': 1,
  'permissions.default.microphone': 1,
  'media.navigator.permission.disabled': true,
  'media.navigator.streams.fake': true,
  // No sound card here: a mock audio backend keeps WebAudio (tones, analysers) running.
  'media.cubeb.force_mock_context': true,
  'media.autoplay.default': 0,
  'media.autoplay.blocking_policy': 0,
};
const browsers = [];
const pages = [];

async function handle(request) {
  switch (request.op) {
    case 'open': {
      const browser = await puppeteer.launch({
        browser: 'firefox', executablePath, headless: true, extraPrefsFirefox: prefs,
        args: ['--no-remote'],
      });
      const page = (await browser.pages())[0] || await browser.newPage();
      page.on('console', m => process.stderr.write(`[page ${pages.length}] ${m.text()}\n`));
      await page.goto(request.url);
      browsers.push(browser);
      pages.push(page);
      return pages.length - 1;
    }
    case 'eval': {
      const fn = new Function(`return (${request.expr})();`);
      return await pages[request.page].evaluate(fn);
    }
    case 'close': {
      const browser = browsers[request.page];
      browsers[request.page] = pages[request.page] = null;
      if (browser) await browser.close();
      return null;
    }
    default:
      throw new Error(`unknown op ${request.op}`);
  }
}

async function reply(line) {
  let request;
  try {
    request = JSON.parse(line);
    const value = await handle(request);
    process.stdout.write(JSON.stringify({ id: request.id, value: value === undefined ? null : value }) + '\n');
  } catch (e) {
    process.stdout.write(JSON.stringify({ id: request?.id ?? -1, error: String(e && e.stack || e) }) + '\n');
  }
}

// One request at a time, in order.
let queue = Promise.resolve();
const lines = readline.createInterface({ input: process.stdin });
lines.on('line', line => { queue = queue.then(() => reply(line)); });
lines.on('close', () => queue.then(async () => {
  await Promise.allSettled(browsers.filter(b => b).map(b => b.close()));
  process.exit(0);
}));
