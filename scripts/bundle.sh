#!/usr/bin/env bash
# Builds a relocatable dnnroof bundle: a directory (and a .tar.gz) that runs
# on another Linux x86-64 machine with glibc >= this one's, from any path:
#
#   bin/        dnnroof, gpu-check.sh (and any other executable the build installs)
#   lib/        executor plugins/modules the build installs, and every shared
#               library they need that is not glibc's (the ldd closure)
#   libexec/dnnroof/tests/   the test executables (+ gpu-tests.txt)
#   share/dnnroof/data/      data/
#
# What goes in is what `cmake --install` puts in a staging directory
# (cmake/install.cmake installs every executable and shared module target),
# so new executables or plugins are picked up without a change here. RPATHs
# are $ORIGIN-relative (CMake's install RPATH for dnnroof's targets,
# patchelf for the copied libraries).
#
#   scripts/bundle.sh [--build-dir DIR] [--out DIR] [--torch bundle|external]
#                     [--no-tests] [--no-tar]
#
# --torch bundle (default): LibTorch and its dependencies are copied in (the
#   build uses Debian's LibTorch, which the GPU node does not have).
# --torch external: LibTorch (libtorch*, libc10*, and what only they need)
#   is left out; at run time bin/dnnroof (a wrapper) finds it through
#   DNNROOF_TORCH_LIB=<dir with libtorch_cpu.so> or the node's python3
#   `torch` package. Use with a build configured against that LibTorch
#   (e.g. -DCMAKE_PREFIX_PATH=$(python3 -c 'import torch;print(torch.utils.cmake_prefix_path)')).
# The size of the bundle, with and without LibTorch, is printed at the end.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
build_dir="$root/build"
out_dir="$root/bundle"
torch_mode=bundle
with_tests=1
with_tar=1
while [ $# -gt 0 ]; do
  case "$1" in
    --build-dir) build_dir="$2"; shift 2 ;;
    --out) out_dir="$2"; shift 2 ;;
    --torch) torch_mode="$2"; shift 2 ;;
    --no-tests) with_tests=0; shift ;;
    --no-tar) with_tar=0; shift ;;
    -h|--help) sed -n '2,30p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bundle: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
case "$torch_mode" in bundle|external) ;; *) echo "bundle: --torch bundle|external, not '$torch_mode'" >&2; exit 2 ;; esac
[ -f "$build_dir/CMakeCache.txt" ] || { echo "bundle: no build in $build_dir (run scripts/setup.sh)" >&2; exit 2; }
command -v patchelf >/dev/null || { echo "bundle: patchelf is missing (apt-get install patchelf; scripts/packages.txt)" >&2; exit 2; }

echo "bundle: building $build_dir" >&2
cmake --build "$build_dir" --parallel "$(nproc)" >&2
rm -rf "$out_dir"
mkdir -p "$out_dir"
out_dir="$(cd "$out_dir" && pwd)"
cmake --install "$build_dir" --prefix "$out_dir" --component Unspecified >/dev/null
if [ "$with_tests" = 1 ]; then
  cmake --install "$build_dir" --prefix "$out_dir" --component tests >/dev/null
fi
mkdir -p "$out_dir/lib"

# Libraries every Linux has (glibc and the loader), and the NVIDIA driver's,
# which must come from the node: never bundled.
is_system() {
  case "$(basename "$1")" in
    ld-linux*|libc.so*|libm.so*|libdl.so*|libpthread.so*|librt.so*|libresolv.so*|libutil.so*) return 0 ;;
    libcuda.so*|libnvidia-*|libnvcuvid*) return 0 ;;
    linux-vdso*) return 0 ;;
  esac
  return 1
}
is_torch() {
  case "$(basename "$1")" in libtorch*|libc10*|libshm*|libcaffe2*) return 0 ;; esac
  return 1
}

# ELF files of the install tree.
mapfile -t elves < <(find "$out_dir/bin" "$out_dir/lib" "$out_dir/libexec" -type f 2>/dev/null |
  while read -r f; do head -c 4 "$f" | grep -q 'ELF' && echo "$f"; done)

# resolve NAME: its path as the loader of this machine finds it (ldconfig
# cache or the paths ldd printed for the staged files).
declare -A where=()
for f in "${elves[@]}"; do
  while read -r name arrow path _; do
    [ "$arrow" = "=>" ] && [ -f "$path" ] && where[$name]="$path"
  done < <(ldd "$f" 2>/dev/null || true)
done
needed() { patchelf --print-needed "$1" 2>/dev/null || true; }

