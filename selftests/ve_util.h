/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the guest selftests: children in fresh namespaces to
 * bind as VEs. Requests go through vectl's own veapi.c and nl.c.
 */
#ifndef VE_SELFTEST_UTIL_H
#define VE_SELFTEST_UTIL_H

#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "veapi.h"

/*
 * A child in new namespaces (CLONE_NEWUSER|NEWPID|NEWNET by default),
 * mapped to root inside. It runs @pre (if any), reports ready, waits for
 * ve_child_go(), then runs @fn and exits with its return value.
 */
struct ve_child {
	pid_t pid;
	int ready_fd;
	int go_fd;
};

int ve_child_spawn(struct ve_child *c, int flags, int (*pre)(void *),
		   int (*fn)(void *), void *arg);
void ve_child_go(struct ve_child *c);
/* Wait for the child; returns its wait status, or -1. */
int ve_child_wait(struct ve_child *c);
void ve_child_kill(struct ve_child *c);

#define VE_CHILD_NS (CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET)

/* First line of /proc/<pid>/task/<pid>/children: a child's host pid. */
pid_t ve_first_child(pid_t pid);

/*
 * Start @vectl (vectl or vectl-faults, from PATH) with @args (argv, NULL
 * ended) in the background, stdout and stderr into file @log; its pid.
 */
pid_t ve_spawn_vectl(const char *vectl, const char *log, char *const args[]);

/*
 * vectl-faults with @args, held by SIGSTOP at fault point @point
 * (VECTL_FAULT_STOP): its pid, stopped there; -1 if it never got there.
 */
pid_t ve_spawn_vectl_held(const char *point, const char *log, char *const args[]);

/*
 * Run "vectl ARGS" through sh (ARGS may redirect), stdout into @out and
 * stderr into @err; returns vectl's exit code, or -1.
 */
int run_vectl(char *out, size_t outlen, char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* The same for any sh command line. */
int run_sh(char *out, size_t outlen, char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/*
 * The same on node @node of the two-node test bed: 1 is here, another
 * gets the command line whole on ssh's stdin.
 */
int run_on_node(char *out, size_t outlen, char *err, size_t errlen, int node,
		const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/*
 * A LAN for routed VEs: a veth from the host (uplink0, @host4/24, the
 * uplink in NEIGHBOUR_DEVS, forwarding on) to a namespace "outside"
 * (lan0, @out4/24), made afresh. 0, or sh's status with @err.
 */
int ve_lan_setup(const char *host4, const char *out4, char *err, size_t errlen);
/* Undo it, NEIGHBOUR_DEVS back to "detect". */
void ve_lan_teardown(void);

/*
 * A positive count from environment variable @name (the guest gets them
 * from the kernel command line); @def when unset or not a positive number.
 */
int ve_env_int(const char *name, int def);

/* KSFT_TIMEOUT_SCALE (1 unless set): how much slower this kernel is. */
int ve_time_scale(void);

/* vectl's error: one line on stderr, starting "vectl: ". */
bool ve_one_line(const char *err);
/* Active objects of slab cache @name, or -1 (the module's are unmerged). */
long ve_slab_objects(const char *name);

/*
 * Stop (waiting up to @stop_wait_ms each) and delete every VE the module
 * has, until a dump comes back whole and empty: a dump that VEs' state
 * changes interrupt (EINTR) is asked again.
 */
void ve_delete_all(struct ve_nl *nl, int stop_wait_ms);

/*
 * The module's objects (struct ve and charge records) once their count has
 * stayed put for 2 s: what a stop leaves goes a little after it returns.
 */
long ve_module_objects_settled(void);

/*
 * Is this a KASAN kernel? It keeps freed objects in a quarantine, counted
 * as active: slab counts say nothing there (make check-debug's kmemleak
 * scan judges leaks instead).
 */
bool ve_has_kasan(void);

/*
 * Wait (up to 10 s) until VE @id has a TCP socket listening on @port: a
 * server started in the background by vectl exec is not at once, and a
 * loaded TCG guest may take more than a fixed pause. False if it never is.
 */
bool ve_wait_listen(unsigned int id, int port);

/* Whether VE @id's root is mounted here / its vectl lock is taken. */
bool ve_root_mounted(unsigned int id);
bool ve_lock_held(unsigned int id);
/* File @path into @buf (NUL-ended, at most @len - 1 bytes); @buf, or NULL. */
char *ve_slurp(const char *path, char *buf, size_t len);
/* How many loop devices back a file whose path contains @part. */
int ve_loops_backing(const char *part);

/* Load ve.ko (VE_KO, or the installed one) / unload it; 0 or -errno. */
int ve_module_load(void);
int ve_module_unload(void);

#endif
