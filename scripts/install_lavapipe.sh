#!/usr/bin/env bash
# Installs Mesa's lavapipe (software Vulkan) from Debian bookworm-backports, so that the webgpu backend's tests run
# on a machine without a GPU. Backports because bookworm's own Mesa 22.3 is refused by Dawn ("Vulkan
# shaderUniform*ArrayDynamicIndexing required"); bookworm-backports has Mesa 25. Safe to run again: it does nothing
# where mesa-vulkan-drivers 23 or newer is installed. Debian bookworm only (elsewhere it says what to install), as root.
set -euo pipefail
have=$(dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null || true)
if [ -n "$have" ] && dpkg --compare-versions "$have" ge 23; then
  echo "[lavapipe] mesa-vulkan-drivers $have: installed"
  exit 0
fi
. /etc/os-release
if [ "${VERSION_CODENAME:-}" != bookworm ]; then
  echo "[lavapipe] not Debian bookworm (${PRETTY_NAME:-unknown}): install your system's Vulkan driver" \
    "(mesa-vulkan-drivers 23 or newer for software rendering) yourself" >&2
  exit 1
fi
# The same Debian mirror that apt already uses (deb822 .sources or a one-line sources.list).
mirror=$(grep -rhoE '^URIs:\s*\S+/debian/?$' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1 | awk '{print $2}' || true)
[ -n "$mirror" ] || mirror=$(grep -rhoE '^deb\s+(\[[^]]*\]\s+)?\S+/debian/?\s+bookworm\b' /etc/apt/sources.list \
  /etc/apt/sources.list.d/*.list 2>/dev/null | head -1 | awk '{print $NF=="bookworm" ? $(NF-1) : $2}' || true)
[ -n "$mirror" ] || mirror=http://deb.debian.org/debian
list=/etc/apt/sources.list.d/bookworm-backports.sources
if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  printf 'Types: deb\nURIs: %s\nSuites: bookworm-backports\nComponents: main\nSigned-By: %s\n' \
    "$mirror" /usr/share/keyrings/debian-archive-keyring.gpg >"$list"
  echo "[lavapipe] added $list ($mirror)"
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends -t bookworm-backports mesa-vulkan-drivers
echo "[lavapipe] mesa-vulkan-drivers $(dpkg-query -W -f='${Version}' mesa-vulkan-drivers): installed"