# The closure by NEEDED entries; in external mode LibTorch is a boundary:
# neither it nor what only it needs goes in.
declare -A seen=()
queue=("${elves[@]}")
copied=()
while [ ${#queue[@]} -gt 0 ]; do
  f="${queue[0]}"
  queue=("${queue[@]:1}")
  for n in $(needed "$f"); do
    [ -n "${seen[$n]:-}" ] && continue
    seen[$n]=1
    p="${where[$n]:-}"
    if [ -z "$p" ]; then
      p="$(ldconfig -p | awk -v n="$n" '$1 == n && /x86-64/ {print $NF; exit}')"
      [ -n "$p" ] && where[$n]="$p"
    fi
    if [ -z "$p" ]; then
      [ -e "$out_dir/lib/$n" ] || echo "bundle: warning: $n (needed by $(basename "$f")) not found here" >&2
      continue
    fi
    is_system "$p" && continue
    if [ "$torch_mode" = external ] && is_torch "$p"; then continue; fi
    [ -e "$out_dir/lib/$n" ] && continue
    cp -L "$p" "$out_dir/lib/$n"
    chmod u+w "$out_dir/lib/$n"
    copied+=("$out_dir/lib/$n")
    queue+=("$out_dir/lib/$n")
  done
done
# Copied libraries find each other in lib/.
for f in "${copied[@]}"; do patchelf --set-rpath '$ORIGIN' "$f"; done
# dnnroof's own files keep only their $ORIGIN-relative RPATH entries: an
# absolute one (a LibTorch outside the system's folders, e.g. the wheel the
# build used) names a folder of this machine, and here it would hide that
# the bundle finds LibTorch only the way the node will.
for f in "${elves[@]}"; do
  rp="$(patchelf --print-rpath "$f" 2>/dev/null || true)"
  [ -n "$rp" ] || continue
  kept="$(tr ':' '\n' <<< "$rp" | grep '^\$ORIGIN' | paste -sd: || true)"
  [ "$kept" = "$rp" ] || patchelf --set-rpath "$kept" "$f"
done

# External LibTorch: bin/dnnroof becomes a wrapper that finds it.
if [ "$torch_mode" = external ] && [ -x "$out_dir/bin/dnnroof" ]; then
  mkdir -p "$out_dir/libexec/dnnroof"
  mv "$out_dir/bin/dnnroof" "$out_dir/libexec/dnnroof/dnnroof"
  patchelf --set-rpath '$ORIGIN/../../lib' "$out_dir/libexec/dnnroof/dnnroof"
  cat > "$out_dir/bin/dnnroof" <<'WRAP'
#!/usr/bin/env bash
# dnnroof with an external LibTorch: DNNROOF_TORCH_LIB, else python3's torch.
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
torch_lib="${DNNROOF_TORCH_LIB:-}"
if [ -z "$torch_lib" ] && command -v python3 >/dev/null; then
  torch_lib="$(python3 -c 'import os, torch; print(os.path.join(os.path.dirname(torch.__file__), "lib"))' 2>/dev/null || true)"
fi
if [ -n "$torch_lib" ]; then
  # The executor module's loader preloads LibTorch from DNNROOF_TORCH_LIB; the
  # library path serves everything else that links it.
  export DNNROOF_TORCH_LIB="$torch_lib"
  export LD_LIBRARY_PATH="$torch_lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi
exec "$here/../libexec/dnnroof/dnnroof" "$@"
WRAP
  chmod +x "$out_dir/bin/dnnroof"
fi

# Sizes: all, and without LibTorch (libtorch*/libc10* and what only they need).
# dnnroof's own ELF files where they are now (bin/dnnroof may have moved to libexec/).
for i in "${!elves[@]}"; do
  head -c 4 "${elves[$i]}" 2>/dev/null | grep -q ELF ||
    elves[$i]="$out_dir/libexec/dnnroof/$(basename "${elves[$i]}")"
done
size_of() { du -cb "$@" 2>/dev/null | tail -1 | cut -f1; }
total=$(size_of "$out_dir")
declare -A nontorch=()
q=()
for f in "${elves[@]}"; do is_torch "$f" || q+=("$f"); done
while [ ${#q[@]} -gt 0 ]; do
  f="${q[0]}"; q=("${q[@]:1}")
  for n in $(needed "$f"); do
    [ -n "${nontorch[$n]:-}" ] && continue
    [ -e "$out_dir/lib/$n" ] || continue
    is_torch "$n" && continue
    nontorch[$n]=1
    q+=("$out_dir/lib/$n")
  done
done
torch_bytes=0
for f in "$out_dir"/lib/*; do
  n="$(basename "$f")"
  if [ -z "${nontorch[$n]:-}" ] && head -c 4 "$f" | grep -q ELF && ! printf '%s\n' "${elves[@]}" | grep -qx "$f"; then
    torch_bytes=$((torch_bytes + $(stat -c %s "$f")))
  fi
done
mib() { awk -v b="$1" 'BEGIN { printf "%.1f MiB", b / 1048576 }'; }
echo "bundle: $out_dir: $(mib "$total") in all; $(mib $((total - torch_bytes))) without LibTorch and what only it needs ($(mib "$torch_bytes")); torch: $torch_mode; ${#copied[@]} libraries copied"
if [ "$with_tar" = 1 ]; then
  tarball="$out_dir.tar.gz"
  tar -C "$(dirname "$out_dir")" -czf "$tarball" "$(basename "$out_dir")"
  echo "bundle: $tarball: $(mib "$(stat -c %s "$tarball")")"
fi
