// SPDX-License-Identifier: GPL-2.0
/*
 * gomalloc_kmemleak_test - gomalloc registers its objects with kmemleak:
 * the test driver leaks one object on purpose (GOMD_IOC_LEAK keeps its
 * address only in a hidden form) and a kmemleak scan must report it as an
 * unreferenced object allocated by the driver; objects the driver holds
 * normally must not be reported. The leaked object is then freed
 * (GOMD_IOC_UNLEAK), which removes it from kmemleak's list, so the bench's
 * final kmemleak check does not see it.
 */
#include "gomalloc_lib.h"

#define KMEMLEAK "/sys/kernel/debug/kmemleak"
#define LEAK_SIZE 1000

/*
 * Count the reports in the kmemleak file whose backtrace names @fn;
 * print them.
 */
static int reports_naming(const char *fn)
{
	char line[512], block[4096];
	int n = 0;
	size_t len = 0;
	bool hit = false;
	FILE *f;

	f = fopen(KMEMLEAK, "r");
	if (!f)
		return -1;
	block[0] = 0;
	for (;;) {
		bool eof = !fgets(line, sizeof(line), f);

		if (eof || !strncmp(line, "unreferenced object", 19)) {
			if (hit) {
				n++;
				gom_info("kmemleak: %s", block);
			}
			if (eof)
				break;
			len = 0;
			block[0] = 0;
			hit = false;
		}
		if (strstr(line, fn))
			hit = true;
		if (len + strlen(line) < sizeof(block) - 1)
			len += snprintf(block + len, sizeof(block) - len, "%s",
					line);
	}
	fclose(f);
	return n;
}

/* the module's symbol table references kmemleak_alloc when it registers */
static bool module_uses_kmemleak(void)
{
	const char *dir = getenv("GOMALLOC_MODDIR");
	char path[300], *buf;
	bool found = false;
	size_t n, i;
	FILE *f;

	snprintf(path, sizeof(path), "%s/gomalloc.ko",
		 dir ? dir : GOM_MODDIR_DEFAULT);
	f = fopen(path, "r");
	if (!f)
		return true;	/* cannot tell: test it */
	buf = malloc(8 << 20);
	n = buf ? fread(buf, 1, 8 << 20, f) : 0;
	fclose(f);
	for (i = 0; i + 14 < n && !found; i++)
		found = !memcmp(buf + i, "kmemleak_alloc", 14);
	free(buf);
	return found;
}

int main(void)
{
	u64 size = LEAK_SIZE, held_size = LEAK_SIZE;
	unsigned long long done = 0, u = 0, d = 0;
	u32 held_id = 0;
	struct gomd_batch b;
	int fd, leaks, held, freed;

	ksft_print_header();
	fd = gom_drv_open_or_skip();
	if (!gom_exists(KMEMLEAK))
		ksft_exit_skip("no %s (CONFIG_DEBUG_KMEMLEAK)\n", KMEMLEAK);
	if (!module_uses_kmemleak())
		ksft_exit_skip("gomalloc.ko does not call kmemleak_alloc yet\n");
	ksft_set_plan(3);

	if (gom_drv_alloc(fd, &b, GOMD_HEAP_DEFAULT, GOMD_CPU_ANY,
			  GOMD_CTX_PROCESS, 0, &held_size, &held_id, 1) ||
	    b.done != 1)
		ksft_exit_fail_msg("allocation through the driver failed\n");
	if (ioctl(fd, GOMD_IOC_LEAK, &size))
		ksft_exit_fail_msg("GOMD_IOC_LEAK: %s\n", strerror(errno));
	gom_msleep(6000);	/* kmemleak reports objects older than 5 s */
	gom_write_file(KMEMLEAK, "scan\n");
	gom_msleep(1000);
	gom_write_file(KMEMLEAK, "scan\n");
	leaks = reports_naming("gomd_leak_alloc");
	held = reports_naming("gomd_job_alloc");
	ksft_test_result(leaks == 1,
			 "kmemleak reports the object leaked on purpose (%d reports)\n",
			 leaks);
	ksft_test_result(held == 0,
			 "kmemleak does not report an object the driver holds (%d reports)\n",
			 held);
	freed = ioctl(fd, GOMD_IOC_UNLEAK);
	gom_write_file(KMEMLEAK, "scan\n");
	ksft_test_result(freed == 1 && reports_naming("gomd_leak_alloc") == 0 &&
			 !gom_drv_free_all(fd, &held_id, 1, false, &done, &u, &d) &&
			 done == 1 && !d,
			 "freed, the leaked object leaves kmemleak's list\n");
	close(fd);
	ksft_finished();
}
