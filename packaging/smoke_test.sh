#!/usr/bin/env bash
# Smoke test of the built Linux bundle (packaging/dist/activation-lab/activation-lab):
#   1. --version prints the version (and how long the start takes);
#   2. an offscreen --screenshot writes a real, non-blank PNG;
#   3. the same under a real X server (xvfb-run, QT_QPA_PLATFORM=xcb): this catches missing
#      libxcb-* libraries, which the offscreen run cannot see;
#   4. the headless subcommands (list, plot to PNG and SVG, a short train) work frozen, and a
#      typed formula is derived (SymPy in the bundle) while a hostile one is refused.
# Fails loudly at the first error. Needs: python3 (any version; stdlib only, no Qt), xvfb-run.
# Usage: packaging/smoke_test.sh [path/to/activation-lab]
set -euo pipefail
cd "$(dirname "$0")/.."

APP=${1:-packaging/dist/activation-lab/activation-lab}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

fail() { echo "SMOKE TEST FAILED: $*" >&2; exit 1; }
step() { echo "== smoke: $*"; }

[ -x "$APP" ] || fail "no bundle at $APP - build it first: make bundle"
command -v python3 >/dev/null || fail "python3 is needed to check the PNG files"
VERSION=$(sed -n 's/^__version__ = "\(.*\)"/\1/p' core/__init__.py)
[ -n "$VERSION" ] || fail "cannot read __version__ from core/__init__.py"

# Checks a screenshot with the stdlib only: PNG signature, size, IHDR dimensions, and that the
# decoded pixels are not all one colour. Prints "WxH, N bytes, K distinct colours (sampled)".
check_png() {
  python3 - "$1" "$2" "$3" <<'PY'
import struct, sys, zlib
path, want_w, want_h = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
data = open(path, "rb").read()
if data[:8] != b"\x89PNG\r\n\x1a\n":
    sys.exit(f"{path}: not a PNG file")
if len(data) < 20_000:
    sys.exit(f"{path}: only {len(data)} bytes; expected a real window picture (> 20 kB)")
pos, idat, ihdr = 8, b"", None
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b"IHDR":
        ihdr = struct.unpack(">IIBBBBB", body)
    elif kind == b"IDAT":
        idat += body
    pos += 12 + n
w, h, depth, ctype, _, _, interlace = ihdr
if w < 200 or h < 200:
    sys.exit(f"{path}: only {w}x{h} pixels")
if (w, h) != (want_w, want_h):
    # not fatal: the window may grow to its minimum size, or a HiDPI factor may scale it
    print(f"WARNING: {path} is {w}x{h} pixels, --size asked for {want_w}x{want_h}")
channels = {0: 1, 2: 3, 4: 2, 6: 4}.get(ctype)
if depth != 8 or channels is None or interlace:
    print(f"{w}x{h}, {len(data)} bytes (pixel check skipped: depth {depth}, type {ctype})")
    sys.exit(0)
raw = zlib.decompress(idat)
stride = w * channels
rows, prev = [], bytearray(stride)
for y in range(h):  # undo the PNG row filters
    f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for i in range(stride):
        a = line[i - channels] if i >= channels else 0
        b, c = prev[i], prev[i - channels] if i >= channels else 0
        if f == 1: line[i] = (line[i] + a) & 255
        elif f == 2: line[i] = (line[i] + b) & 255
        elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    rows.append(bytes(line)); prev = line
colours = {rows[y][x:x + channels] for y in range(0, h, 7) for x in range(0, stride, 5 * channels)}
if len(colours) < 16:
    sys.exit(f"{path}: only {len(colours)} colours - the window looks blank")
print(f"{w}x{h}, {len(data)} bytes, {len(colours)} distinct colours (sampled)")
PY
}

step "1/5 --version"
t0=$(date +%s.%N)
out=$("$APP" --version 2>&1) || fail "'$APP --version' exited with $?: $out"
t1=$(date +%s.%N)
echo "$out"
[[ "$out" == *"$VERSION"* ]] || fail "--version printed '$out', expected it to contain $VERSION"

