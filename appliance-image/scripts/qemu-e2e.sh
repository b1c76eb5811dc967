#!/usr/bin/env bash
# End-to-end test of the appliance image under QEMU; not part of the default test run (it builds three images from
# Debian's packages and boots them with software emulation: expect an hour or more on two cores).
#
#   sudo appliance-image/scripts/qemu-e2e.sh [WORK_DIR]
#
# What it does, timing each step:
#   1. builds image 0.1.0 and bundle 0.1.1 (same commit), and a bundle 0.1.2 whose appliance cannot start;
#   2. flashes 0.1.0 into a disk file with `portcullis-image flash` and boots it (qemu-system-x86_64, OVMF, no KVM);
#   3. waits for the SSH console on a forwarded loopback port and runs `show version`;
#   4. uploads bundle 0.1.1, `request system software add`, `request system reboot`, waits for the console, and
#      checks `show system software`: slot b runs 0.1.1 and is marked good;
#   5. the same with 0.1.2: the new slot fails its health check, is marked bad, the appliance reboots and comes
#      back on 0.1.1.
#
# Needs root (the image build runs mmdebstrap), and installs qemu-system-x86, ovmf, openssh-client and mmdebstrap.
# The console: CONSOLE_USER (default admin) logs in with the key CONSOLE_KEY (default ~/.ssh/id_ed25519), and
# CONSOLE_UPLOAD (default uploads) is the directory in the SFTP upload area that `request system software add` reads
# from; set CONSOLE_AUTHORIZED_KEYS_PATH to where on the data partition the console reads authorized keys (default
# config/console/authorized_keys), and this script puts the key's public half there before the first boot.
set -euo pipefail
repo=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
work=${1:-$repo/appliance-image/target/qemu-e2e}
port=${CONSOLE_PORT:-2222}          # on the host's loopback
guest_port=${CONSOLE_GUEST_PORT:-22} # where the console listens in the appliance
user=${CONSOLE_USER:-admin}
key=${CONSOLE_KEY:-$HOME/.ssh/id_ed25519}
upload=${CONSOLE_UPLOAD:-uploads}
authorized=${CONSOLE_AUTHORIZED_KEYS_PATH:-config/console/authorized_keys}
boot_timeout=${BOOT_TIMEOUT:-1800}
mkdir -p "$work"
log="$work/steps.log"
: > "$log"

need=()
command -v qemu-system-x86_64 >/dev/null || need+=(qemu-system-x86)
[ -d /usr/share/OVMF ] || need+=(ovmf)
command -v ssh >/dev/null || need+=(openssh-client)
command -v mmdebstrap >/dev/null || need+=(mmdebstrap)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update && apt-get install -y "${need[@]}"
fi
[ -f "$key" ] || ssh-keygen -q -t ed25519 -N '' -f "$key"

step_started=0
step() { step_started=$(date +%s); echo "== $*" | tee -a "$log"; }
done_step() { echo "   took $(( $(date +%s) - step_started )) s" | tee -a "$log"; }

image() { "$repo/portcullis-image" "$@"; }
ssh_console() {
  ssh -p "$port" -i "$key" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o ConnectTimeout=5 \
      -o BatchMode=yes "$user@127.0.0.1" "$@"
}
sftp_put() {
  sftp -P "$port" -i "$key" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes \
      "$user@127.0.0.1" <<<"put $1 $upload/$(basename "$1")"
}
wait_console() {
  local deadline=$(( $(date +%s) + boot_timeout ))
  until ssh_console show version >/dev/null 2>&1; do
    if [ "$(date +%s)" -gt "$deadline" ]; then
      echo "the console did not answer within ${boot_timeout}s; serial log: $work/serial.log" >&2
      exit 1
    fi
    sleep 10
  done
}
wait_down() {
  local deadline=$(( $(date +%s) + 600 ))
  while ssh_console show version >/dev/null 2>&1; do
    [ "$(date +%s)" -lt "$deadline" ] || { echo "the appliance did not go down for its reboot" >&2; exit 1; }
    sleep 5
  done
}
ovmf_code=$(ls /usr/share/OVMF/OVMF_CODE_4M.fd /usr/share/OVMF/OVMF_CODE.fd 2>/dev/null | head -1)
ovmf_vars=$(ls /usr/share/OVMF/OVMF_VARS_4M.fd /usr/share/OVMF/OVMF_VARS.fd 2>/dev/null | head -1)
qemu_pid=""
stop_qemu() { if [ -n "$qemu_pid" ]; then kill "$qemu_pid" 2>/dev/null || true; wait "$qemu_pid" 2>/dev/null || true; fi; }
trap stop_qemu EXIT

