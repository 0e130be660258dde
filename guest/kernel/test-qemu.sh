#!/bin/bash
# Boot guest/kernel.elf under QEMU and check what the emulator relies on:
# the banner and command line, exit values, exception and panic lines (a
# task's fault names the task), the timer report, both executors, the trace
# ring's self-check, the benchmark scenario, the in-kernel tests (`test`,
# `test=fail-demo`), the `bench=` lines and the keyboard echo; the tests,
# a fault and the benchmarks also with `ring=0`.
#
#   guest/kernel/test-qemu.sh            # QEMU with KVM
#   ACCEL=tcg guest/kernel/test-qemu.sh  # QEMU's own CPU emulation
#
# Under KVM on a host that emulates CPL0 code (README, "Hosts"), booting
# takes a few seconds; the timeouts allow for it.
set -u

kernel_dir=$(cd "$(dirname "$0")" && pwd -P)
elf=$kernel_dir/../kernel.elf
accel=${ACCEL:-kvm}
failures=0

# run <seconds> <append>: sets $out (serial output) and $status.
run() {
    out=$(timeout "$1" qemu-system-x86_64 -accel "$accel" -kernel "$elf" -append "$2" \
        -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
        -display none -serial stdio -no-reboot -m 128 2>/dev/null)
    status=$?
}

pass() { echo "ok    $1"; }
fail() { echo "FAIL  $1"; echo "$out" | sed 's/^/      | /'; failures=$((failures + 1)); }

# expect <name> <status> <extended regex for one whole line>...
expect() {
    local name=$1 want=$2 line
    shift 2
    if [ "$status" != "$want" ]; then
        fail "$name: exit status $status, want $want"
        return
    fi
    for line in "$@"; do
        if ! grep -Eqx -- "$line" <<<"$out"; then
            fail "$name: no line matching '$line'"
            return
        fi
    done
    pass "$name"
}

banner='pollscope demo kernel 0\.1\.0'
hex='0x[0-9a-f]+'

run 30 exit
expect "exit" 1 "$banner" 'cmdline: exit'
[ "$(head -n1 <<<"$out")" = "pollscope demo kernel 0.1.0" ] || fail "banner is not the first line"

task='task=1 \(crash\)'

run 30 crash=divide
expect "crash=divide" 5 "EXCEPTION: divide error vector=0 error=0x0 rip=$hex cr2=$hex $task"

# At CPL3 the page fault's error code has the user bit (0x4).
run 30 crash=pagefault
expect "crash=pagefault" 5 "EXCEPTION: page fault vector=14 error=0x4 rip=$hex cr2=0x1000000000 $task"

run 30 "ring=0 crash=pagefault"
expect "ring=0 crash=pagefault" 5 "EXCEPTION: page fault vector=14 error=0x0 rip=$hex cr2=0x1000000000 $task"

run 30 crash=gp
expect "crash=gp" 5 "EXCEPTION: general protection vector=13 error=0x0 rip=$hex cr2=$hex $task"

run 30 crash=ud2
expect "crash=ud2" 5 "EXCEPTION: invalid opcode vector=6 error=0x0 rip=$hex cr2=$hex $task"

run 30 crash=panic
expect "crash=panic" 3 'PANIC: requested by the command line at src/crash\.rs:[0-9]+'

run 60 "selftest exit"
expect "selftest" 1 'selftest: ok \([0-9]+ heap operations\)'

run 14 "hz=1000 report=1000"
expect "timer" 124 ready 'executor: waker scenario=demo started' 'async number: 42' \
    'timer: 1000 ticks' 'timer: 2000 ticks'

# QEMU does not read the ring: a fast CPU fills it within the second, and
# what does not fit is counted in dropped.
run 12 "executor=simple tracecheck"
expect "simple executor, trace ring" 124 'executor: simple scenario=demo started' 'async number: 42' \
    'trace: write_seq=[1-9][0-9]* dropped=[0-9]+'

run 60 "scenario=bench"
expect "bench" 1 'bench: trace record .* ns best, .*' 'bench: task switch .* ns best, .*' 'bench: tsc [1-9][0-9]* kHz'

for ring in 3 0; do
    run 90 "ring=$ring test"
    expect "ring=$ring test" 1 'running [0-9]+ tests' 'thread::timer_preemption\.\.\. \[ok\]' \
        'test result: ok\. [0-9]+ passed; 0 failed'
    grep -q '\[failed\]' <<<"$out" && fail "ring=$ring test: a test failed"
done

run 30 test=fail-demo
expect "test=fail-demo" 7 'running 1 tests' 'ktest::fail-demo\.\.\. \[failed\]' 'Error: deliberate failure.*' \
    'test result: FAILED\. 0 passed; 1 failed'

# Every name once, few switches each.
bench_line='switches=[1-9][0-9]* cycles=[1-9][0-9]* min_batch_cycles=[0-9]+ .*'
for ring in 3 0; do
run 90 "ring=$ring bench=all benchn=200"
expect "ring=$ring bench=all" 1 "bench: trace-record $bench_line" "bench: coop-yield-2 $bench_line" \
    "bench: coop-yield-16 $bench_line" "bench: coop-yield-256 $bench_line" "bench: coop-pingpong $bench_line" \
    "bench: preempt-yield-2 $bench_line" "bench: preempt-yield-16 $bench_line" \
    "bench: preempt-yield-256 $bench_line" "bench: preempt-pingpong $bench_line" \
    "bench: preempt-timer $bench_line" "bench: irq-entry $bench_line" "bench: irq-wake $bench_line"
done

run 60 "bench=coop-yield-16 benchn=200 trace=off"
expect "bench trace=off" 1 "bench: coop-yield-16 $bench_line trace=off .*"

# Keyboard: type through the QEMU monitor, read the echo from the serial log.
log=$(mktemp)
port=$((20000 + $$ % 20000))
timeout 60 qemu-system-x86_64 -accel "$accel" -kernel "$elf" -append "" \
    -device isa-debug-exit,iobase=0xf4,iosize=0x04 -display none -no-reboot -m 128 \
    -serial "file:$log" -monitor "tcp:127.0.0.1:$port,server,nowait" 2>/dev/null &
qemu_pid=$!
for _ in $(seq 1 120); do
    grep -q '^ready$' "$log" 2>/dev/null && break
    sleep 0.25
done
if exec 3<>"/dev/tcp/127.0.0.1/$port"; then
    for key in shift-h i spc caps_lock a caps_lock b shift-1 up ret; do
        echo "sendkey $key" >&3
        sleep 0.2
    done
    sleep 1
    echo quit >&3
    # QEMU closes the monitor connection when it quits.
    timeout 5 cat <&3 >/dev/null
    exec 3>&-
fi
kill "$qemu_pid" 2>/dev/null
wait "$qemu_pid" 2>/dev/null
out=$(cat "$log")
rm -f "$log"
if grep -qx 'Hi Ab!' <<<"$out"; then pass "keyboard"; else fail "keyboard: no line 'Hi Ab!'"; fi

if [ "$failures" -ne 0 ]; then
    echo "$failures check(s) failed"
    exit 1
fi
echo "all checks passed (accel=$accel)"
