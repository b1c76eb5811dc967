#!/usr/bin/env bash
# End-to-end test of the appliance image under QEMU; not part of the default test run (it builds images from
# Debian's packages and boots them with software emulation).
#
#   sudo appliance-image/scripts/qemu-e2e.sh [WORK_DIR]                  # through the SSH console
#   sudo E2E_MODE=offline appliance-image/scripts/qemu-e2e.sh [WORK_DIR] # without it (installs from the host)
#
# What it does, timing each step (also written to WORK_DIR/steps.log):
#   1. builds image 0.1.0 and bundle 0.1.1 (same commit), and a bundle 0.1.2 whose appliance cannot start
#      (/usr/bin/portcullis removed from its root file system);
#   2. flashes 0.1.0 into a disk file with `portcullis-image flash` and boots it (qemu-system-x86_64, OVMF, no KVM);
#   3. console mode: waits for the SSH console on a forwarded loopback port and runs `show version`;
#      offline mode: waits for portcullis.service to start (serial console log);
#   4. upgrades to 0.1.1 and checks that slot b runs it and is marked good by the boot assessment;
#   5. the same with 0.1.2: the new slot fails its health check, is marked bad, the appliance reboots by itself and
#      comes back on 0.1.1.
#
# Console mode (the default) provisions the administrator before the first boot the way a real install does: it
# appends `users: [{name: CONSOLE_USER, role: admin, keys: [CONSOLE_KEY.pub]}]` to /config/appliance.yaml on the
# flashed disk's data partition (/data/config/appliance.yaml in the appliance; debugfs, no mount). It then uploads
# bundles with sftp into the user's upload area (which sftp shows as /) and uses `request system software add FILE`,
# `request system reboot`, `show system software` and `show version` over ssh. CONSOLE_USER defaults to admin,
# CONSOLE_KEY to WORK_DIR/admin_ed25519 (made if missing); CONSOLE_GUEST_PORT (default 22, as in
# configs/appliance/appliance.yaml) is where the console listens in the appliance, CONSOLE_PORT (default 2222) the
# forwarded port on the host's loopback. The upload area is on the data partition, so the image is built with
# DATA_SIZE MiB of it (default 3072; the build's default 512 MiB cannot hold a ~940 MiB bundle).
#
# Offline mode does without the console (its users): the appliance is powered off between steps and the host installs
# bundles into the disk file the way `request system software add` does (`portcullis-image software add` on loop
# devices over the slot partitions; the ESP is copied out and back with mtools). The boot assessment leaves the
# console out of its health check there (the unit in bundle 0.1.1 is patched to omit --console).
#
# REUSE_ROOTFS=1 keeps the Debian part of WORK_DIR/build/rootfs from an earlier run (no mmdebstrap, which takes
# about 20 minutes on two cores); the work directory of any earlier `portcullis-image build --work DIR` (with its
# rootfs.complete) can be copied to WORK_DIR/build for that. The application under /opt/portcullis is removed from
# it first, so that jars of an older build cannot linger next to the new ones.
#
# Needs root (the image build runs mmdebstrap; offline mode makes loop devices). Installs qemu-system-x86, ovmf,
# openssh-client, mmdebstrap, mtools and fdisk when missing.
set -euo pipefail
repo=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
work=${1:-$repo/appliance-image/target/qemu-e2e}
mode=${E2E_MODE:-console}
port=${CONSOLE_PORT:-2222}
guest_port=${CONSOLE_GUEST_PORT:-22}
user=${CONSOLE_USER:-admin}
key=${CONSOLE_KEY:-$work/admin_ed25519}
data_size=${DATA_SIZE:-3072}
boot_timeout=${BOOT_TIMEOUT:-1800}
trusted=${TRUSTED_KEY:-$HOME/.config/portcullis/image-signing.pub}
mkdir -p "$work"
log="$work/steps.log"
: > "$log"
export MTOOLS_SKIP_CHECK=1

need=()
command -v qemu-system-x86_64 >/dev/null || need+=(qemu-system-x86)
[ -d /usr/share/OVMF ] || need+=(ovmf)
command -v ssh >/dev/null && command -v sftp >/dev/null || need+=(openssh-client)
command -v mmdebstrap >/dev/null || need+=(mmdebstrap)
command -v mcopy >/dev/null || need+=(mtools)
[ -x /usr/sbin/sfdisk ] || need+=(fdisk)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update && apt-get install -y "${need[@]}"
fi
[ -f "$HOME/.config/portcullis/image-signing.key" ] || "$repo/portcullis-image" keygen

