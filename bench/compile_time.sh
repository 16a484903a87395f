#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR Apache-2.0
#
# bench/compile_time.sh <build-dir> <repeats>: what a user pays to compile a
# translation unit that uses bpfxx, against the standard headers it pulls in
# (bpfxx's own cost) and against the same job done with libbpf. Called by
# bench/run; prints its metric lines.
#
# Each TU is compiled <repeats> times (median of user+system CPU seconds,
# -O2 -g as the build compiles it) with GCC and clang. Its "standard headers
# alone" twin is a TU that includes exactly the system headers that the TU
# and the project's headers include directly (found with -H), so the ratio
# is what the project's own code costs on top of what the TU needs anyway.
set -uo pipefail
build=$1
repeats=${2:-3}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) exit 1; print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
fmt() { awk -v v="$1" 'BEGIN { a = v < 0 ? -v : v; if (a >= 100) printf "%.0f", v; else if (a >= 10) printf "%.1f", v; else if (a >= 1) printf "%.2f", v; else printf "%.3g", v }'; }
ratio() { awk -v x="$1" -v l="$2" 'BEGIN { if (l == 0) { print "inf"; exit } r = sprintf("%#.3g", x / l); sub(/\.$/, "", r); print r }'; }
metric() { echo "$1 $(fmt "$2") $3 libbpf=$(fmt "$4") ratio=$(ratio "$2" "$4")"; }

# The compile command of a source, from compile_commands.json: its compiler
# and flags, without -o/-c/-MD parts and the source.
flags_of() {
  awk -v src="$1" '
    /"command":/ { cmd = $0 }
    /"file":/ { if (index($0, "\"" src "\"")) { print cmd; exit } }' "$build/compile_commands.json" |
    sed -e 's/^ *"command": "//' -e 's/",\{0,1\} *$//' -e 's/\\"/"/g' |
    awk '{ out = ""; skip = 0
           for (i = 1; i <= NF; i++) {
             if (skip) { skip = 0; continue }
             if ($i == "-o" || $i == "-MF" || $i == "-MT" || $i == "-c") { skip = 1; continue }
             if ($i == "-MD" || $i ~ /\.(c|cpp)$/) continue
             out = out " " $i }
           print out }'
}

# CPU seconds (user + system) of compiling $2 with command $1 (flags
# included), median of $repeats runs.
cpu_seconds() {
  local i
  for i in $(seq "$repeats"); do
    /usr/bin/time -f "%U %S" -o "$tmp/time" $1 -c "$2" -o "$tmp/out.o" >/dev/null 2>"$tmp/err" ||
      { cat "$tmp/err" >&2; return 1; }
    awk '{ print $1 + $2 }' "$tmp/time"
  done | median
}

