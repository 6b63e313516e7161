#!/bin/bash
# Builds loadd_VERSION_amd64.deb from already-built release binaries (`make deb` builds them first with
# `swift build -c release --static-swift-stdlib`).
#
# usage: scripts/build-deb.sh RELEASE_BIN_DIR [OUT_DIR]
#   RELEASE_BIN_DIR  holds loadd and loadctl built with --static-swift-stdlib
#   OUT_DIR          where the .deb goes (default: the repository root)
# environment: DEB_COMPRESS  xz (default, smallest) or gzip (fast; `make test` uses it)
#
# The version is the VERSION file's, which must equal Sources/Protocol/Version.swift and the top entry
# of packaging/deb/changelog. The binaries are refused when they still load a Swift runtime library
# (a build without --static-swift-stdlib), since the target machines have no Swift. They are stripped;
# man pages are rendered from their --experimental-dump-help (the data behind --help) and from the
# commented systemd/loadd.yaml; completions come from `loadctl --generate-completion-script`.
# Depends: is computed by dpkg-shlibdeps from the libraries the binaries load.
# Prints the package path last. Exit status: 0 built, 1 a check or step failed, 2 bad usage.
set -euo pipefail
umask 022

usage() { echo "usage: $0 RELEASE_BIN_DIR [OUT_DIR]" >&2; exit 2; }
[ $# -ge 1 ] && [ $# -le 2 ] || usage
REPO=$(cd "$(dirname "$0")/.." && pwd)
BIN=$(realpath "$1")
OUT=$(realpath "${2:-$REPO}")
die() { echo "build-deb: $*" >&2; exit 1; }
for b in loadd loadctl; do [ -x "$BIN/$b" ] || { echo "build-deb: $BIN/$b is not an executable file" >&2; exit 2; }; done
for tool in dpkg-deb dpkg-shlibdeps strip objdump gzip python3; do
  command -v "$tool" >/dev/null || die "$tool not found (apt-get install dpkg-dev binutils python3)"
done

# --- One version, three places that must agree. ---------------------------------------------------------
VERSION=$(tr -d ' \n' <"$REPO/VERSION")
[[ $VERSION =~ ^[0-9]+\.[0-9]+\.[0-9]+([~+.-][0-9A-Za-z.~+-]*)?$ ]] || die "VERSION '$VERSION' is not a Debian upstream version"
swift_version=$(sed -n 's/.*static let current = "\(.*\)".*/\1/p' "$REPO/Sources/Protocol/Version.swift")
[ "$swift_version" = "$VERSION" ] || die "Sources/Protocol/Version.swift says '$swift_version', VERSION says '$VERSION'"
changelog_version=$(sed -n '1s/^loadd (\([^)]*\)).*/\1/p' "$REPO/packaging/deb/changelog")
[ "$changelog_version" = "$VERSION" ] || die "packaging/deb/changelog's top entry is '$changelog_version', VERSION is '$VERSION': add an entry"
for b in loadd loadctl; do
  got=$("$BIN/$b" --version) || die "$b --version failed"
  [ "$got" = "$VERSION" ] || die "$BIN/$b --version says '$got', VERSION is '$VERSION' (rebuild)"
done

# --- No Swift runtime outside the binaries. --------------------------------------------------------------
for b in loadd loadctl; do
  swift_libs=$(objdump -p "$BIN/$b" | awk '/NEEDED|RUNPATH|RPATH/ && /swift|Foundation|dispatch|BlocksRuntime/')
  [ -z "$swift_libs" ] || die "$b needs Swift libraries at run time (built without --static-swift-stdlib?):
$swift_libs"
  toolchain=$(ldd "$BIN/$b" | grep -E '/opt/swift|/usr/share/swift|libswift' || true)
  [ -z "$toolchain" ] || die "$b loads from the Swift toolchain:
$toolchain"
done

# --- The tree. ------------------------------------------------------------------------------------------
STAGE=$(mktemp -d "${TMPDIR:-/tmp}/loadd-deb.XXXXXX")
trap 'rm -rf "$STAGE"' EXIT
ROOT=$STAGE/root
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git -C "$REPO" log -1 --format=%ct 2>/dev/null || date +%s)}
DATE=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%d)

# Stripped as dh_strip does; Swift's reflection metadata is in allocated sections, which strip keeps.
for b in loadd loadctl; do
  install -D -m 0755 "$BIN/$b" "$ROOT/usr/bin/$b"
  strip --remove-section=.comment --remove-section=.note --strip-unneeded "$ROOT/usr/bin/$b"
  "$ROOT/usr/bin/$b" --version >/dev/null || die "the stripped $b does not run"
done

# Debian 12 ships units in /lib/systemd/system (the /usr move came with Debian 13).
install -d "$ROOT/lib/systemd/system"
sed 's|^ExecStart=/usr/local/bin/loadd |ExecStart=/usr/bin/loadd |' "$REPO/systemd/loadd.service" >"$ROOT/lib/systemd/system/loadd.service"
grep -q '^ExecStart=/usr/bin/loadd ' "$ROOT/lib/systemd/system/loadd.service" || die "loadd.service: ExecStart= not rewritten to /usr/bin/loadd"
install -m 0644 "$REPO/systemd/loadd.socket" "$ROOT/lib/systemd/system/loadd.socket"
install -D -m 0644 "$REPO/systemd/loadd.sysusers" "$ROOT/usr/lib/sysusers.d/loadd.conf"
install -D -m 0644 "$REPO/systemd/loadd.tmpfiles" "$ROOT/usr/lib/tmpfiles.d/loadd.conf"
install -D -m 0644 "$REPO/systemd/loadd.yaml" "$ROOT/etc/loadd/loadd.yaml"

