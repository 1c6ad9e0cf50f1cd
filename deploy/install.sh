#!/usr/bin/env bash
# Install a station on Debian 12: system packages, the project in /opt/sentra, config and unit.
# Usage (as root, from a checkout): deploy/install.sh
set -euo pipefail
src="$(cd "$(dirname "$0")/.." && pwd)"
apt-get update -qq
apt-get install -y -qq python3 python3-venv libzbar0
id sentra >/dev/null 2>&1 || useradd --system --create-home --groups video,lp,dialout sentra
command -v uv >/dev/null || python3 -m pip install --break-system-packages uv
install -d -o sentra /opt/sentra /var/lib/sentra /etc/sentra
cp -r "$src"/. /opt/sentra/
chown -R sentra /opt/sentra
(cd /opt/sentra && sudo -u sentra uv sync --frozen --no-dev)
[ -f /etc/sentra/kiosk.toml ] || install -m 0640 -g sentra "$src/deploy/kiosk.example.toml" /etc/sentra/kiosk.toml
sudo -u sentra env KIOSK_CONFIG=/etc/sentra/kiosk.toml /opt/sentra/.venv/bin/kiosk config check >/dev/null
sudo -u sentra env KIOSK_CONFIG=/etc/sentra/kiosk.toml /opt/sentra/.venv/bin/kiosk db upgrade
install -m 0644 "$src/deploy/sentra-kiosk.service" /etc/systemd/system/sentra-kiosk.service
systemctl daemon-reload
systemctl enable --now sentra-kiosk.service
echo "Installed. Edit /etc/sentra/kiosk.toml (PINs: kiosk pin hash), then: systemctl restart sentra-kiosk"
