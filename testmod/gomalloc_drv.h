/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * gomalloc_drv.h - the ioctl interface of the test-only driver
 * testmod/gomalloc_drv.c, shared with the kselftests in selftests/gomalloc/.
 *
 * The driver is a misc character device, /dev/gomalloc_drv. Userspace never
 * sees a kernel pointer: objects and heaps are named by ids that the driver
 * hands out (objects from 1, heaps from 1; heap 0 is gomalloc's default
 * heap). Every request is checked: unknown flags, nonzero reserved fields,
 * a count of 0 or above GOMD_MAX_BATCH, a CPU that does not exist, an
 * unknown context or bad-input kind, a size of 0 or above GOM_MAX_ALLOC_SIZE
 * in an ALLOC batch give -EINVAL; an offline CPU gives -ENODEV; an unknown
 * heap id -ENOENT; an unknown ioctl -ENOTTY. Unknown object ids in a FREE
 * or CHECK batch are not an error of the call: they are counted in
 * gomd_batch.failed.
 */
#ifndef _GOMALLOC_DRV_H
#define _GOMALLOC_DRV_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define GOMD_DEVICE		"/dev/gomalloc_drv"
#define GOMD_MAX_BATCH		256
#define GOMD_CPU_ANY		0xffffffffU	/* run where the caller runs */
#define GOMD_HEAP_DEFAULT	0
#define GOMD_NAME_MAX		32

/* where a batch runs (gomd_batch.ctx, and .ran_ctx as observed) */
enum gomd_ctx {
	GOMD_CTX_PROCESS,	/* the caller, or a kworker bound to the CPU */
	GOMD_CTX_SOFTIRQ,	/* a BH work item on the CPU (softirq) */
	GOMD_CTX_HARDIRQ,	/* an irq_work on the CPU (hard interrupt) */
	GOMD_CTX_NR,
};

/* gomd_batch.flags */
#define GOMD_F_ZERO	0x1U	/* ALLOC: __GFP_ZERO; zeroes checked before the fill */
#define GOMD_F_ATOMIC	0x2U	/* ALLOC: GFP_ATOMIC in process context too */
#define GOMD_F_ALL	(GOMD_F_ZERO | GOMD_F_ATOMIC)

/**
 * struct gomd_batch - ALLOC, FREE or CHECK up to GOMD_MAX_BATCH objects
 * @heap: ALLOC: heap id (GOMD_HEAP_DEFAULT or from GOMD_IOC_HEAP_CREATE)
 * @cpu: CPU to run on, or GOMD_CPU_ANY
 * @ctx: enum gomd_ctx; softirq and hardirq allocate with GFP_ATOMIC
 * @flags: GOMD_F_*
 * @count: entries in @sizes and @ids
 * @done: out: objects allocated, freed or checked
 * @failed: out: ALLOC: allocations that gave NULL (their id is 0);
 *	FREE, CHECK: ids that name no object
 * @damaged: out: objects whose pattern was not intact (FREE, CHECK) or not
 *	zeroed (ALLOC with GOMD_F_ZERO)
 * @ran_cpu: out: CPU the batch ran on
 * @ran_ctx: out: enum gomd_ctx it ran in, as seen by in_hardirq() and
 *	in_serving_softirq()
 * @sizes: ALLOC: user address of __u64 sizes[@count], 1..GOM_MAX_ALLOC_SIZE
 * @ids: user address of __u32 ids[@count]: ALLOC writes them, FREE and
 *	CHECK read them
 *
 * ALLOC fills every object with a pattern of its own; FREE checks it before
 * gom_free(), CHECK checks it and keeps the object.
 */
struct gomd_batch {
	__u32 heap;
	__u32 cpu;
	__u32 ctx;
	__u32 flags;
	__u32 count;
	__u32 done;
	__u32 failed;
	__u32 damaged;
	__u32 ran_cpu;
	__u32 ran_ctx;
	__u64 sizes;
	__u64 ids;
};

/**
 * struct gomd_heap_req - create or destroy a heap
 * @name: CREATE: gom_heap_create() name, NUL-terminated
 * @flags: CREATE: GOM_HEAP_* flags
 * @id: CREATE: out; DESTROY: in
 * @live: DESTROY: out: objects of the heap the driver still held; they
 *	stay in the table (a later FREE of them is a free after destroy)
 */
struct gomd_heap_req {
	char name[GOMD_NAME_MAX];
	__u32 flags;
	__u32 id;
	__u64 live;
};

