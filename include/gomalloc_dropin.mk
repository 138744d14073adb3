# SPDX-License-Identifier: GPL-2.0
# gomalloc_dropin.mk - serve a module's kmalloc family from gomalloc.ko,
# sources untouched. Include it from the module's Kbuild, first:
#   include <gomalloc>/include/gomalloc_dropin.mk
#   obj-m += foo.o
# and build with KBUILD_EXTRA_SYMBOLS=<gomalloc build>/Module.symvers.
# Every object of the directory is compiled as it would be for kmalloc;
# then its references to kmalloc's exported functions (__kmalloc_noprof,
# __kmalloc_cache_noprof, kfree, ...: gomalloc_dropin.syms) are renamed to
# gomalloc's gom_dropin_* functions (kmod/dropin.c) by objcopy, run by the
# compiler wrapper gomalloc-dropin-cc. Nothing is included into the
# source, so whatever its first lines define (pr_fmt, dev_fmt, DEBUG) means
# what it means without gomalloc. See README, "Using gomalloc from your
# module".
GOM_DROPIN_DIR := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
# the list's checksum in the command line rebuilds the objects when it changes
GOM_DROPIN_SYMS := $(GOM_DROPIN_DIR)/gomalloc_dropin.syms
# 6.10 renamed the kmalloc family's functions (_noprof)
GOM_DROPIN_KIND := $(shell [ $$(($(VERSION) * 256 + $(PATCHLEVEL))) -ge 1546 ] \
	&& echo noprof || echo old)
override CC := $(CONFIG_SHELL) $(GOM_DROPIN_DIR)/gomalloc-dropin-cc $(GOM_DROPIN_KIND) \
	$(firstword $(shell cksum $(GOM_DROPIN_SYMS))) $(CC)
