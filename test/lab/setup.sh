#!/usr/bin/env bash
# Prepares the VM lab: Debian packages (qemu, static busybox, cpio, kmod), a
# Debian kernel with its modules (bonding, dummy, veth, 8021q, 9p) and a busybox
# initramfs whose /init (test/lab/init.sh) mounts the host's root over 9p and
# runs one command in a chroot. Idempotent: when the cache is complete and init.sh
# has not changed, it only checks and exits (a few ms).
# Usage: setup.sh CACHE_DIR ; prints nothing on the fast path.
set -euo pipefail
cache=${1:?cache dir}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$cache"
stamp="$cache/ready"
want="$(sha256sum "$here/init.sh" "$here/setup.sh" | sha256sum | cut -c1-16)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -f "$cache/vmlinuz" ] && [ -f "$cache/initrd.img" ]; then
  exit 0
fi
say() { echo "lab setup: $*" >&2; }

# 1. Packages. busybox-static gives a busybox that runs without the host's libc
#    inside the initramfs; kmod's depmod/modprobe resolve module order on the host.
need=()
command -v qemu-system-x86_64 >/dev/null 2>&1 || need+=(qemu-system-x86)
dpkg -s busybox-static >/dev/null 2>&1 || need+=(busybox-static)
command -v cpio >/dev/null 2>&1 || need+=(cpio)
command -v depmod >/dev/null 2>&1 || need+=(kmod)
# What the kernel's bonding selftests call (test/lab/kernel-bonding-selftests.test.ts).
command -v ping >/dev/null 2>&1 || need+=(iputils-ping)
command -v tcpdump >/dev/null 2>&1 || need+=(tcpdump)
command -v jq >/dev/null 2>&1 || need+=(jq)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then say "need root to install ${need[*]}"; exit 1; fi
  say "installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# 2. The kernel: the linux-image-X-amd64 package that linux-image-amd64 depends on,
#    unpacked (not installed) into the cache.
if [ ! -f "$cache/kernel/version" ]; then
  pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-/{print $2; exit}')
  if [ -z "$pkg" ]; then apt-get update -qq; pkg=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-/{print $2; exit}'); fi
  [ -n "$pkg" ] || { say "cannot find the linux-image package"; exit 1; }
  say "downloading $pkg"
  rm -rf "$cache/kernel" "$cache/dl"; mkdir -p "$cache/dl"
  (cd "$cache/dl" && apt-get download -q "$pkg" 2>&1 | grep -v '^W: Download is performed unsandboxed' >&2 || true)
  deb=$(ls "$cache"/dl/*.deb)
  dpkg-deb -x "$deb" "$cache/kernel"
  rm -rf "$cache/dl"
  kver=$(ls "$cache/kernel/lib/modules")
  depmod -b "$cache/kernel" "$kver"
  echo "$kver" > "$cache/kernel/version"
fi
kver=$(cat "$cache/kernel/version")
cp "$cache/kernel/boot/vmlinuz-$kver" "$cache/vmlinuz"

# 2b. The kernel's own bonding selftests (tools/testing/selftests/drivers/net/bonding
#     and the net/forwarding/lib.sh they source) from linux-source-X.Y of the kernel's
#     version, extracted into the cache: nothing of the kernel's is committed. Without
#     them (no such package) the lab still works and that test file skips.
if [ ! -f "$cache/selftests/version" ]; then
  kpkgver=$(apt-cache show "linux-image-$kver" 2>/dev/null | awk '/^Version:/{print $2; exit}')
  srcpkg="linux-source-$(echo "$kver" | cut -d. -f1,2)"
  say "downloading $srcpkg=$kpkgver (for its bonding selftests)"
  rm -rf "$cache/selftests" "$cache/dl"; mkdir -p "$cache/dl" "$cache/selftests.new"
  if [ -n "$kpkgver" ] && (cd "$cache/dl" && apt-get download -q "$srcpkg=$kpkgver" 2>&1 | grep -v '^W: Download is performed unsandboxed' >&2 || true) \
    && deb=$(ls "$cache"/dl/*.deb 2>/dev/null) \
    && dpkg-deb --fsys-tarfile "$deb" | tar -xO "./usr/src/$srcpkg.tar.xz" \
      | tar -xJ -C "$cache/selftests.new" --strip-components=1 \
        "$srcpkg/tools/testing/selftests/drivers/net/bonding" "$srcpkg/tools/testing/selftests/net/forwarding/lib.sh"; then
    echo "$kpkgver" > "$cache/selftests.new/version"
    mv "$cache/selftests.new" "$cache/selftests"
  else
    say "no bonding selftests: cannot get $srcpkg=$kpkgver"; rm -rf "$cache/selftests.new"
  fi
  rm -rf "$cache/dl"
fi

# 3. The initramfs: static busybox, init.sh, and the modules in load order with
#    their parameters (bonding max_bonds=0 and dummy numdummies=0: no bond0/dummy0
#    appear by themselves).
say "building the initramfs for $kver"
rd="$cache/initramfs"; rm -rf "$rd"; mkdir -p "$rd"/{bin,dev,proc,sys,mnt,modules}
cp /bin/busybox "$rd/bin/busybox"
cp "$here/init.sh" "$rd/init"; chmod 755 "$rd/init"
: > "$rd/modules/list"
declare -A seen=()
for spec in virtio_pci 9pnet_virtio 9p overlay "bonding max_bonds=0" "dummy numdummies=0" veth 8021q \
  bridge macvlan; do
  set -- $spec; mod=$1; shift; params="$*"
  deps=$(modprobe -d "$cache/kernel" -S "$kver" --ignore-install --show-depends "$mod" -C /dev/null | awk '$1=="insmod"{print $2}')
  for ko in $deps; do
    b=$(basename "$ko")
    [ -n "${seen[$b]:-}" ] && continue
    seen[$b]=1
    cp "$ko" "$rd/modules/$b"
    if [ "$(basename "$b" .ko)" = "$(echo "$mod" | tr - _)" ] || [ "$(basename "$b" .ko)" = "$mod" ]; then
      echo "$b $params" >> "$rd/modules/list"
    else
      echo "$b" >> "$rd/modules/list"
    fi
  done
done
(cd "$rd" && find . | cpio -o -H newc --quiet | gzip -1) > "$cache/initrd.img.new"
mv "$cache/initrd.img.new" "$cache/initrd.img"
echo "$want" > "$stamp"
say "ready ($cache)"
