#!/bin/sh
# mmdebstrap --essential-hook: runs after the essential packages, before the kernel is installed,
# so its initramfs is generated once, small (MODULES=list) and able to boot live from the ISO.
set -eu
R="$1"
MODULES="$2"
mkdir -p "$R/etc/initramfs-tools/conf.d" "$R/etc/initramfs-tools/hooks" "$R/etc/initramfs-tools/scripts"
cat > "$R/etc/initramfs-tools/conf.d/mooring.conf" <<'CONF'
# Mooring images: only the listed modules (see hooks/mooring), busybox for the live boot, zstd.
MODULES=list
BUSYBOX=y
COMPRESS=zstd
CONF
{
  echo '#!/bin/sh'
  echo '# Adds the modules the image boots from (virtio, SATA, NVMe, USB, ISO, squashfs, overlay).'
  echo 'PREREQ=""'
  echo 'prereqs() { echo "$PREREQ"; }'
  echo 'case "$1" in prereqs) prereqs; exit 0;; esac'
  echo '. /usr/share/initramfs-tools/hook-functions'
  for m in $MODULES; do echo "force_load $m 2>/dev/null || manual_add_modules $m"; done
} > "$R/etc/initramfs-tools/hooks/mooring"
chmod 0755 "$R/etc/initramfs-tools/hooks/mooring"
cat > "$R/etc/initramfs-tools/scripts/mooringlive" <<'LIVE'
# Live boot of a Mooring ISO (kernel command line: boot=mooringlive mooring.live=LABEL): the root is
# /live/root.squashfs on the ISO9660 medium, read-only, under a tmpfs overlay; the medium's /oem
# is bind-mounted on /oem so per-machine user-data works as on a disk.
mooring_live_medium() {
	label="$1"
	if [ -e "/dev/disk/by-label/$label" ]; then
		readlink -f "/dev/disk/by-label/$label"
		return 0
	fi
	for dev in /dev/sr* /dev/vd? /dev/sd? /dev/nvme?n?; do
		[ -b "$dev" ] || continue
		if busybox mount -t iso9660 -o ro "$dev" /run/mooring-live/probe 2>/dev/null; then
			found=
			[ -f /run/mooring-live/probe/live/root.squashfs ] && found=1
			busybox umount /run/mooring-live/probe
			[ -n "$found" ] && { echo "$dev"; return 0; }
		fi
	done
	return 1
}

mountroot() {
	label=
	for x in $(cat /proc/cmdline); do
		case "$x" in mooring.live=*) label="${x#mooring.live=}" ;; esac
	done
	[ -n "$label" ] || panic "mooring live: no mooring.live=LABEL on the kernel command line"
	for m in isofs squashfs loop overlay sr_mod; do modprobe -q "$m" || true; done
	wait_for_udev 10
	mkdir -p /run/mooring-live/medium /run/mooring-live/probe /run/mooring-live/lower /run/mooring-live/rw
	dev=
	i=0
	while [ "$i" -lt 150 ]; do
		dev=$(mooring_live_medium "$label") && break
		sleep 0.2
		i=$((i + 1))
	done
	[ -n "$dev" ] || panic "mooring live: no ISO9660 medium labelled $label with /live/root.squashfs"
	busybox mount -t iso9660 -o ro "$dev" /run/mooring-live/medium || panic "mooring live: cannot mount $dev"
	busybox mount -t squashfs -o ro,loop /run/mooring-live/medium/live/root.squashfs /run/mooring-live/lower \
		|| panic "mooring live: cannot mount /live/root.squashfs"
	busybox mount -t tmpfs -o mode=0755 tmpfs /run/mooring-live/rw
	mkdir -p /run/mooring-live/rw/upper /run/mooring-live/rw/work
	busybox mount -t overlay -o lowerdir=/run/mooring-live/lower,upperdir=/run/mooring-live/rw/upper,workdir=/run/mooring-live/rw/work \
		overlay "${rootmnt}" || panic "mooring live: cannot mount the overlay root"
	if [ -d /run/mooring-live/medium/oem ]; then
		busybox mount -o bind /run/mooring-live/medium/oem "${rootmnt}/oem" || true
	fi
}
LIVE