/* GOMD_IOC_BAD kinds: each one performs one bad-input case of issue 4 */
enum gomd_bad {
	GOMD_BAD_FREE_NULL,		/* gom_free(NULL): a no-op */
	GOMD_BAD_FREE_STACK,		/* a stack buffer */
	GOMD_BAD_FREE_KMALLOC,		/* a kmalloc'd object */
	GOMD_BAD_FREE_VMALLOC,		/* a vmalloc'd area (2 addresses) */
	GOMD_BAD_FREE_PAGE,		/* pages from alloc_pages (2 addresses) */
	GOMD_BAD_FREE_RANDOM,		/* random kernel addresses (8) */
	GOMD_BAD_FREE_INTERIOR,		/* inside a small object (2) */
	GOMD_BAD_FREE_INTERIOR_LARGE,	/* inside a large object (2) */
	GOMD_BAD_FREE_INTERIOR_TINY,	/* inside a tiny sub-object */
	GOMD_BAD_DOUBLE_FREE,		/* a small object freed twice */
	GOMD_BAD_DOUBLE_FREE_LARGE,	/* a large object freed twice */
	GOMD_BAD_DOUBLE_FREE_TINY,	/* a tiny sub-object freed twice */
	GOMD_BAD_FREE_DESTROYED,	/* an object of a destroyed heap */
	GOMD_BAD_REALLOC_FOREIGN,	/* gom_realloc() of a kmalloc'd object */
	GOMD_BAD_REALLOC_INTERIOR,	/* gom_realloc() of an interior pointer */
	GOMD_BAD_REALLOC_TOO_LARGE,	/* gom_realloc(p, SIZE_MAX) */
	GOMD_BAD_SIZE_ZERO,		/* gom_alloc(0): GOM_ZERO_SIZE_PTR */
	GOMD_BAD_SIZE_MAX,		/* gom_alloc(SIZE_MAX) */
	GOMD_BAD_SIZE_ABOVE_MAX,	/* gom_alloc(GOM_MAX_ALLOC_SIZE + 1) */
	/* GFP_KERNEL with preemption off; EOPNOTSUPP: kernel cannot report it */
	GOMD_BAD_GFP_KERNEL_ATOMIC,
	GOMD_BAD_NR,
};

/**
 * struct gomd_bad_req - perform one bad-input case
 * @kind: enum gomd_bad
 * @calls: out: bad calls made into gomalloc
 * @intact: out: 1 when every object involved (gomalloc's or not) kept its
 *	pattern; the foreign ones were then freed by their real owner
 * @answer_ok: out: 1 when gomalloc returned what its API documents (NULL
 *	for a failed allocation or realloc, GOM_ZERO_SIZE_PTR for size 0)
 * @reserved: must be 0
 */
struct gomd_bad_req {
	__u32 kind;
	__u32 calls;
	__u32 intact;
	__u32 answer_ok;
	__u32 reserved;
};

/**
 * struct gomd_stats - the driver's own counts
 * @live: objects in the table
 * @orphans: of those, objects of destroyed heaps
 * @allocs: objects allocated
 * @frees: objects freed
 * @failed: allocations that gave NULL
 * @damaged: pattern checks that failed
 * @unknown: ids in FREE or CHECK that named no object
 * @heaps: heaps created by the driver and not destroyed
 * @leaked: objects held by GOMD_IOC_LEAK
 */
struct gomd_stats {
	__u64 live;
	__u64 orphans;
	__u64 allocs;
	__u64 frees;
	__u64 failed;
	__u64 damaged;
	__u64 unknown;
	__u64 heaps;
	__u64 leaked;
};

/**
 * struct gomd_obj_info - an object as the trace events show it
 * @id: object id
 * @reserved: must be 0
 * @size: out: bytes requested
 * @ksize: out: gom_ksize() of it
 * @ptr: out: its address as "%p" prints it: hashed, as in the trace
 *	events' ptr= field with the trace option hash-ptr (the default);
 *	"(____ptrval____)" before the kernel's random key is ready
 */
struct gomd_obj_info {
	__u32 id;
	__u32 reserved;
	__u64 size;
	__u64 ksize;
	char ptr[32];
};

#define GOMD_IOC_MAGIC		'G'
#define GOMD_IOC_ALLOC		_IOWR(GOMD_IOC_MAGIC, 1, struct gomd_batch)
#define GOMD_IOC_FREE		_IOWR(GOMD_IOC_MAGIC, 2, struct gomd_batch)
#define GOMD_IOC_CHECK		_IOWR(GOMD_IOC_MAGIC, 3, struct gomd_batch)
#define GOMD_IOC_HEAP_CREATE	_IOWR(GOMD_IOC_MAGIC, 4, struct gomd_heap_req)
#define GOMD_IOC_HEAP_DESTROY	_IOWR(GOMD_IOC_MAGIC, 5, struct gomd_heap_req)
#define GOMD_IOC_STATS		_IOR(GOMD_IOC_MAGIC, 6, struct gomd_stats)
#define GOMD_IOC_BAD		_IOWR(GOMD_IOC_MAGIC, 7, struct gomd_bad_req)
/* kmemleak: allocate an object of the given size and hide its address
 * (argument: the size); UNLEAK frees every hidden object (returns how many)
 */
#define GOMD_IOC_LEAK		_IOW(GOMD_IOC_MAGIC, 8, __u64)
#define GOMD_IOC_UNLEAK		_IO(GOMD_IOC_MAGIC, 9)
/* where an object is, for matching it with trace events (-ENOENT: no such
 * object, or one of a destroyed heap)
 */
#define GOMD_IOC_OBJ_INFO	_IOWR(GOMD_IOC_MAGIC, 10, struct gomd_obj_info)

#endif /* _GOMALLOC_DRV_H */