step_started=0
step() { step_started=$(date +%s); echo "== $*" | tee -a "$log"; }
done_step() { echo "   took $(( $(date +%s) - step_started )) s" | tee -a "$log"; }
fail() {
  echo "FAILED: $*" | tee -a "$log" >&2
  if [ "${boots:-0}" -gt 0 ]; then echo "last lines of $work/serial-$boots.log:" >&2; serial | tail -n 15 >&2; fi
  exit 1
}
image() { "$repo/portcullis-image" "$@"; }

disk="$work/disk.img"
ovmf_code=$(ls /usr/share/OVMF/OVMF_CODE_4M.fd /usr/share/OVMF/OVMF_CODE.fd 2>/dev/null | head -1)
ovmf_vars=$(ls /usr/share/OVMF/OVMF_VARS_4M.fd /usr/share/OVMF/OVMF_VARS.fd 2>/dev/null | head -1)
qemu_pid=""
boots=0
# Powers the appliance on: QEMU runs with -no-reboot, so a reboot of the guest ends the QEMU process, and the loop
# below starts a new one on the same disk and OVMF_VARS.fd (a cold start; the boot counting is in the ESP's file
# names and carries over). Warm resets are avoided because under TCG OVMF hung in one of them (the third reboot in
# one QEMU process: no output, a full core busy, 3 minutes). All starts of one power-on append to one serial log,
# so the kernel's `Command line:` lines in it count its boots. A QEMU that exits with an error ends the loop, and
# the wait functions then fail at once (qemu_alive). virtio-rng gives the guest the host's entropy, as a hardware
# RNG would. TCG runs single-threaded (both vCPUs on one host thread): with a thread per vCPU the boot assessment's
# JVM once died of SIGSEGV (a general protection fault at entry+2 of a JIT-compiled method, the kind of fault a
# stale or torn view of code that another thread patched would give; taken for an emulation artifact, not proven).
# User networking is restricted (restrict=on): the guest reaches nothing but the forwarded console port
# on the host's loopback. WORK_DIR/qemu-monitor.sock is QEMU's monitor, for looking into a guest that stalls.
power_on() {
  boots=$((boots + 1))
  local serial_log="$work/serial-$boots.log"
  : > "$serial_log"
  (
    q=""
    trap '[ -z "$q" ] || kill "$q" 2>/dev/null; exit 0' TERM
    start=0
    while :; do
      start=$((start + 1))
      [ "$start" -eq 1 ] || echo "   $(date -u +%T) guest rebooted: QEMU exited (-no-reboot), cold start $start of power-on $boots" | tee -a "$log"
      qemu-system-x86_64 -machine q35 -accel tcg,thread=single -m 2048 -smp 2 -no-reboot \
        -drive if=pflash,format=raw,readonly=on,file="$ovmf_code" \
        -drive if=pflash,format=raw,file="$work/OVMF_VARS.fd" \
        -drive file="$disk",format=raw,if=virtio \
        -object rng-random,id=rng0,filename=/dev/urandom -device virtio-rng-pci,rng=rng0 \
        -netdev user,id=n0,restrict=on,hostfwd=tcp:127.0.0.1:"$port"-:"$guest_port" -device virtio-net-pci,netdev=n0 \
        -display none -chardev file,id=ser0,path="$serial_log",append=on -serial chardev:ser0 \
        -monitor unix:"$work/qemu-monitor.sock",server=on,wait=off &
      q=$!
      rc=0
      wait "$q" || rc=$?
      q=""
      if [ "$rc" -ne 0 ]; then
        echo "QEMU exited with status $rc (power-on $boots, start $start)" | tee -a "$log" >&2
        exit "$rc"
      fi
    done
  ) &
  qemu_pid=$!
}
power_off() { if [ -n "$qemu_pid" ]; then kill "$qemu_pid" 2>/dev/null || true; wait "$qemu_pid" 2>/dev/null || true; qemu_pid=""; fi; }
trap power_off EXIT
qemu_alive() { [ -n "$qemu_pid" ] && kill -0 "$qemu_pid" 2>/dev/null; }

