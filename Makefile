# loadd — build, try, test, install. Every target installs the Debian packages it needs first.
PREFIX     ?= /usr/local
DESTDIR    ?=
SWIFT      ?= swift
SUDO       := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
BUILD_DEPS := libcurl4-openssl-dev libsystemd-dev
DEB_DEPS   := $(BUILD_DEPS) dpkg-dev binutils python3 man-db
TEST_DEPS  := $(DEB_DEPS) systemd systemd-container debootstrap iproute2 curl openssl tcpdump python3 python3-yaml prometheus chromium chromium-driver python3-selenium
RELEASE    := $(SWIFT) build -c release --static-swift-stdlib
BIN        := $(shell $(SWIFT) build -c release --show-bin-path 2>/dev/null)
VERSION    := $(shell cat VERSION)
DEB        := loadd_$(VERSION)_amd64.deb

.PHONY: all deps test-deps deb-deps build demo test bench deb lintian fmt fmt-check install install-files uninstall clean

all: build

# Installs only what dpkg says is missing, so repeated runs are quick and need no network.
deps:
	@missing=$$(for p in $(BUILD_DEPS); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then echo "installing $$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; fi

test-deps:
	@missing=$$(for p in $(TEST_DEPS); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then echo "installing $$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; fi

deb-deps:
	@missing=$$(for p in $(DEB_DEPS); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then echo "installing $$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; fi

build: deps
	$(RELEASE)

# A real ~15 s test of the seed scenario against the built-in target on 127.0.0.1.
demo: deps
	$(RELEASE) --product loadctl
	"$(BIN)/loadctl" demo

# The whole suite: unit tests, engine against the real target, the real daemon and CLI over a
# real socket, systemd pieces, and the nspawn end-to-end boot. Serial: the suites load the CPU.
# Packaging the release build takes seconds, so the suite also installs the .deb in a container.
# The format check runs first: it takes seconds and a finding fails the suite, as in review.
test: test-deps fmt-check
	$(SWIFT) build --build-tests
	$(SWIFT) build -c release --static-swift-stdlib
	DEB_COMPRESS=gzip scripts/build-deb.sh "$(BIN)"
	LOADD_RELEASE_BIN="$(BIN)" LOADD_DEB="$(CURDIR)/$(DEB)" $(SWIFT) test --skip-build --no-parallel

bench: build
	bench/run.sh

# swift-format (part of the toolchain) with the repository's .swift-format: `fmt` rewrites the files,
# `fmt-check` changes nothing and fails on any finding (what CI would run).
FMT_PATHS := Sources Tests bench/FleetBench

fmt:
	$(SWIFT) format --in-place --recursive --parallel $(FMT_PATHS)

fmt-check:
	$(SWIFT) format lint --strict --recursive --parallel $(FMT_PATHS)

# The federation frame fuzzers with a large count (the normal suite runs 2,000 inputs each).
.PHONY: fuzz
fuzz: deps
	$(SWIFT) build --build-tests
	LOADD_FUZZ_ITERATIONS=$${LOADD_FUZZ_ITERATIONS:-200000} $(SWIFT) test --skip-build --filter FrameFuzzTests

# loadd_VERSION_amd64.deb: static-stdlib, stripped binaries, units, user, man pages, completions.
# Install on each VM with `sudo apt install ./loadd_VERSION_amd64.deb` (pulls libcurl4 & co.).
deb: deb-deps
	$(RELEASE)
	scripts/build-deb.sh "$(BIN)"

# Optional: Debian's package checker (apt-get install lintian); the README lists the tags it leaves.
lintian:
	lintian --info "$(DEB)"

install: build install-files

# Installs already-built binaries from $(BIN) (e.g. `make install-files BIN=dir DESTDIR=root`).
install-files:
	install -D -m 0755 "$(BIN)/loadd" "$(DESTDIR)$(PREFIX)/bin/loadd"
	install -D -m 0755 "$(BIN)/loadctl" "$(DESTDIR)$(PREFIX)/bin/loadctl"
	install -D -m 0644 systemd/loadd.service "$(DESTDIR)/etc/systemd/system/loadd.service"
	install -D -m 0644 systemd/loadd.socket "$(DESTDIR)/etc/systemd/system/loadd.socket"
	install -D -m 0644 systemd/loadd.sysusers "$(DESTDIR)/usr/lib/sysusers.d/loadd.conf"
	install -D -m 0644 systemd/loadd.tmpfiles "$(DESTDIR)/usr/lib/tmpfiles.d/loadd.conf"
	@if [ -e "$(DESTDIR)/etc/loadd/loadd.yaml" ]; then echo "keeping existing /etc/loadd/loadd.yaml"; \
	  else install -D -m 0644 systemd/loadd.yaml "$(DESTDIR)/etc/loadd/loadd.yaml"; fi
	@if [ -z "$(DESTDIR)" ]; then \
	  command -v systemd-sysusers >/dev/null && systemd-sysusers loadd.conf || true; \
	  command -v systemd-tmpfiles >/dev/null && systemd-tmpfiles --create loadd.conf || true; \
	  [ -d /run/systemd/system ] && systemctl daemon-reload || true; \
	  echo "installed; start it with: systemctl enable --now loadd"; fi

uninstall:
	rm -f "$(DESTDIR)$(PREFIX)/bin/loadd" "$(DESTDIR)$(PREFIX)/bin/loadctl" \
	  "$(DESTDIR)/etc/systemd/system/loadd.service" "$(DESTDIR)/etc/systemd/system/loadd.socket" \
	  "$(DESTDIR)/usr/lib/sysusers.d/loadd.conf" "$(DESTDIR)/usr/lib/tmpfiles.d/loadd.conf"

clean:
	rm -rf .build loadd_*_amd64.deb
