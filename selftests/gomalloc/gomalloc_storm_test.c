// SPDX-License-Identifier: GPL-2.0
/*
 * gomalloc_storm_test - every CPU allocates and frees a mix of tiny, small
 * and large objects with random lifetimes, in process, softirq and hardirq
 * context, a share of the frees on another CPU than the allocation, the
 * patterns checked on every free (by the driver, testmod/gomalloc_drv.c).
 * After quiescing: no damage, Go's statistics invariants hold, Mallocs -
 * Frees equals the objects still held; freed and scavenged, the heap keeps
 * no page in use.
 *
 *   gomalloc_storm_test [SECONDS]    (default 60, or $GOMALLOC_STORM_SECONDS)
 */
#include "gomalloc_lib.h"

int main(int argc, char **argv)
{
	struct gom_storm s = {
		.seconds = gom_seconds(argc, argv, "GOMALLOC_STORM_SECONDS", 60),
		.max_held = 256,
		.cross_pct = 30,
		.atomic_pct = 30,
		.max_large = GOM_MAX_ALLOC,
		.keep = true,
	};
	unsigned long long lost = 0, live = 0;
	int cpus[GOM_MAX_CPUS], ncpus, ret;
	char name[32];

	ksft_print_header();
	s.fd = gom_drv_open_or_skip();
	ksft_set_plan(5);
	ncpus = gom_online_cpus(cpus);
	snprintf(name, sizeof(name), "storm-%d", getpid());
	ret = gom_drv_heap_create(s.fd, name, 0, &s.heap);
	if (ret)
		ksft_exit_fail_msg("heap %s: %s\n", name, strerror(-ret));
	s.heap_name = name;

	ret = gom_storm_run(&s);
	if (ret)
		ksft_exit_fail_msg("storm: %s\n", strerror(-ret));
	gom_storm_verify(&s, ncpus > 1, &lost);

	ret = gom_drv_heap_destroy(s.fd, s.heap, &live);
	ksft_test_result(!ret && !live, "heap destroyed with no object left\n");
	gom_figure("operations", s.allocs + s.frees);
	gom_figure("objects_lost", lost + live);
	gom_figure("objects_damaged", s.damaged);
	close(s.fd);
	ksft_finished();
}
