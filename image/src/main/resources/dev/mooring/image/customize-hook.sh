#!/bin/sh
# mmdebstrap --customize-hook: leaves out module folders an edge appliance does not use, then
# refreshes the module index; drops apt's lists and caches (the image is not updated with apt).
set -eu
R="$1"
OMIT="$2"
for kdir in "$R"/lib/modules/*; do
  [ -d "$kdir/kernel" ] || continue
  for d in $OMIT; do rm -rf "$kdir/kernel/$d"; done
  chroot "$R" depmod "$(basename "$kdir")"
done
rm -rf "$R"/var/lib/apt/lists/* "$R"/var/cache/apt/*.bin "$R"/var/cache/apt/archives/*.deb
