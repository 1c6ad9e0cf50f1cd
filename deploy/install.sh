#!/bin/sh
# Install or update a Sentra station on Debian 12/13 or Ubuntu 24.04, as they come (no pip, no sudo needed).
#
#   deploy/install.sh [--mode terminal|browser|console] [--root DIR]
#
# Run as root from a checkout. Installing again updates: stop, sync, migrate, start.
#   --mode terminal  touchscreen: cage + foot (foot 1.15+ for touch: Debian 13, Ubuntu 24.04) [default]
#   --mode browser   touchscreen: kiosk serve + cage + Chromium --kiosk (any of the three systems)
#   --mode console   keyboard and barcode scanner on tty1, no touch
#   --root DIR       install the files under DIR and skip every system step (packages, user, systemd,
#                    udev, grub): for tests, and to inspect what would be installed
set -eu

mode=terminal
root=""
while [ $# -gt 0 ]; do
    case "$1" in
        --mode) mode="${2:-}"; shift 2 ;;
        --mode=*) mode="${1#--mode=}"; shift ;;
        --root) root="${2:-}"; shift 2 ;;
        --root=*) root="${1#--root=}"; shift ;;
        -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
        *) echo "install.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done
case "$mode" in
    terminal|browser|console) ;;
    *) echo "install.sh: --mode is terminal, browser or console, not '$mode'" >&2; exit 2 ;;
esac
if [ -n "$root" ]; then
    mkdir -p "$root"
    root="$(cd "$root" && pwd)"
elif [ "$(id -u)" -ne 0 ]; then
    echo "install.sh: run as root (su -c 'deploy/install.sh'), or with --root DIR for a scratch install" >&2
    exit 1
fi
src="$(cd "$(dirname "$0")/.." && pwd)"
app="$root/opt/sentra"
system() { [ -z "$root" ]; }
say() { echo "install.sh: $*"; }

# 1. System packages (--no-install-recommends: a kiosk has no use for a desktop's extras).
if system; then
    packages="python3 python3-venv ca-certificates libzbar0 libusb-1.0-0 fonts-dejavu-core"
    case "$mode" in
        terminal) packages="$packages cage foot" ;;
        browser) packages="$packages cage chromium" ;;
    esac
    command -v chronyd >/dev/null 2>&1 || packages="$packages systemd-timesyncd"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    # shellcheck disable=SC2086 # the list is words
    apt-get install -y -q --no-install-recommends $packages
fi

# 2. The service user: no home, no shell, in the groups that open the camera, printers and scanners.
if system; then
    if ! id sentra >/dev/null 2>&1; then
        useradd --system --user-group --home-dir /var/lib/sentra --no-create-home --shell /usr/sbin/nologin sentra
    fi
    usermod -a -G video,lp,dialout,input sentra
fi

# 3. uv, without pip on the system: a venv of its own holds the uv wheel.
uv="$(command -v uv || true)"
if [ -z "$uv" ]; then
    tools="$root/opt/sentra-tools"
    [ -x "$tools/bin/uv" ] || { python3 -m venv "$tools" && "$tools/bin/python" -m pip install -q uv; }
    uv="$tools/bin/uv"
fi

# 4. Stop what runs the old code before it is replaced (the update path).
units="sentra-kiosk.service sentra-browser.service sentra-serve.service sentra-console.service"
if system; then
    # shellcheck disable=SC2086
    systemctl stop $units 2>/dev/null || true
fi

# 5. The app in /opt/sentra, owned by root: a fresh copy of the sources (no stale files), the virtual
#    environment kept across updates and synced to the lockfile, not editable, compiled.
stage="$app.new"
rm -rf "$stage"
mkdir -p "$stage"
(cd "$src" && tar -cf - --exclude=__pycache__ --exclude='*.pyc' pyproject.toml uv.lock README.md kiosk screens devices deploy) \
    | tar -xf - -C "$stage"
[ -d "$app/.venv" ] && mv "$app/.venv" "$stage/.venv"
rm -rf "$app"
mv "$stage" "$app"
# The system's Python (Debian's, /usr/bin/python3), not one in an administrator's home the service cannot read.
python=/usr/bin/python3
[ -x "$python" ] || python="$(command -v python3)"
(cd "$app" && UV_PROJECT_ENVIRONMENT="$app/.venv" "$uv" sync --quiet --frozen --no-dev --no-editable --compile-bytecode \
    --extra serve --python "$python")
if system; then
    chown -R root:root "$app"
fi
chmod -R go-w,a+rX "$app"

