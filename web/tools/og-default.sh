#!/bin/sh
# Renders web/og-default.png (the 1200x630 preview image shared links show when the meeting's
# organization has no logo) from og-default.html with headless Chromium. Run once after
# changing the HTML, and commit the PNG: the server embeds it, it is not built at build time.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out="$here/../og-default.png"
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --force-device-scale-factor=1 \
  --window-size=1200,630 --screenshot="$out" "file://$here/og-default.html" >/dev/null 2>&1
python3 - "$out" <<'PY'
import struct, sys
data = open(sys.argv[1], 'rb').read(24)
w, h = struct.unpack('>II', data[16:24])
assert (w, h) == (1200, 630), (w, h)
print(f"{sys.argv[1]}: {w}x{h}")
PY
