#!/usr/bin/env bash
# The style checks CI runs (.ci/run): every C++ source git tracks (and every
# new one it does not ignore) must be clang-format clean (.clang-format), and
# clang-tidy (.clang-tidy) must pass on the pure modules below. Prints each
# file that is not clean and exits non-zero when there is one.
#
# clang-tidy on the whole tree takes about 6 s of CPU per file (its headers:
# fmt, and LibTorch in src/exec), some 30 minutes on two cores, so CI checks
# the modules in TIDY_DIRS (about a minute); `TIDY_DIRS="src apps"` checks all.
# Environment: BUILD_DIR (default build; its compile_commands.json is what
# clang-tidy needs: scripts/setup.sh writes it), TIDY_DIRS, SKIP_TIDY=1 (format only),
# CLANG_FORMAT and CLANG_TIDY (the binaries).
# Fix what it reports: `clang-format -i FILE` (or, for the whole tree,
# `git ls-files -z '*.cc' '*.h' '*.cu' | xargs -0 clang-format -i`).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
clang_format="${CLANG_FORMAT:-clang-format}"
clang_tidy="${CLANG_TIDY:-clang-tidy}"
build_dir="${BUILD_DIR:-$root/build}"
tidy_dirs="${TIDY_DIRS:-src/core src/measure src/graph}"
status=0
for tool in "$clang_format" "$clang_tidy"; do
  if ! command -v "$tool" >/dev/null; then
    echo "check-style: $tool not found (scripts/packages.txt lists clang-format and clang-tidy)" >&2
    exit 1
  fi
done

mapfile -d '' sources < <(git ls-files -z --cached --others --exclude-standard -- \
  '*.cc' '*.h' '*.cu' '*.cuh' '*.cpp' '*.hpp')
unformatted=()
for f in "${sources[@]}"; do
  [ -f "$f" ] || continue  # deleted in the working tree
  if ! "$clang_format" --dry-run -Werror "$f" >/dev/null 2>&1; then unformatted+=("$f"); fi
done
if ((${#unformatted[@]})); then
  echo "check-style: ${#unformatted[@]} of ${#sources[@]} files are not clang-format clean:" >&2
  printf '  %s\n' "${unformatted[@]}" >&2
  status=1
else
  echo "check-style: all ${#sources[@]} C++ files are clang-format clean" >&2
fi

if [ "${SKIP_TIDY:-}" = "1" ]; then exit "$status"; fi
if [ ! -f "$build_dir/compile_commands.json" ]; then
  echo "check-style: no $build_dir/compile_commands.json (configure first: scripts/setup.sh)" >&2
  exit 1
fi
# Only the translation units the build knows (a file of an optional part that
# is not built has no compile command).
read -r -a dirs <<<"$tidy_dirs"
mapfile -t tidy_files < <(python3 - "$build_dir/compile_commands.json" "${dirs[@]}" <<'PY'
import json, os, sys
db, dirs = sys.argv[1], [os.path.abspath(d) + os.sep for d in sys.argv[2:]]
seen = set()
for e in json.load(open(db)):
    f = os.path.normpath(os.path.join(e["directory"], e["file"]))
    if (f.endswith((".cc", ".cpp")) and any(f.startswith(d) for d in dirs) and f not in seen
            and os.path.isfile(f)):
        seen.add(f)
        print(f)
PY
)
if ((${#tidy_files[@]} == 0)); then
  echo "check-style: no translation unit under $tidy_dirs in $build_dir" >&2
  exit 1
fi
jobs="$(nproc 2>/dev/null || echo 2)"
tidy_log="$(mktemp)"
trap 'rm -f "$tidy_log"' EXIT
printf '%s\0' "${tidy_files[@]}" |
  xargs -0 -n 1 -P "$jobs" "$clang_tidy" -p "$build_dir" --quiet >"$tidy_log" 2>&1 || true
if grep -q -E '(warning|error): ' "$tidy_log"; then
  grep -E -A3 '(warning|error): ' "$tidy_log" >&2
  echo "check-style: clang-tidy found the above in ${#tidy_files[@]} files under $tidy_dirs" >&2
  status=1
else
  echo "check-style: clang-tidy clean on ${#tidy_files[@]} files under $tidy_dirs" >&2
fi
exit "$status"