# 6. Config (root:sentra 0640: the service reads it, cannot change it), data, backups.
install -d -m 0750 "$root/etc/sentra"
if [ ! -f "$root/etc/sentra/kiosk.toml" ]; then
    install -m 0640 "$src/deploy/kiosk.example.toml" "$root/etc/sentra/kiosk.toml"
    new_config=yes
else
    new_config=no
fi
if system; then
    chown root:sentra "$root/etc/sentra" "$root/etc/sentra/kiosk.toml"
    chmod 0640 "$root/etc/sentra/kiosk.toml"
    install -d -m 0700 -o sentra -g sentra /var/lib/sentra /var/backups/sentra
else
    install -d -m 0700 "$root/var/lib/sentra" "$root/var/backups/sentra"
fi

# 7. The technicians' wrapper, the units, udev, PAM, and the lockdown drop-ins.
install -d "$root/usr/local/bin" "$root/etc/systemd/system" "$root/etc/udev/rules.d" "$root/etc/pam.d" \
    "$root/etc/systemd/logind.conf.d" "$root/etc/systemd/journald.conf.d" "$root/etc/systemd/system.conf.d" \
    "$root/etc/sysctl.d" "$root/etc/default/grub.d"
install -m 0755 "$src/deploy/bin/sentra" "$root/usr/local/bin/sentra"
for unit in "$src"/deploy/systemd/*; do
    install -m 0644 "$unit" "$root/etc/systemd/system/"
done
install -m 0644 "$src/deploy/udev/60-sentra-printers.rules" "$root/etc/udev/rules.d/"
install -m 0644 "$src/deploy/etc/pam-sentra-cage" "$root/etc/pam.d/sentra-cage"
install -m 0644 "$src/deploy/etc/logind-sentra.conf" "$root/etc/systemd/logind.conf.d/sentra.conf"
install -m 0644 "$src/deploy/etc/journald-sentra.conf" "$root/etc/systemd/journald.conf.d/sentra.conf"
install -m 0644 "$src/deploy/etc/system-sentra.conf" "$root/etc/systemd/system.conf.d/sentra.conf"
install -m 0644 "$src/deploy/etc/sysctl-sentra.conf" "$root/etc/sysctl.d/60-sentra.conf"
install -m 0644 "$src/deploy/etc/grub-sentra.cfg" "$root/etc/default/grub.d/60-sentra.cfg"

if ! system; then
    say "installed under $root (system steps skipped); the station command is $app/.venv/bin/kiosk"
    exit 0
fi

# 8. System steps: reload what changed, lock the box down, keep the clock right.
if udevadm control --reload; then
    udevadm trigger --subsystem-match=usb || true
fi
sysctl -q --system >/dev/null || true
systemctl daemon-reload
systemctl mask ctrl-alt-del.target
for tty in 2 3 4 5 6; do
    systemctl mask "getty@tty$tty.service" >/dev/null
done
systemctl restart systemd-journald
if command -v chronyd >/dev/null 2>&1; then
    systemctl enable --now chrony.service || true
else
    systemctl enable --now systemd-timesyncd.service
    timedatectl set-ntp true || true
fi
if command -v update-grub >/dev/null 2>&1; then
    update-grub >/dev/null 2>&1 || say "update-grub failed: the boot menu is still shown (see /etc/default/grub.d/60-sentra.cfg)"
fi
systemctl enable --now sentra-backup.timer

# 9. Migrate as the service user, then start the mode chosen (and only it).
case "$mode" in
    terminal) wanted="sentra-kiosk.service" ;;
    browser) wanted="sentra-serve.service sentra-browser.service" ;;
    console) wanted="sentra-console.service" ;;
esac
# shellcheck disable=SC2086
systemctl disable $units >/dev/null 2>&1 || true
# shellcheck disable=SC2086
systemctl enable $wanted
if ! runuser -u sentra -- env KIOSK_CONFIG=/etc/sentra/kiosk.toml "$app/.venv/bin/kiosk" config check --quiet; then
    [ "$new_config" = yes ] && say "a new /etc/sentra/kiosk.toml was made from the example."
    say "edit /etc/sentra/kiosk.toml as said above (PINs: sentra pin set NAME --role staff), then run this installer again"
    exit 0
fi
runuser -u sentra -- env KIOSK_CONFIG=/etc/sentra/kiosk.toml "$app/.venv/bin/kiosk" db upgrade
# shellcheck disable=SC2086
systemctl start $wanted
say "the station runs ($wanted); logs: journalctl -t sentra-kiosk; technicians: sentra diag"
