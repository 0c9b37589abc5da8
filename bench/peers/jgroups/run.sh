#!/usr/bin/env bash
# Runs the JGroups 2.12 peer baseline: 3 JVM members on 127.0.0.1 over TCP,
# one multicasting untimed warm-up messages and then the timed messages of
# PAYLOAD bytes, once with reliable FIFO (NAKACK) and once with total order
# (SEQUENCER). Prints one RESULT line per member and run, then one SUMMARY
# line per mode, whose rate is the slowest member's.
#
# Usage: run.sh [-m messages] [-w warmup] [-b payload-bytes] [-t timeout-seconds]
#               [-s coordinator|youngest] [mode...]
#   modes: nakack sequencer (default: both). -s picks the sender: the
#   coordinator (default; SEQUENCER's sequencer, no forwarding) or the
#   youngest member (SEQUENCER forwards each of its messages first).
# Environment: JGROUPS_JAR (default /usr/share/java/jgroups.jar),
#   BUILD_DIR (default: bench/peers/build/jgroups in this repository).
# Exit status: 0 all runs completed, 1 a run failed or timed out,
#   3 skipped because a prerequisite is missing (the reason is printed).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
messages=100000
warmup=20000
sender=coordinator
payload=100
timeout_s=60
while getopts "m:w:b:t:s:" opt; do
    case "$opt" in
        m) messages="$OPTARG" ;;
        w) warmup="$OPTARG" ;;
        s) sender="$OPTARG" ;;
        b) payload="$OPTARG" ;;
        t) timeout_s="$OPTARG" ;;
        *) echo "usage: $0 [-m messages] [-w warmup] [-b payload-bytes] [-t timeout-seconds] [-s coordinator|youngest] [nakack|sequencer...]" >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
modes=("$@")
[ ${#modes[@]} -eq 0 ] && modes=(nakack sequencer)

jar="${JGROUPS_JAR:-/usr/share/java/jgroups.jar}"
build="${BUILD_DIR:-$here/../build/jgroups}"

skip() { echo "SKIP: $*"; exit 3; }

command -v java >/dev/null || skip "java not found (install a JDK, e.g. openjdk-17-jdk-headless)"
command -v javac >/dev/null || skip "javac not found (install a JDK, e.g. openjdk-17-jdk-headless)"
if [ ! -r "$jar" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "installing libjgroups-java (JGroups 2.12) with apt-get" >&2
        apt-get install -y libjgroups-java >&2 || skip "apt-get install libjgroups-java failed"
    fi
    [ -r "$jar" ] || skip "$jar not found: install Debian's libjgroups-java (apt-get install -y libjgroups-java, as root) or set JGROUPS_JAR"
fi

mkdir -p "$build"
if [ ! -f "$build/LoopbackBench.class" ] || [ "$here/LoopbackBench.java" -nt "$build/LoopbackBench.class" ]; then
    javac -nowarn -cp "$jar" -d "$build" "$here/LoopbackBench.java"
fi

# A free-looking base port for the 3 members (each binds the first free
# port from its base, within port_range 3); TCPPING probes the same range.
pick_base() {
    local p
    for _ in $(seq 1 50); do
        p=$((20000 + RANDOM % 30000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null &&
           ! (exec 3<>"/dev/tcp/127.0.0.1/$((p + 1))") 2>/dev/null &&
           ! (exec 3<>"/dev/tcp/127.0.0.1/$((p + 2))") 2>/dev/null; then
            echo "$p"; return
        fi
    done
    echo 27800
}

jvm_opts=(-Xms256m -Xmx512m -Djava.net.preferIPv4Stack=true -Djgroups.bind_addr=127.0.0.1)
status=0
for mode in "${modes[@]}"; do
    case "$mode" in
        nakack|sequencer) stack="$here/stack-$mode.xml" ;;
        *) echo "unknown mode $mode (want nakack or sequencer)" >&2; exit 2 ;;
    esac
    base="$(pick_base)"
    props=(-Djgroups.tcp.port="$base" -Djgroups.tcpping.initial_hosts="127.0.0.1[$base]")
    out="$(mktemp -d)"
    pids=()
    launch() {
        timeout --kill-after=5 "$((timeout_s + 15))" java "${jvm_opts[@]}" "${props[@]}" -cp "$build:$jar" \
            LoopbackBench "$stack" "$mode" "$1" 3 "$messages" "$payload" "$timeout_s" "$warmup" "$sender" >"$out/member-$1.log" 2>&1 &
        pids+=($!)
    }
    # the first member must be coordinator before the others look for it,
    # or each may found its own group and wait for a merge
    launch 0
    for _ in $(seq 1 300); do
        grep -q '^READY' "$out/member-0.log" 2>/dev/null && break
        kill -0 "${pids[0]}" 2>/dev/null || break
        sleep 0.1
    done
    launch 1
    launch 2
    for pid in "${pids[@]}"; do
        wait "$pid" || status=1
    done
    grep -h '^RESULT' "$out"/member-*.log || { status=1; echo "no RESULT from mode $mode; member logs:" >&2; tail -n 20 "$out"/member-*.log >&2; }
    # the group's rate is its slowest member's
    grep -h '^RESULT' "$out"/member-*.log | awk -v mode="$mode" -v sender="$sender" -v n="$messages" '
        { for (i = 1; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
          c++; if (f["status"] != "ok") bad++
          r = f["msgs_per_sec"] + 0; if (c == 1 || r < min) min = r; sum += r }
        END { if (c > 0) printf "SUMMARY mode=%s sender=%s members=%d messages=%d min_msgs_per_sec=%.0f mean_msgs_per_sec=%.0f failed=%d\n", mode, sender, c, n, min, sum / c, bad + 0 }'
    rm -rf "$out"
done
exit "$status"
