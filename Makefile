# Mooring — build, test, benchmark and demo entry points. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := build

# Temurin JDK 25 under /usr/lib/jvm, or any JDK 25+ given as JAVA_HOME.
JAVA_HOME := $(shell bin/find-jdk)
export JAVA_HOME
export PATH := $(JAVA_HOME)/bin:$(PATH)
MVN := mvn -B -ntp -q

# The demo image (examples/edge) and where image builds go.
IMAGE_SPEC := examples/edge/image.yaml
OUT := out

.PHONY: help build test test-unit test-qemu bench demo demo-netns deps jdk clean runtime-tar runtime-reproducible image

help:
	@echo "make build      compile and package; ./bin/mooring then runs from the checkout"
	@echo "make test       every test: unit, netns (root), qemu (root) — what CI runs"
	@echo "make test-unit  unit tests only (no root needed)"
	@echo "make bench      benchmarks; one JSON file per figure under bench/results/"
	@echo "make demo       the main job: build the demo image, boot three copies in the QEMU lab, run the network-restart drill"
	@echo "make demo-netns the overlay alone: three hosts in network namespaces, one DHCP-style move (about 20 s)"
	@echo "make image      the demo image from $(IMAGE_SPEC) into $(OUT)/ (raw, qcow2, ISO; root)"
	@echo "make deps       install the Debian packages the tests need (as root)"
	@echo "make runtime-tar  the device runtime tar + AOT cache (runtime/target/)"
	@echo "make runtime-reproducible  build the runtime tar twice and compare sha256"

# The device runtime (jlink, tar, AOT training) is only built where it is used: test, bench, runtime-tar.
build: jdk
	$(MVN) install -DskipTests -Druntime.assembly.skip=true

# CI runs this (see .ci/run). Root-only tests skip with a reason when not root.
# The QEMU tests boot images built from the packaged runtime, which Maven makes last (runtime/):
# so first everything else, then the demo image, then the qemu-tagged tests on it.
test: jdk deps
	$(MVN) install -Dtest.excludedGroups=qemu
	$(MAKE) --no-print-directory image test-qemu

test-qemu: jdk
	$(MVN) -pl image,qemu-tests verify -Dtest.groups=qemu -Dmooring.lab.image=$(CURDIR)/$(OUT)/edge.qcow2

test-unit: jdk
	$(MVN) install -Dtest.excludedGroups=netns,qemu -DskipITs -Druntime.assembly.skip=true

runtime-tar: jdk
	$(MVN) -pl runtime package -DskipTests

runtime-reproducible: runtime-tar
	@first=$$(sha256sum runtime/target/mooring-runtime-*.tar | cut -d' ' -f1); \
	$(MVN) -pl runtime clean package -DskipTests; \
	again=$$(sha256sum runtime/target/mooring-runtime-*.tar | cut -d' ' -f1); \
	echo "runtime tar: $$first / $$again"; [ "$$first" = "$$again" ]

bench: build runtime-tar
	bench/run

# The image embeds the runtime tar that `make runtime-tar` (or `make test`) left in runtime/target.
image: jdk deps
	@ls runtime/target/mooring-runtime-*.tar >/dev/null 2>&1 || $(MAKE) --no-print-directory build runtime-tar
	./bin/mooring image build $(IMAGE_SPEC) -o $(OUT)/

demo: jdk deps
	$(MAKE) --no-print-directory build runtime-tar image
	demo/lab

demo-netns: build deps
	demo/run

deps:
	@bin/ensure-packages

# bin/find-jdk has printed why when it found none; stop here instead of failing inside Maven.
jdk:
	@test -n "$(JAVA_HOME)" || { echo "make: no JDK 25 (see above); install Temurin 25 or set JAVA_HOME" >&2; exit 1; }

clean:
	$(MVN) clean
