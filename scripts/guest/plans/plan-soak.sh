# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
# plan-soak.sh - `make soak` (scripts/soak.sh), on every QEMU kernel: load
# gomalloc, run the torture test torture/gomtorture.ko for TORTURE seconds
# (gomalloc.torture=SECONDS on the command line; default 600) with the full
# plans' parameters (CPU hotplug, shuffling, stutter, fault injection where
# the kernel has it, the hostile cases), a statistics line a minute, unload.
TORTURE=$(cmdline_arg torture 600)

load_gomalloc gomalloc_soak_load
# shellcheck disable=SC2086 # GOMTORTURE_FULL is a list of parameters
run_torture gomtorture "$TORTURE" $GOMTORTURE_FULL stat_interval=60
unload_gomalloc gomalloc_soak_unload
exit 0
