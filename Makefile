# SPDX-License-Identifier: GPL-2.0
# gomalloc - the Go runtime's memory allocator as a Linux kernel allocator.
#
#   make [KDIR=...]   build gomalloc.ko (and the KUnit modules where the kernel
#                     has KUnit) with W=1 against KDIR: the running kernel's
#                     build directory when it exists, else Debian's stock
#                     6.12 headers provisioned under ~/.cache/gomalloc
#   make check        the whole test bench (scripts/check.sh)
#   make soak         gomtorture for an hour in all on every QEMU kernel, one
#                     after the other (scripts/soak.sh); DURATION=SECONDS
#                     changes the total; never part of make check
#   make bench        gomalloc against kmalloc, side by side in one boot
#                     (scripts/bench.sh): UML and Debian's stock kernel
#   make run          boot Debian's stock kernel under QEMU with gomalloc,
#                     run a short workload, print its debugfs statistics;
#                     make run SHELL=1 (or GUEST_SHELL=1) leaves a shell in
#                     the guest instead
#   make install      modules_install into the KDIR kernel's module tree
#   make clean

# `make run SHELL=1` asks for a guest shell; make itself still needs a real shell.
ifeq ($(SHELL),1)
override SHELL := /bin/sh
GUEST_SHELL := 1
endif

RUNNING_KDIR := /lib/modules/$(shell uname -r)/build
KDIR ?= $(shell if [ -d $(RUNNING_KDIR) ]; then echo $(RUNNING_KDIR); \
	else $(CURDIR)/scripts/provision.sh stock-kdir; fi)

all: modules

modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=1 modules

install: modules
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules_install
	depmod -a $(shell $(MAKE) -s -C $(KDIR) kernelrelease 2>/dev/null) || true

sizeclasses:
	python3 tools/mksizeclasses.py -o kmod/sizeclasses.h

check:
	scripts/check.sh

soak:
	scripts/soak.sh $(if $(DURATION),--duration $(DURATION))

bench:
	scripts/bench.sh

run:
	scripts/run.sh $(if $(filter 1,$(GUEST_SHELL)),--shell)

clean:
	find . -path ./.git -prune -o \( -name '*.o' -o -name '*.ko' -o -name '*.mod' \
		-o -name '*.mod.c' -o -name '.*.cmd' -o -name 'modules.order' \
		-o -name 'Module.symvers' -o -name '*.o.d' \) -print0 | xargs -0 rm -f
	rm -rf .build .tmp_versions

.PHONY: all modules install sizeclasses check soak bench run clean
