#!/usr/bin/env bash
# Regenerates buttplug-cli/link/symbol-order.txt, the list of functions the release `buttplug` binary
# places first (see buttplug-cli/build.rs): what runs at start-up and while idle, then what one client
# session with commands to ten simulated devices runs. Recorded with valgrind's callgrind, so it
# needs valgrind and python3. Run it after a dependency or toolchain update, or when idle RSS grows;
# run it twice after the list has changed a lot (the first run records a binary built from the old list,
# whose names can differ for functions new since then).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked -p buttplug-cli --bin buttplug
cargo build --release --locked -p buttplug-examples --example bench_serve
bin="$PWD/target/release/buttplug"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# A stand-in for the binary that runs it under callgrind and passes SIGTERM on.
cat > "$work/callgrind" <<WRAP
#!/usr/bin/env bash
valgrind --tool=callgrind --dump-instr=yes --demangle=no \\
    --callgrind-out-file="$work/\$PROFILE.%p.out" "$bin" "\$@" 2>/dev/null &
child=\$!
trap 'kill -TERM \$child; wait \$child; exit 0' TERM INT
wait \$child
WRAP
chmod +x "$work/callgrind"

echo "recording start-up and idle (8 s)"
PROFILE=1-idle "$work/callgrind" serve --websocket-port 0 --log warn >/dev/null &
sleep 8
kill -TERM $!
wait $! || true

echo "recording a client session (bench_serve throughput under callgrind)"
PROFILE=2-session BUTTPLUG_BIN="$work/callgrind" target/release/examples/bench_serve throughput >/dev/null

python3 scripts/symbol_order.py buttplug "$work"/1-idle.*.out "$work"/2-session.*.out \
    > buttplug-cli/link/symbol-order.txt
echo "buttplug-cli/link/symbol-order.txt: $(wc -l < buttplug-cli/link/symbol-order.txt) functions"