step "build image 0.1.0"
image build --version 0.1.0 --out "$work/v1"
done_step

step "build bundle 0.1.1"
image build --version 0.1.1 --out "$work/v2"
done_step

step "make bundle 0.1.2 whose appliance cannot start (no /usr/bin/portcullis)"
cp --sparse=always "$work/v2/work/rootfs.img" "$work/broken-rootfs.img"
debugfs -w -R "rm /usr/bin/portcullis" "$work/broken-rootfs.img"
image bundle --rootfs "$work/broken-rootfs.img" --kernel "$work/v2/work/boot/vmlinuz" \
  --initrd "$work/v2/work/boot/initrd.img" --version 0.1.2 --out "$work/broken.bundle"
done_step

step "flash 0.1.0 into a disk file and give the console our key"
disk="$work/disk.img"
rm -f "$disk"
image flash "$work"/v1/portcullis-0.1.0+*.img --target "$disk"
truncate -s 8G "$disk"  # room after the backup GPT does not matter to the appliance
data_offset=$(sfdisk --dump "$disk" | awk -F'[=,]' '/name="portcullis-data"/ {gsub(/ /,"",$2); print $2 * 512}')
keydir=$(dirname "$authorized")
debugfs -w -R "mkdir $keydir" "$disk?offset=$data_offset" 2>/dev/null || true
debugfs -w -R "write $key.pub $authorized" "$disk?offset=$data_offset"
cp "$ovmf_vars" "$work/OVMF_VARS.fd"
done_step

step "boot 0.1.0 (qemu, OVMF, no acceleration) until the console answers"
qemu-system-x86_64 -machine q35 -accel tcg -m 2048 -smp 2 \
  -drive if=pflash,format=raw,readonly=on,file="$ovmf_code" \
  -drive if=pflash,format=raw,file="$work/OVMF_VARS.fd" \
  -drive file="$disk",format=raw,if=virtio \
  -netdev user,id=n0,hostfwd=tcp:127.0.0.1:"$port"-:"$guest_port" -device virtio-net-pci,netdev=n0 \
  -display none -serial file:"$work/serial.log" &
qemu_pid=$!
wait_console
done_step

step "show version"
ssh_console show version | tee -a "$log"
ssh_console show system software | tee -a "$log"
done_step

step "upgrade to 0.1.1: upload, add, reboot, wait for the console"
sftp_put "$work"/v2/portcullis-0.1.1+*.bundle
ssh_console request system software add "$upload/$(basename "$work"/v2/portcullis-0.1.1+*.bundle)" | tee -a "$log"
ssh_console request system reboot || true
wait_down
wait_console
done_step

step "0.1.1 marked good"
deadline=$(( $(date +%s) + 600 ))
until ssh_console show system software | tee "$work/software.txt" | grep -Eq '^b +0\.1\.1\S* .* good +running'; do
  [ "$(date +%s)" -lt "$deadline" ] || { cat "$work/software.txt"; echo "slot b was not marked good" >&2; exit 1; }
  sleep 10
done
cat "$work/software.txt" | tee -a "$log"
done_step

step "failing upgrade to 0.1.2: add, reboot, the new slot is marked bad, the appliance falls back to 0.1.1"
sftp_put "$work/broken.bundle"
ssh_console request system software add "$upload/broken.bundle" | tee -a "$log"
ssh_console request system reboot || true
wait_down
# The broken slot boots, its health check times out (3 minutes), it is marked bad and the appliance reboots.
wait_console
ssh_console show system software | tee "$work/software.txt" | tee -a "$log"
grep -Eq '^a +0\.1\.2\S* .* bad' "$work/software.txt" || { echo "slot a is not marked bad" >&2; exit 1; }
grep -Eq '^b +0\.1\.1\S* .* good +running' "$work/software.txt" || { echo "not back on 0.1.1" >&2; exit 1; }
done_step

echo "all steps passed; timings in $log"