# A TU of system headers written to $3: with $4 = own, those $2 itself
# includes; with $4 = pulled, those that $2 and the project's headers it
# reaches include directly (anything outside /usr is the project's).
std_twin() {
  $1 -H -fsyntax-only "$2" 2>&1 >/dev/null | awk -v src="$2" -v mode="$4" '
    /^\.+ / {
      d = length($1); path = $2
      parent = (d == 1) ? src : stack[d - 1]
      stack[d] = path
      wanted = mode == "own" ? d == 1 : parent !~ /^\/usr\//
      if (wanted && path ~ /^\/usr\// && !(path in seen)) { seen[path] = 1; print "#include \"" path "\"" }
    }' >"$3"
}

# measure <metric> <own|pulled> <bpfxx command> <bpfxx source> <libbpf command> <libbpf source>
# Prints <metric>_s (CPU seconds) and <metric>_std_ratio (over the
# standard-headers twin, see std_twin), each against libbpf's counterpart.
measure() {
  local name=$1 mode=$2 xcmd=$3 xsrc=$4 lcmd=$5 lsrc=$6 x xs l ls ext
  ext=${xsrc##*.}
  std_twin "$xcmd" "$xsrc" "$tmp/xstd.$ext" "$mode"
  std_twin "$lcmd" "$lsrc" "$tmp/lstd.${lsrc##*.}" "$mode"
  x=$(cpu_seconds "$xcmd" "$xsrc") && xs=$(cpu_seconds "$xcmd" "$tmp/xstd.$ext") &&
    l=$(cpu_seconds "$lcmd" "$lsrc") && ls=$(cpu_seconds "$lcmd" "$tmp/lstd.${lsrc##*.}") ||
    { echo "# failed ${name}: a compile failed (see above)"; return 1; }
  echo "# ${name}: bpfxx $(fmt "$x") s, its standard headers alone $(fmt "$xs") s; libbpf $(fmt "$l") s, its standard headers $(fmt "$ls") s"
  metric "${name}_s" "$x" s "$l"
  metric "${name}_std_ratio" "$(awk -v a="$x" -v b="$xs" 'BEGIN { print a / b }')" x \
    "$(awk -v a="$l" -v b="$ls" 'BEGIN { print a / b }')"
}

[ -f "$build/compile_commands.json" ] || { echo "# failed compile: no compile_commands.json in $build"; exit 1; }
main_flags=$(flags_of "$root/examples/execsnoop/main.cpp")
libbpf_flags=$(flags_of "$root/bench/execsnoop_libbpf.c")
[ -n "$main_flags" ] && [ -n "$libbpf_flags" ] || { echo "# failed compile: no compile command for the execsnoop sources"; exit 1; }
# Without the compiler; with -g, as the goal is stated (Release has none);
# without -Werror: the twins include system headers by absolute path, which
# clang warns about (#include_next), and warnings do not matter here.
main_flags="$(echo $main_flags | cut -d' ' -f2- | sed 's/ -Werror\b//g') -g"
libbpf_flags="$(echo $libbpf_flags | cut -d' ' -f2- | sed 's/ -Werror\b//g') -g"
skel_dir=$(echo "$main_flags" | tr ' ' '\n' | sed -n 's/^-I\(.*execsnoop_skel\.include\)$/\1/p')
libbpf_skel_dir=$(echo "$libbpf_flags" | tr ' ' '\n' | sed -n 's/^-I\(.*execsnoop_libbpf\.skel\)$/\1/p')

printf '#include "execsnoop.skel.hpp"\n' >"$tmp/skel_tu.cpp"
printf '#include <bpf/libbpf.h>\n#include "execsnoop.skel.h"\n' >"$tmp/skel_tu.c"
printf '#include <bpfxx/bpfxx.hpp>\n' >"$tmp/umbrella.cpp"
printf '#include <bpf/libbpf.h>\n#include <bpf/bpf.h>\n' >"$tmp/umbrella.c"

status=0
for cc in gcc clang; do
  if [ $cc = gcc ]; then cxx=g++; c=gcc; else cxx=clang++-19; c=clang-19; fi
  command -v $cxx >/dev/null && command -v $c >/dev/null || { echo "# skipped compile_*_$cc: $cxx or $c not installed"; continue; }
  echo "# compile ($cc, $cxx / $c, -O2 -g, CPU seconds, median of $repeats): bpfxx = examples/execsnoop/main.cpp with its skeleton (separate compilation, bpfxx::runtime); libbpf = bench/execsnoop_libbpf.c with its bpftool skeleton"
  # main.cpp against the standard headers it includes itself; the others
  # against every standard header their includes pull in.
  measure "compile_execsnoop_main_$cc" own "$cxx $main_flags" "$root/examples/execsnoop/main.cpp" \
          "$c $libbpf_flags" "$root/bench/execsnoop_libbpf.c" || status=1
  measure "compile_skeleton_tu_$cc" pulled "$cxx $main_flags -I$skel_dir" "$tmp/skel_tu.cpp" \
          "$c $libbpf_flags -I$libbpf_skel_dir" "$tmp/skel_tu.c" || status=1
  measure "compile_umbrella_$cc" pulled "$cxx $main_flags" "$tmp/umbrella.cpp" "$c $libbpf_flags" "$tmp/umbrella.c" || status=1
done
echo "# goals: compile_execsnoop_main_*_std_ratio <= 4, compile_skeleton_tu_*_std_ratio <= 1.5 (bpfxx values)"
exit $status
