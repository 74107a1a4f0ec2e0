# Mooring — build, test, benchmark and demo entry points. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := build

# Temurin JDK 25 under /usr/lib/jvm, or any JDK 25+ given as JAVA_HOME.
JAVA_HOME := $(shell bin/find-jdk)
export JAVA_HOME
export PATH := $(JAVA_HOME)/bin:$(PATH)
MVN := mvn -B -ntp -q

.PHONY: help build test test-unit bench demo deps jdk clean runtime-tar runtime-reproducible

help:
	@echo "make build      compile and package; ./bin/mooring then runs from the checkout"
	@echo "make test       every test: unit, netns (root), qemu (root) — what CI runs"
	@echo "make test-unit  unit tests only (no root needed)"
	@echo "make bench      benchmarks; one JSON file per figure under bench/results/"
	@echo "make demo       the main job (see README)"
	@echo "make deps       install the Debian packages the tests need (as root)"
	@echo "make runtime-tar  the device runtime tar + AOT cache (runtime/target/)"
	@echo "make runtime-reproducible  build the runtime tar twice and compare sha256"

# The device runtime (jlink, tar, AOT training) is only built where it is used: test, bench, runtime-tar.
build: jdk
	$(MVN) install -DskipTests -Druntime.assembly.skip=true

# CI runs this (see .ci/run). Root-only tests skip with a reason when not root.
test: jdk deps
	$(MVN) install

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

demo: build deps
	demo/run

deps:
	@bin/ensure-packages

# bin/find-jdk has printed why when it found none; stop here instead of failing inside Maven.
jdk:
	@test -n "$(JAVA_HOME)" || { echo "make: no JDK 25 (see above); install Temurin 25 or set JAVA_HOME" >&2; exit 1; }

clean:
	$(MVN) clean