step "2/5 start time of --version (3 warm runs)"
best=""
for _ in 1 2 3; do
  s=$(date +%s.%N); "$APP" --version >/dev/null 2>&1; e=$(date +%s.%N)
  t=$(python3 -c "print(f'{$e - $s:.2f}')")
  best=$(python3 -c "print(min(float(x) for x in '$t ${best}'.split()))")
done
echo "first start $(python3 -c "print(f'{$t1 - $t0:.2f}')") s, best warm start $best s"

step "3/5 offscreen --screenshot"
rm -f "$TMP/offscreen.png"
QT_QPA_PLATFORM=offscreen timeout 300 "$APP" --screenshot "$TMP/offscreen.png" \
  --steps 50 --size 1000x700 || fail "offscreen --screenshot exited with $?"
[ -f "$TMP/offscreen.png" ] || fail "offscreen --screenshot wrote no file"
check_png "$TMP/offscreen.png" 1000 700 || fail "offscreen screenshot is not a real picture"

step "4/5 --screenshot under a real X server (xvfb-run, QT_QPA_PLATFORM=xcb)"
command -v xvfb-run >/dev/null || fail "xvfb-run is missing (apt-get install xvfb xauth)"
rm -f "$TMP/xcb.png"
timeout 300 xvfb-run -a -s "-screen 0 1400x900x24" env QT_QPA_PLATFORM=xcb \
  "$APP" --screenshot "$TMP/xcb.png" --steps 50 --size 1000x700 \
  || fail "--screenshot under xvfb (xcb) exited with $? - missing libxcb-* libraries on the build host?"
[ -f "$TMP/xcb.png" ] || fail "--screenshot under xvfb wrote no file"
check_png "$TMP/xcb.png" 1000 700 || fail "xcb screenshot is not a real picture"

step "5/5 headless subcommands (list, plot, train)"
out=$("$APP" list presets 2>&1) || fail "'list presets' exited with $?: $out"
[[ "$out" == *circles-tanh* ]] || fail "'list presets' does not list circles-tanh (resources missing?)"
"$APP" plot relu tanh -o "$TMP/plot.png" || fail "'plot ... -o plot.png' exited with $?"
python3 -c "import sys; d=open(sys.argv[1],'rb').read(); sys.exit(d[:8]!=b'\x89PNG\r\n\x1a\n')" \
  "$TMP/plot.png" || fail "'plot' wrote no PNG"
"$APP" plot sigmoid --derivative -o "$TMP/plot.svg" || fail "'plot ... -o plot.svg' exited with $?"
grep -q "<svg" "$TMP/plot.svg" || fail "'plot' wrote no SVG (QtSvg missing from the bundle?)"
"$APP" train --preset circles-tanh --epochs 2 --out "$TMP/train" >/dev/null \
  || fail "'train --preset circles-tanh' exited with $?"
[ -s "$TMP/train/metrics.csv" ] || fail "'train' wrote no metrics.csv"
echo "list, plot (PNG, SVG) and train work"
# a typed formula: parsed, derived by SymPy (frozen in the bundle) and compiled to NumPy
out=$("$APP" info "formula:x*sigmoid(beta*x); beta = 1 in [0.1, 10]; name = swish-b" 2>&1) \
  || fail "'info formula:...' exited with $?: $out"
[[ "$out" == *"f′(x) = "* ]] || fail "'info formula:...' printed no derivative (SymPy missing?): $out"
out=$("$APP" info "formula:__import__('os')" 2>&1) && fail "a hostile formula was accepted: $out"
[[ "$out" == *"is not allowed"* ]] || fail "a hostile formula got no clear sentence: $out"
echo "a formula is derived (f′ by SymPy) and a hostile one refused"

if [ -n "${SMOKE_KEEP:-}" ]; then cp "$TMP"/*.png "$SMOKE_KEEP"/; fi
echo "== smoke: all passed (bundle $(du -sm "$(dirname "$APP")" | cut -f1) MiB)"
