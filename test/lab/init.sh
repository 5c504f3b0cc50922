#!/bin/busybox sh
# /init of the lab's initramfs (see setup.sh). Loads the modules, mounts the host's
# root (9p tag hostroot, read-only) under a tmpfs overlay so tools can write
# (npm, vitest caches) without touching the host, mounts the run's I/O directory
# (9p tag labio, writable) at the same path as on the host, and runs its cmd.sh in
# a chroot. stdout, stderr and the exit code go to files in the I/O directory;
# the driver (lab.mjs) reads them. Then the VM powers off (qemu runs -no-reboot).
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
io=
for w in $(cat /proc/cmdline); do
  case "$w" in lab.io=*) io=${w#lab.io=} ;; esac
done
fail() { echo "lab init: $*"; echo 125 > /mnt/io/rc 2>/dev/null; sync; reboot -f; }
while read -r ko params; do
  insmod "/modules/$ko" $params || echo "lab init: insmod $ko failed"
done < /modules/list
mkdir -p /mnt/lower /mnt/ovl /mnt/root /mnt/io
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 labio /mnt/io || fail "cannot mount labio"
echo boot > /mnt/io/booted
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=512000 hostroot /mnt/lower || fail "cannot mount hostroot"
mount -t tmpfs -o size=1G tmpfs /mnt/ovl
mkdir -p /mnt/ovl/upper /mnt/ovl/work
if ! mount -t overlay overlay -o lowerdir=/mnt/lower,upperdir=/mnt/ovl/upper,workdir=/mnt/ovl/work /mnt/root; then
  echo "lab init: overlay failed; root is read-only"
  mount --bind /mnt/lower /mnt/root
fi
r=/mnt/root
mount -t proc proc $r/proc
mount -t sysfs sys $r/sys
mount -t devtmpfs dev $r/dev
mkdir -p $r/dev/pts $r/dev/shm
mount -t devpts devpts $r/dev/pts
mount -t tmpfs tmpfs $r/dev/shm
ln -sf /proc/self/fd $r/dev/fd
ln -sf /proc/self/fd/0 $r/dev/stdin
ln -sf /proc/self/fd/1 $r/dev/stdout
ln -sf /proc/self/fd/2 $r/dev/stderr
# /tmp stays the host's (through the overlay, so writes stay in the VM): a checkout
# under /tmp, as CI may make, must be visible at the same path.
mount -t tmpfs tmpfs $r/run
mkdir -p $r/run/netns $r/var/run
[ -L $r/var/run ] || mount --bind $r/run $r/var/run
mount -t debugfs none $r/sys/kernel/debug 2>/dev/null
mkdir -p "$r$io"
mount --move /mnt/io "$r$io" || fail "cannot move labio to $io"
ip link set lo up
echo run > "$r$io/booted"
chroot $r /bin/sh "$io/cmd.sh" > "$r$io/stdout" 2> "$r$io/stderr" < /dev/null
echo $? > "$r$io/rc"
sync
umount "$r$io"
reboot -f
