// SPDX-License-Identifier: GPL-2.0
/*
 * tbprof: a QEMU TCG plugin for scripts/profile. It counts, per
 * translated block, how often the block ran, between pairs of marks: a
 * mark is a run of the block at guest address mark=ADDR (ve_bench calls
 * a one-instruction function there before and after each loop when
 * VE_BENCH_MARK is set). At each second mark it writes "segment N" and
 * one line per block that ran, "ADDR INSNS COUNT" (hex, decimal,
 * decimal), to out=FILE, and starts counting afresh.
 *
 * Debian ships no qemu-plugin.h, so the few calls of QEMU's plugin API
 * used (version 1, QEMU 7.2) are declared here.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef uint64_t qemu_plugin_id_t;
struct qemu_info_t;
struct qemu_plugin_tb;
enum qemu_plugin_cb_flags { QEMU_PLUGIN_CB_NO_REGS };
typedef void (*qemu_plugin_vcpu_udata_cb_t)(unsigned int vcpu_index, void *userdata);
typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id, struct qemu_plugin_tb *tb);
typedef void (*qemu_plugin_udata_cb_t)(qemu_plugin_id_t id, void *userdata);
void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id,
					   qemu_plugin_vcpu_tb_trans_cb_t cb);
void qemu_plugin_register_vcpu_tb_exec_cb(struct qemu_plugin_tb *tb,
					  qemu_plugin_vcpu_udata_cb_t cb,
					  enum qemu_plugin_cb_flags flags, void *userdata);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, qemu_plugin_udata_cb_t cb,
				    void *userdata);

#define EXPORT __attribute__((visibility("default")))

EXPORT int qemu_plugin_version = 1;

/* A translation of a block; a block translated again gets another. */
struct block {
	uint64_t vaddr, insns, count;
};

static struct block **blocks;
static size_t n_blocks, cap_blocks;
static uint64_t mark;
static bool counting;
static int segment;
static FILE *out;

static void dump(void)
{
	fprintf(out, "segment %d\n", segment++);
	for (size_t i = 0; i < n_blocks; i++) {
		struct block *b = blocks[i];

		if (b->count)
			fprintf(out, "%llx %llu %llu\n", (unsigned long long)b->vaddr,
				(unsigned long long)b->insns, (unsigned long long)b->count);
		b->count = 0;
	}
	fflush(out);
}

/* One vCPU (scripts/profile boots one): no races on the counts. */
static void block_ran(unsigned int vcpu, void *data)
{
	struct block *b = data;

	if (b->vaddr == mark) {
		if (counting)
			dump();
		counting = !counting;
	} else if (counting) {
		b->count++;
	}
}

static void translated(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	struct block *b = calloc(1, sizeof(*b));

	if (!b || (n_blocks == cap_blocks &&
		   !(blocks = realloc(blocks, (cap_blocks = cap_blocks * 2 + 4096) *
					      sizeof(*blocks))))) {
		fprintf(stderr, "tbprof: out of memory\n");
		exit(1);
	}
	b->vaddr = qemu_plugin_tb_vaddr(tb);
	b->insns = qemu_plugin_tb_n_insns(tb);
	blocks[n_blocks++] = b;
	qemu_plugin_register_vcpu_tb_exec_cb(tb, block_ran, QEMU_PLUGIN_CB_NO_REGS, b);
}

static void done(qemu_plugin_id_t id, void *data)
{
	fclose(out);
}

EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const struct qemu_info_t *info,
			       int argc, char **argv)
{
	const char *path = NULL;

	for (int i = 0; i < argc; i++) {
		if (!strncmp(argv[i], "mark=", 5))
			mark = strtoull(argv[i] + 5, NULL, 16);
		else if (!strncmp(argv[i], "out=", 4))
			path = argv[i] + 4;
	}
	if (!mark || !path) {
		fprintf(stderr, "tbprof: needs mark=ADDR and out=FILE\n");
		return -1;
	}
	out = fopen(path, "w");
	if (!out) {
		perror(path);
		return -1;
	}
	qemu_plugin_register_vcpu_tb_trans_cb(id, translated);
	qemu_plugin_register_atexit_cb(id, done, NULL);
	return 0;
}
