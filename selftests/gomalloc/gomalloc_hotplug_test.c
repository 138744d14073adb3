// SPDX-License-Identifier: GPL-2.0
/*
 * gomalloc_hotplug_test - CPUs go offline and online, one after another,
 * through /sys/devices/system/cpu/cpuN/online while the storm of
 * gomalloc_storm_test runs. Each time a CPU is offline its mcache must be
 * drained: its line in every heap's debugfs `mcache` file shows 0 cached
 * objects, no current span, no tiny block. Then the storm's own checks:
 * nothing damaged, lost or leaked.
 *
 *   gomalloc_hotplug_test [SECONDS]  (default 30, or $GOMALLOC_HOTPLUG_SECONDS)
 */
#include "gomalloc_lib.h"

static void *storm_main(void *arg)
{
	gom_storm_run(arg);
	return NULL;
}

static int cpu_set_online(int cpu, bool on)
{
	char path[128];
	int ret, tries;

	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/online", cpu);
	for (tries = 0; tries < 10; tries++) {
		ret = gom_write_file(path, on ? "1\n" : "0\n");
		if (ret != -EBUSY && ret != -EAGAIN)
			break;
		gom_msleep(100);
	}
	return ret;
}

/* drained: the offline CPU's line in @heap's mcache file is all zero */
static bool cpu_drained(const char *heap, int cpu)
{
	long objects = -1, spans = -1;
	int online = -1, tiny = -1;

	if (gom_mcache_cpu(heap, cpu, &online, &objects, &spans, &tiny)) {
		gom_info("no line for cpu %d in %s/mcache\n", cpu, heap);
		return false;
	}
	if (!online && !objects && !spans && !tiny)
		return true;
	gom_info("cpu %d offline but heap %s's mcache shows online %d objects %ld spans %ld tiny_block %d\n",
		 cpu, heap, online, objects, spans, tiny);
	return false;
}

int main(int argc, char **argv)
{
	struct gom_storm s = {
		.seconds = gom_seconds(argc, argv, "GOMALLOC_HOTPLUG_SECONDS", 30),
		.max_held = 256,
		.cross_pct = 30,
		.atomic_pct = 30,
		.max_large = 1 << 20,
		.keep = true,
	};
	unsigned long long lost = 0, live = 0, cycles = 0, undrained = 0;
	unsigned long long switch_errors = 0;
	int plug[GOM_MAX_CPUS], nplug = 0, cpu, ret, i, k = 0;
	char name[32], path[128];
	pthread_t storm;
	double end;

	ksft_print_header();
	s.fd = gom_drv_open_or_skip();
	for (cpu = 1; cpu < GOM_MAX_CPUS; cpu++) {
		snprintf(path, sizeof(path),
			 "/sys/devices/system/cpu/cpu%d/online", cpu);
		if (gom_exists(path))
			plug[nplug++] = cpu;
	}
	if (!nplug)
		ksft_exit_skip("no CPU can go offline (no cpuN/online files)\n");
	ksft_set_plan(7);
	snprintf(name, sizeof(name), "hotplug-%d", getpid());
	ret = gom_drv_heap_create(s.fd, name, 0, &s.heap);
	if (ret)
		ksft_exit_fail_msg("heap %s: %s\n", name, strerror(-ret));
	s.heap_name = name;

	if (pthread_create(&storm, NULL, storm_main, &s))
		ksft_exit_fail_msg("pthread_create: %s\n", strerror(errno));
	end = gom_now() + s.seconds;
	while (gom_now() < end - 1) {
		cpu = plug[k++ % nplug];
		ret = cpu_set_online(cpu, false);
		if (ret) {
			gom_info("cpu %d offline: %s\n", cpu, strerror(-ret));
			switch_errors++;
			continue;
		}
		gom_msleep(200);	/* the storm goes on without it */
		undrained += !cpu_drained(name, cpu);
		undrained += !cpu_drained("default", cpu);
		ret = cpu_set_online(cpu, true);
		if (ret) {
			gom_info("cpu %d online: %s\n", cpu, strerror(-ret));
			switch_errors++;
			break;
		}
		cycles++;
		gom_msleep(200);
	}
	__atomic_store_n(&s.stop, 1, __ATOMIC_RELAXED);
	pthread_join(storm, NULL);
	for (i = 0; i < nplug; i++)	/* whatever happened, all back */
		cpu_set_online(plug[i], true);

	gom_info("%llu offline/online cycles over %d hotpluggable CPUs, %llu errors\n",
		 cycles, nplug, switch_errors);
	ksft_test_result(cycles > 0 && !switch_errors,
			 "CPUs went offline and online %llu times during the storm\n",
			 cycles);
	ksft_test_result(cycles > 0 && !undrained,
			 "every offline CPU's mcache was drained (0 cached objects)\n");
	gom_storm_verify(&s, true, &lost);

	ret = gom_drv_heap_destroy(s.fd, s.heap, &live);
	ksft_test_result(!ret && !live, "heap destroyed with no object left\n");
	gom_figure("operations", s.allocs + s.frees);
	gom_figure("cpu_cycles", cycles);
	gom_figure("objects_lost", lost + live);
	gom_figure("objects_damaged", s.damaged);
	close(s.fd);
	ksft_finished();
}
