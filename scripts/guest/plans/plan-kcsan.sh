# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
# plan-kcsan.sh - the KCSAN kernel's test plan (scripts/config/kcsan.config:
# the data race detector, lockdep): load gomalloc, run every KUnit suite
# module, then the torture test torture/gomtorture.ko for TORTURE seconds
# (gomalloc.torture=SECONDS on the command line; default 60) with the full
# plans' parameters (CPU hotplug, shuffling, stutter, fault injection, the
# hostile cases), unload. gomalloc.only=kunit|gomtorture runs one part.
# Any "BUG: KCSAN:" report on the console fails the boot (the host's
# scan_reports.py), as any other kernel report does.
ONLY=$(cmdline_arg only all)
TORTURE=$(cmdline_arg torture 60)

load_gomalloc gomalloc_module
if [ "$ONLY" = all ] || [ "$ONLY" = kunit ]; then
	echo "gomalloc-guest: KUnit suites" >/dev/kmsg
	run_kunit_suites
fi
if [ "$ONLY" = all ] || [ "$ONLY" = gomtorture ]; then
	# shellcheck disable=SC2086 # GOMTORTURE_FULL is a list of parameters
	run_torture gomtorture "$TORTURE" $GOMTORTURE_FULL stat_interval=15
fi
unload_gomalloc gomalloc_unload
exit 0
