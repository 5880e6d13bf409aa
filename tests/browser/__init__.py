"""Real-browser tests: headless Debian Chromium driven by Playwright."""

# Playwright cannot download browsers here, so it drives Debian's Chromium. Without the
# background-networking flags Chromium phones home and the closed network refuses it.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
