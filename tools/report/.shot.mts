import { chromium } from 'playwright-core';
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless','--no-sandbox','--disable-background-networking','--disable-gpu','--no-first-run','--disable-component-update','--disable-sync'] });
const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
await page.goto('file:///work/main/reports/fx/matrix.html');
await page.screenshot({ path: '/tmp/fx/shot1.png', fullPage: true });
await page.locator('td.cell.v-fail summary').first().click();
await page.screenshot({ path: '/tmp/fx/shot2.png' });
await browser.close();
