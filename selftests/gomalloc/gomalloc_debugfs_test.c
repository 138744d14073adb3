// SPDX-License-Identifier: GPL-2.0
/*
 * gomalloc_debugfs_test - the loaded gomalloc.ko presents its debugfs tree:
 * /sys/kernel/debug/gomalloc/default, and its statistics files when present.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"

#define GOM_DEBUGFS "/sys/kernel/debug/gomalloc"

static int is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

TEST(root_and_default_heap)
{
	if (!is_dir("/sys/kernel/debug"))
		SKIP(return, "debugfs is not mounted");
	if (!is_dir(GOM_DEBUGFS))
		SKIP(return, "gomalloc.ko is not loaded");
	ASSERT_TRUE(is_dir(GOM_DEBUGFS "/default"));
}

TEST(memstats_names)
{
	char line[256];
	int names = 0;
	FILE *f;

	f = fopen(GOM_DEBUGFS "/default/memstats", "r");
	if (!f)
		SKIP(return, "no memstats file (%s)", strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		char name[64];
		unsigned long long v;
		int fields = sscanf(line, "%63[^:]: %llu", name, &v);

		ASSERT_EQ(2, fields) {
			TH_LOG("malformed memstats line: %s", line);
		}
		names++;
	}
	fclose(f);
	ASSERT_GT(names, 0);
}

TEST_HARNESS_MAIN