MAN=$ROOT/usr/share/man
install -d "$MAN/man1" "$MAN/man5" "$MAN/man8"
python3 "$REPO/scripts/man-page.py" command "$BIN/loadd" 8 "$DATE" "$VERSION" >"$MAN/man8/loadd.8"
python3 "$REPO/scripts/man-page.py" command "$BIN/loadctl" 1 "$DATE" "$VERSION" >"$MAN/man1/loadctl.1"
python3 "$REPO/scripts/man-page.py" config "$REPO/systemd/loadd.yaml" "$DATE" "$VERSION" >"$MAN/man5/loadd.yaml.5"
if command -v man >/dev/null; then
  for page in "$MAN"/man*/*.[158]; do
    warnings=$(LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 man --warnings -E UTF-8 -l "$page" 2>&1 >/dev/null || true)
    [ -z "$warnings" ] || die "man -l $page warns:
$warnings"
  done
fi
gzip -9n "$MAN"/man*/*.[158]

# bash-completion sources the file: no #! line (lintian: bash-completion-with-hashbang).
install -D -m 0644 /dev/null "$ROOT/usr/share/bash-completion/completions/loadctl"
"$BIN/loadctl" --generate-completion-script bash | sed '1{/^#!/d}' >"$ROOT/usr/share/bash-completion/completions/loadctl"
install -D -m 0644 /dev/null "$ROOT/usr/share/zsh/vendor-completions/_loadctl"
"$BIN/loadctl" --generate-completion-script zsh >"$ROOT/usr/share/zsh/vendor-completions/_loadctl"
install -D -m 0644 /dev/null "$ROOT/usr/share/fish/vendor_completions.d/loadctl.fish"
"$BIN/loadctl" --generate-completion-script fish >"$ROOT/usr/share/fish/vendor_completions.d/loadctl.fish"

DOC=$ROOT/usr/share/doc/loadd
install -D -m 0644 "$REPO/packaging/deb/copyright" "$DOC/copyright"
# A native package (the version has no Debian revision): its changelog is changelog.gz.
gzip -9n <"$REPO/packaging/deb/changelog" >"$DOC/changelog.gz"
chmod 0644 "$DOC/changelog.gz"
# Tags that stay, each with its reason (README: "Install from the package").
install -D -m 0644 "$REPO/packaging/deb/lintian-overrides" "$ROOT/usr/share/lintian/overrides/loadd"

# --- Control files. -----------------------------------------------------------------------------------
# dpkg-shlibdeps wants a source package layout; a throwaway debian/control is all it reads.
mkdir -p "$STAGE/src/debian"
printf 'Source: loadd\n\nPackage: loadd\nArchitecture: amd64\n' >"$STAGE/src/debian/control"
shlibs=$(cd "$STAGE/src" && dpkg-shlibdeps -O -e"$ROOT/usr/bin/loadd" -e"$ROOT/usr/bin/loadctl" 2>"$STAGE/shlibdeps.err") \
  || die "dpkg-shlibdeps failed: $(cat "$STAGE/shlibdeps.err")"
DEPENDS=${shlibs#shlibs:Depends=}
[ -n "$DEPENDS" ] && [ "$DEPENDS" != "$shlibs" ] || die "dpkg-shlibdeps gave no dependencies: '$shlibs'"
# Installed-Size in KiB, counted as dpkg does (each file rounded up).
SIZE=$(find "$ROOT" -type f -printf '%s\n' | awk '{ kib += int(($1 + 1023) / 1024) } END { print kib }')

install -d -m 0755 "$ROOT/DEBIAN"
sed -e "s|@VERSION@|$VERSION|" -e "s|@DEPENDS@|$DEPENDS|" -e "s|@INSTALLED_SIZE@|$SIZE|" \
  "$REPO/packaging/deb/control.in" >"$ROOT/DEBIAN/control"
install -m 0644 "$REPO/packaging/deb/conffiles" "$ROOT/DEBIAN/conffiles"
for script in postinst prerm postrm; do install -m 0755 "$REPO/packaging/deb/$script" "$ROOT/DEBIAN/$script"; done
(cd "$ROOT" && find . -path ./DEBIAN -prune -o -path ./etc -prune -o -type f -printf '%P\0' | LC_ALL=C sort -z \
  | xargs -0 md5sum) >"$ROOT/DEBIAN/md5sums"
chmod 0644 "$ROOT/DEBIAN/md5sums"
find "$ROOT" -type d -exec chmod 0755 {} +
find "$ROOT" -exec touch --no-dereference -d "@$SOURCE_DATE_EPOCH" {} +

DEB=$OUT/loadd_${VERSION}_amd64.deb
# xz by default (a third smaller to copy to every VM); DEB_COMPRESS=gzip packs in a few seconds (make test).
dpkg-deb --root-owner-group "-Z${DEB_COMPRESS:-xz}" --build "$ROOT" "$DEB" >/dev/null
echo "Depends: $DEPENDS"
for b in loadd loadctl; do
  printf '%s: %s bytes unstripped, %s bytes stripped\n' "$b" "$(stat -c %s "$BIN/$b")" "$(stat -c %s "$ROOT/usr/bin/$b")"
done
echo "$DEB ($(stat -c %s "$DEB") bytes)"