# The serial log of the current power-on, without colours.
serial() { sed 's/\x1b\[[0-9;]*m//g' "$work/serial-$boots.log" 2>/dev/null || true; }
# Waits until the serial log has at least $2 lines matching $1.
wait_serial() {
  local deadline=$(( $(date +%s) + boot_timeout ))
  until [ "$(serial | grep -a -c -E "$1")" -ge "${2:-1}" ]; do
    qemu_alive || fail "QEMU is not running, waiting for '$1' ($work/serial-$boots.log)"
    [ "$(date +%s)" -lt "$deadline" ] || fail "no '$1' on the serial console within ${boot_timeout}s ($work/serial-$boots.log)"
    sleep 5
  done
}
booted_slot() { serial | grep -a -o 'Command line: .*' | tail -1 | grep -o 'portcullis\.slot=[ab]' | cut -d= -f2; }

# Partitions of the disk file: "offset size" in bytes.
part() { sfdisk --dump "$disk" | awk -v n="name=\"$1\"" 'index($0, n) { split($0, f, /[=,]/); gsub(/ /, "", f[2]); gsub(/ /, "", f[4]); printf "%.0f %.0f\n", f[2] * 512, f[4] * 512 }'; }
esp_fat() { local off; read -r off _ < <(part esp); echo "$disk@@$off"; }
entries() { mdir -b -i "$(esp_fat)" ::/loader/entries | sed 's|.*/||' | sort | tr '\n' ' '; }
wait_entries() {
  local deadline=$(( $(date +%s) + boot_timeout ))
  until [ "$(entries)" = "$1" ]; do
    qemu_alive || fail "QEMU is not running, waiting for the boot entries '$1' ($work/serial-$boots.log)"
    [ "$(date +%s)" -lt "$deadline" ] || fail "boot entries are '$(entries)', expected '$1'"
    sleep 10
  done
}
# What `request system software add` does, from the host, the appliance powered off and running slot $2.
host_software() {
  local action=$1 slot=$2 bundle=${3:-} a b off size fat
  read -r off size < <(part portcullis-root-a); a=$(losetup --find --show --offset "$off" --sizelimit "$size" "$disk")
  read -r off size < <(part portcullis-root-b); b=$(losetup --find --show --offset "$off" --sizelimit "$size" "$disk")
  fat=$(esp_fat)
  rm -rf "$work/esp" && mkdir "$work/esp"
  mcopy -s -n -i "$fat" ::/loader ::/portcullis "$work/esp/"
  echo "root=PARTLABEL=portcullis-root-$slot rw portcullis.slot=$slot" > "$work/cmdline"
  local where=(--esp "$work/esp" --slot-a "$a" --slot-b "$b" --cmdline "$work/cmdline" --key "$trusted")
  local rc=0
  if [ "$action" = add ]; then
    image software add "$bundle" "${where[@]}" || rc=$?
    if [ $rc -eq 0 ]; then
      rm -f "$work/esp/portcullis/install.lock"
      mdeltree -i "$fat" ::/loader/entries ::/portcullis
      mcopy -s -i "$fat" "$work/esp/loader/entries" ::/loader/
      mcopy -s -i "$fat" "$work/esp/portcullis" ::/
    fi
  fi
  [ $rc -ne 0 ] || image software show "${where[@]}" | tee -a "$log"
  losetup -d "$a" "$b"
  return $rc
}

ssh_opts=(-i "$key" -F /dev/null -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR
  -o ConnectTimeout=10 -o ServerAliveInterval=10 -o ServerAliveCountMax=3 -o BatchMode=yes -o IdentitiesOnly=yes)
