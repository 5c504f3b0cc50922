#!/usr/bin/env bash
# Installs what the test suites need beyond Node and npm, on a fresh Debian
# machine: iputils-arping (the reference the arping tests compare with),
# tcpdump (frame captures), iproute2 (the ip reference), util-linux (setpriv,
# for the non-root tests), jq (a README example pipes -j output into it), python3
# (the model fidelity test sends with MSG_CONFIRM, which Node cannot). Idempotent: quick when all is present. The VM lab
# installs its own packages (test/lab). Needs root; without it, says so and
# leaves the kernel tests to skip themselves.
set -euo pipefail
need=()
command -v arping >/dev/null 2>&1 && arping -V 2>&1 | grep -q iputils || need+=(iputils-arping)
command -v tcpdump >/dev/null 2>&1 || need+=(tcpdump)
command -v ip >/dev/null 2>&1 || need+=(iproute2)
command -v setpriv >/dev/null 2>&1 || need+=(util-linux)
command -v jq >/dev/null 2>&1 || need+=(jq)
command -v python3 >/dev/null 2>&1 || need+=(python3)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" != 0 ]; then
  echo "setup-test-machine: not root; not installing ${need[*]} (kernel tests will skip)"
  exit 0
fi
echo "setup-test-machine: installing ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
