// Loads the page the websocket process serves at / in headless Chromium (the Debian package) and
// prints what the page reports: "PASS" once its text and binary messages came back unchanged, then
// "closed CODE" when its WebSocket closed. Usage: node echo-page.js http://127.0.0.1:PORT/
const { chromium } = require('playwright-core');

(async () => {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage();
    page.on('console', (m) => console.log('console: ' + m.text()));
    await page.goto(process.argv[2]);
    await page.waitForFunction(() => /PASS|FAIL/.test(document.getElementById('status').textContent), null,
      { timeout: 60000 });
    console.log(await page.textContent('#status'));
    await page.waitForFunction(() => document.title.startsWith('closed'), null, { timeout: 60000 });
    console.log(await page.title());
  } finally {
    await browser.close();
  }
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