# One console command; $ssh_timeout bounds it (an install of a bundle under TCG takes minutes).
ssh_timeout=1800
ssh_console() { timeout "$ssh_timeout" ssh -p "$port" "${ssh_opts[@]}" "$user@127.0.0.1" "$@"; }
# Uploads $1 into the user's upload area (sftp shows it as /), first removing the file named $2 there, if any.
sftp_put() {
  { [ -z "${2:-}" ] || echo "-rm /$2"; echo "put $1 /$(basename "$1")"; echo "ls -l /"; } |
    timeout "$ssh_timeout" sftp -P "$port" "${ssh_opts[@]}" -b - "$user@127.0.0.1"
}
wait_console() {
  local deadline=$(( $(date +%s) + boot_timeout ))
  until ssh_timeout=60 ssh_console show version >/dev/null 2>&1; do
    qemu_alive || fail "QEMU is not running, waiting for the console ($work/serial-$boots.log)"
    [ "$(date +%s)" -lt "$deadline" ] || fail "the console did not answer within ${boot_timeout}s ($work/serial-$boots.log)"
    sleep 10
  done
}
# `show version` names the running slot's software version ($1 plus +g<commit>), as `show system software` does.
check_version() {
  ssh_console show version | tee "$work/version.txt" | tee -a "$log"
  grep -Eq "^version: +${1//./\\.}\+g[0-9a-f]{12}" "$work/version.txt" || fail "show version does not name $1+g<commit>"
}
boots_seen() { serial | grep -a -c 'Command line: ' || true; }
# `request system reboot`, then waits until the kernel has started $1 more times (the serial log of this power-on).
console_reboot() {
  local before; before=$(boots_seen)
  ssh_timeout=60 ssh_console request system reboot | tee -a "$log" || true
  wait_serial 'Command line: ' $(( before + ${1:-1} ))
}
# Adds the admin user with the console key to appliance.yaml on the data partition of the disk file.
provision_admin() {
  local off; read -r off _ < <(part portcullis-data)
  local fs="$disk?offset=$off"
  [ -f "$key" ] || ssh-keygen -q -t ed25519 -N '' -C "qemu-e2e" -f "$key"
  rm -f "$work/appliance.yaml"
  debugfs -R "dump /config/appliance.yaml $work/appliance.yaml" "$fs"
  [ -s "$work/appliance.yaml" ] || fail "no /config/appliance.yaml on the data partition"
  ! grep -q '^users:' "$work/appliance.yaml" || fail "the image's appliance.yaml already declares users"
  grep -q '^ssh:' "$work/appliance.yaml" || fail "the image's appliance.yaml has no ssh: section (no console)"
  printf 'users:\n  - name: %s\n    role: admin\n    keys: ["%s"]\n' "$user" "$(cut -d' ' -f1,2 "$key.pub")" \
    >> "$work/appliance.yaml"
  debugfs -w -R "rm /config/appliance.yaml" "$fs"
  debugfs -w -R "write $work/appliance.yaml /config/appliance.yaml" "$fs"
  debugfs -R "cat /config/appliance.yaml" "$fs" | tail -4 | tee -a "$log"
}

step "build image 0.1.0"
[ -z "${REUSE_ROOTFS:-}" ] || rm -rf "$work/build/rootfs/opt/portcullis"
rm -rf "$work/v1" "$work/v2"   # an earlier run's image and bundle (another commit) would match the names below too
size_opts=()
[ "$mode" != console ] || size_opts=(--data-size "$data_size")
image build --version 0.1.0 --out "$work/v1" --work "$work/build" ${REUSE_ROOTFS:+--reuse-rootfs} "${size_opts[@]}"
done_step

step "build bundle 0.1.1"
image build --version 0.1.1 --out "$work/v2" --work "$work/build" --reuse-rootfs "${size_opts[@]}"
ok_bundle=$(ls "$work"/v2/portcullis-0.1.1+*.bundle)
if [ "$mode" = offline ]; then
  # No console in the image yet: its health check must not wait for one.
  cp --sparse=always "$work/build/rootfs.img" "$work/ok-rootfs.img"
  sed -e 's| --console [^ ]* | |' "$repo/configs/systemd/portcullis-boot-assessment.service" > "$work/assess.service"
  debugfs -w -R "rm /etc/systemd/system/portcullis-boot-assessment.service" "$work/ok-rootfs.img"
  debugfs -w -R "write $work/assess.service /etc/systemd/system/portcullis-boot-assessment.service" "$work/ok-rootfs.img"
  image bundle --rootfs "$work/ok-rootfs.img" --kernel "$work/build/boot/vmlinuz" \
    --initrd "$work/build/boot/initrd.img" --version 0.1.1 --out "$work/ok.bundle"
  ok_bundle="$work/ok.bundle"
fi
done_step

step "make bundle 0.1.2 whose appliance cannot start (no /usr/bin/portcullis)"
cp --sparse=always "$work/build/rootfs.img" "$work/broken-rootfs.img"
debugfs -w -R "rm /usr/bin/portcullis" "$work/broken-rootfs.img"
image bundle --rootfs "$work/broken-rootfs.img" --kernel "$work/build/boot/vmlinuz" \
  --initrd "$work/build/boot/initrd.img" --version 0.1.2 --out "$work/broken.bundle"
