#!/usr/bin/env bash
# The main job: set-up (install, configure, build), then `dnnroof report` with
# its defaults; extra arguments go to `dnnroof report`.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
"$here/setup.sh"
exec "${BUILD_DIR:-$root/build}/dnnroof" report "$@"