done_step

step "flash 0.1.0 into a disk file"
rm -f "$disk"
image flash "$(ls "$work"/v1/portcullis-0.1.0+*.img)" --target "$disk"
cp "$ovmf_vars" "$work/OVMF_VARS.fd"
done_step

if [ "$mode" = console ]; then
  step "provision the admin user: its key into /data/config/appliance.yaml on the data partition"
  provision_admin
  done_step
fi

step "boot 0.1.0 (qemu-system-x86_64 -accel tcg, OVMF)"
power_on
if [ "$mode" = console ]; then wait_console; else wait_serial 'Started portcullis\.service'; fi
[ "$(booted_slot)" = a ] || fail "booted slot $(booted_slot), expected a"
done_step

if [ "$mode" = console ]; then
  step "show version, show system software"
  check_version 0.1.0
  ssh_console show system software | tee -a "$log"
  done_step

  step "upgrade to 0.1.1: sftp upload, request system software add, request system reboot, console back"
  ok_name=$(basename "$ok_bundle")
  sftp_put "$ok_bundle" | tee -a "$log" || fail "sftp upload of $ok_name"
  ssh_console request system software add "$ok_name" | tee -a "$log" || fail "request system software add $ok_name"
  ssh_console show system software | tee -a "$log"
  console_reboot 1
  [ "$(booted_slot)" = b ] || fail "booted slot $(booted_slot), expected b"
  wait_console
  done_step

  step "0.1.1 marked good by the boot assessment (show system software)"
  deadline=$(( $(date +%s) + 600 ))
  until ssh_console show system software | tee "$work/software.txt" | grep -Eq '^b +0\.1\.1\S* .* good +running'; do
    [ "$(date +%s)" -lt "$deadline" ] || { cat "$work/software.txt"; fail "slot b was not marked good"; }
    sleep 10
  done
  tee -a "$log" < "$work/software.txt"
  check_version 0.1.1
  done_step

  step "failing upgrade to 0.1.2: upload, add, reboot; slot a fails its health check, the appliance falls back"
  sftp_put "$work/broken.bundle" "$ok_name" | tee -a "$log" || fail "sftp upload of broken.bundle"
  ssh_console request system software add broken.bundle | tee -a "$log" || fail "request system software add broken.bundle"
  console_reboot 2   # slot a (0.1.2) boots, fails its health check, the boot assessment reboots into slot b
  [ "$(booted_slot)" = b ] || fail "after the fallback booted slot $(booted_slot), expected b"
  wait_console
  ssh_console show system software | tee "$work/software.txt" | tee -a "$log"
  grep -Eq '^a +0\.1\.2\S* .* bad' "$work/software.txt" || fail "slot a is not marked bad"
  grep -Eq '^b +0\.1\.1\S* .* good +running' "$work/software.txt" || fail "not back on 0.1.1"
  check_version 0.1.1
  done_step
else
  step "upgrade to 0.1.1: power off, install from the host, boot, boot assessment marks slot b good"
  power_off
  host_software add a "$ok_bundle"
  [ "$(entries)" = "portcullis-a.conf portcullis-b+1-0.conf " ] || fail "entries after add: $(entries)"
  power_on
  wait_serial 'Started portcullis\.service'
  [ "$(booted_slot)" = b ] || fail "booted slot $(booted_slot), expected b"
  wait_entries "portcullis-a.conf portcullis-b.conf "
  done_step

  step "failing upgrade to 0.1.2: slot a is tried once, fails its health check, is marked bad; back on 0.1.1"
  power_off
  host_software add b "$work/broken.bundle"
  power_on
  wait_serial 'Command line: ' 1
  [ "$(booted_slot)" = a ] || fail "booted slot $(booted_slot), expected a (the new one)"
  wait_serial 'Command line: ' 2   # the boot assessment rebooted
  [ "$(booted_slot)" = b ] || fail "after the fallback booted slot $(booted_slot), expected b"
  wait_serial 'Started portcullis\.service'
  power_off
  [ "$(entries)" = "portcullis-a+0-1.conf portcullis-b.conf " ] || fail "entries after the fallback: $(entries)"
  host_software show b
  done_step
fi

echo "all steps passed; timings in $log"
