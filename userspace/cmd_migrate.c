// SPDX-License-Identifier: GPL-2.0
/*
 * vectl migrate ID DEST [--online] [--keep-src] [--ssh OPTS]
 *
 * Moves a VE to node DEST over ssh, as vzmigrate does offline: stop it,
 * copy its config and private area, start it on DEST if it ran here, then
 * remove it here. --online checkpoints it instead of stopping it
 * (checkpoint.c), copies the checkpoint too, and resumes it on DEST: its
 * processes and connections go on there after a freeze. A suspended VE
 * takes its checkpoint along and arrives suspended (its checkpoint here
 * goes, even with --keep-src: one node may resume it). DEST runs "vectl migrate-receive" for each step
 * (cmd_migrate_receive.c), one ssh session per step:
 *
 *   --check   the ID is free on DEST
 *   --begin   the config arrives (ID.conf.migrating, PRIVATE.migrating/)
 *   --data    the private area arrives, as a tar incremental dump (with
 *             --online a dir one twice: live, then what changed, frozen)
 *   --dump    (--online, or a suspended VE) the checkpoint arrives, as a
 *             tar stream
 *   --commit  both are put in place, and the VE is started there if it
 *             ran here (resumed, --online): the commit point
 *
 * Before the commit returns, any failure aborts DEST (nothing of the VE is
 * left there) and starts the VE here again if it ran (resumes it from its
 * checkpoint, --online). After it, the VE is
 * DEST's, and this node keeps at most its config as ID.conf.migrated.
 * When the commit's answer is lost, DEST is asked for the VE's state
 * before either is chosen; if DEST cannot say, the VE is left stopped
 * here and the error says so, so that it never runs on both nodes.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "checkpoint.h"
#include "cluster.h"
#include "commands.h"
#include "disk.h"
#include "err.h"
#include "exitcodes.h"
#include "fault.h"
#include "image.h"
#include "launch.h"
#include "rescue.h"
#include "run.h"
#include "veapi.h"
#include "vectx.h"

#define SSH_ARGS_MAX	32

/* One migration: where to, and how to get there. */
struct mig {
	struct vectx *x;
	const char *dest;
	char *ssh_args[SSH_ARGS_MAX];	/* ssh and its options, NULL-terminated */
	int n_ssh;
	char opts[1024];		/* --ssh's words, split in place */
	char control[128];		/* ssh's ControlPath option, or "" */
	/* tar's record of the private area as last sent (--listed-incremental) */
	char snar[PATH_MAX];
};

/* What send_tree() copies. */
enum copy_kind {
	COPY_PRIVATE_LIVE,	/* the private area, the VE running (--online) */
	COPY_PRIVATE,		/* the private area: all, or what changed since */
	COPY_PRECOPY,		/* a pre-copy round of the VE's memory */
	COPY_DUMP,		/* the checkpoint, without the rounds sent before */
};

/* Close the shared connection, if one was made. */
static void mig_done(struct mig *m)
{
	char *argv[SSH_ARGS_MAX + 8], why[128];
	int n = 0;

	unlink(m->snar);
	if (!*m->control)
		return;
	for (int i = 0; i < m->n_ssh; i++)
		argv[n++] = m->ssh_args[i];
	argv[n++] = "-O";
	argv[n++] = "exit";
	argv[n++] = "--";
	argv[n++] = (char *)m->dest;
	argv[n] = NULL;
	run_argv(argv, why, sizeof(why));
}

/* A host name, an address or user@host, and nothing ssh would take as an option. */
static bool dest_ok(const char *d)
{
	return *d && *d != '-' && strlen(d) < 256 &&
	       strspn(d, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_:@[]") ==
		       strlen(d);
}

static int mig_init(struct mig *m, const char *ssh_opts)
{
	char *save = NULL;

	/* A record left by a migration that was killed is not this one's. */
	snprintf(m->snar, sizeof(m->snar), "%s/migrate-%u.snar", VE_RUN_DIR, m->x->id);
	unlink(m->snar);
	m->ssh_args[m->n_ssh++] = "ssh";
	/* No password prompts: a migration runs unattended, by key. */
	m->ssh_args[m->n_ssh++] = "-o";
	m->ssh_args[m->n_ssh++] = "BatchMode=yes";
	/*
	 * One connection for all the steps: the first ssh stays as its master
	 * (for a minute after the last step, should we be killed), the others
	 * ride on it. A login costs seconds on a slow node; a step, a channel.
	 */
	if (!mkdir_p(VE_RUN_DIR, 0755)) {
		snprintf(m->control, sizeof(m->control), "ControlPath=%s/migrate-%u-%%C",
			 VE_RUN_DIR, m->x->id);
		m->ssh_args[m->n_ssh++] = "-o";
		m->ssh_args[m->n_ssh++] = "ControlMaster=auto";
		m->ssh_args[m->n_ssh++] = "-o";
		m->ssh_args[m->n_ssh++] = "ControlPersist=60";
		m->ssh_args[m->n_ssh++] = "-o";
		m->ssh_args[m->n_ssh++] = m->control;
	}
	if (ssh_opts) {
		if (strlen(ssh_opts) >= sizeof(m->opts))
			return -E2BIG;
		strcpy(m->opts, ssh_opts);
		for (char *w = strtok_r(m->opts, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
			if (m->n_ssh >= SSH_ARGS_MAX - 8)
				return -E2BIG;
			m->ssh_args[m->n_ssh++] = w;
		}
	}
	return 0;
}

/* In @argv: ssh to DEST running "vectl migrate-receive ID @step [@arg]". */
static void remote_argv(struct mig *m, char *id, const char *step, const char *arg,
			char **argv)
{
	int n = 0;

	snprintf(id, 16, "%u", m->x->id);
	for (int i = 0; i < m->n_ssh; i++)
		argv[n++] = m->ssh_args[i];
	argv[n++] = "--";
	argv[n++] = (char *)m->dest;
	argv[n++] = "vectl";
	argv[n++] = "migrate-receive";
	argv[n++] = id;
	argv[n++] = (char *)step;
	if (arg)
		argv[n++] = (char *)arg;
	argv[n] = NULL;
}

/*
 * What DEST said, without what our own message says again: run_argv's
 * "ssh " and the remote vectl's "vectl: migrate ID: ".
 */
static void remote_words(const struct mig *m, char *why)
{
	char prefix[48];
	size_t n;

	if (!strncmp(why, "ssh ", 4))
		memmove(why, why + 4, strlen(why + 4) + 1);
	n = (size_t)snprintf(prefix, sizeof(prefix), "vectl: migrate %u: ", m->x->id);
	if (!strncmp(why, prefix, n))
		memmove(why, why + n, strlen(why + n) + 1);
}

/*
 * Run migrate-receive @step on DEST with stdin @in (or /dev/null).
 * Returns the remote exit status (255: ssh itself failed), with the first
 * line of the remote's stderr in @why.
 */
static int remote(struct mig *m, const char *step, const char *arg, int in, char *why,
		  size_t len)
{
	char id[16], *argv[SSH_ARGS_MAX + 8];
	int st;

	remote_argv(m, id, step, arg, argv);
	*why = '\0';
	st = run_argv_in(argv, in, why, len);
	if (st)
		remote_words(m, why);
	return st < 0 ? 255 : st;
}

/* The exit code for a failed remote step, after saying what failed. */
static int remote_failed(struct mig *m, const char *what, int status, const char *why)
{
	if (status == 255)
		vectl_err("migrate %u: cannot reach %s over ssh to %s: %s (check: ssh %s vectl version)",
			  m->x->id, m->dest, what, *why ? why : "ssh failed", m->dest);
	else if (status == 127)
		vectl_err("migrate %u: %s has no vectl (install ve there first)", m->x->id, m->dest);
	else if (status == VECTL_ERR_DEST_EXISTS)
		vectl_err("migrate %u: on %s: %s", m->x->id, m->dest,
			  *why ? why : "the VE ID is in use there");
	else
		vectl_err("migrate %u: %s failed to %s: %s", m->x->id, m->dest, what,
			  *why ? why : "no reason given");
	return status == VECTL_ERR_DEST_EXISTS ? VECTL_ERR_DEST_EXISTS : VECTL_ERR_DEST;
}

/* The config, on DEST as ID.conf.migrating: its text through a pipe. */
static int send_config(struct mig *m, char *why, size_t len)
{
	char *text = conf_format(&m->x->conf);
	int p[2], st;
	size_t n;

	if (!text)
		return -ENOMEM;
	n = strlen(text);
	/* A config is a few KiB: it fits in the pipe, written before ssh runs. */
	if (n > 60000 || pipe2(p, O_CLOEXEC)) {
		free(text);
		snprintf(why, len, "the config is too large or no pipe");
		return 1;
	}
	if (write(p[1], text, n) != (ssize_t)n) {
		free(text);
		close(p[0]);
		close(p[1]);
		snprintf(why, len, "cannot write the config: %s", strerror(errno));
		return 1;
	}
	free(text);
	close(p[1]);
	st = remote(m, "--begin", NULL, p[0], why, len);
	close(p[0]);
	return st;
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

/* A child's exit status; 255 (as ssh's own failure) when there is none. */
static int reap(pid_t pid)
{
	int st = pid < 0 ? -1 : run_wait(pid, NULL);

	return st < 0 ? 255 : st;
}

/*
 * Copy @in to @out, counting; progress to a terminal each second. Fault
 * point @point (tests) once the copy has begun.
 */
static unsigned long long pump(struct mig *m, int in, int out, const char *point)
{
	double last = now();
	bool tty = isatty(2);
	unsigned long long bytes = 0;
	static char buf[65536];
	ssize_t n;

	while ((n = read(in, buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR)) {
		if (n < 0)
			continue;
		if (write(out, buf, n) != n)
			break;	/* ssh is gone: its status says why */
		if (!bytes)
			fault_point(point);
		bytes += n;
		if (tty && now() - last >= 1) {
			last = now();
			fprintf(stderr, "\rmigrate %u: %.1f MiB copied", m->x->id, bytes / 1048576.0);
		}
	}
	if (tty)
		fputc('\n', stderr);
	return bytes;
}

/*
 * @member of directory @dir to DEST: tar here, through us (to count it),
 * into "migrate-receive --data" there (the private area) or "--dump" (a
 * pre-copy round, or the checkpoint without the rounds sent before it).
 * The private area goes as GNU tar's incremental dumps: the first whole,
 * a later one (after the VE froze) only what changed since, with each
 * directory's list of names, so that DEST also removes what was removed.
 */
static int send_tree(struct mig *m, enum copy_kind kind, const char *dir, const char *member,
		     char *why, size_t len)
{
	bool private = kind == COPY_PRIVATE || kind == COPY_PRIVATE_LIVE;
	char *tar[16] = { "tar", "-C", (char *)dir, "--numeric-owner", "--xattrs",
			  "--xattrs-include=*", "--one-file-system", "-S", "-cf", "-" };
	char *ssh[SSH_ARGS_MAX + 8], id[16], snar[PATH_MAX + 32];
	int a[2], b[2], e[2], st, tst, argc = 10;
	unsigned long long bytes;
	double t0 = now();
	pid_t tpid, spid;
	ssize_t n;

	if (pipe2(a, O_CLOEXEC))
		return 255;
	if (pipe2(b, O_CLOEXEC)) {
		close_fds(a, 2);
		return 255;
	}
	if (pipe2(e, O_CLOEXEC)) {
		close_fds(a, 2);
		close_fds(b, 2);
		return 255;
	}
	if (private) {
		snprintf(snar, sizeof(snar), "--listed-incremental=%s", m->snar);
		tar[argc++] = snar;
	} else if (kind == COPY_DUMP) {
		tar[argc++] = "--exclude=./pre[0-9]*";
	}
	tar[argc++] = (char *)member;
	remote_argv(m, id, private ? "--data" : "--dump", NULL, ssh);
	tpid = run_spawn(tar, -1, a[1], -1);
	spid = run_spawn(ssh, b[0], -1, e[1]);
	close_fds((int[]){ a[1], b[0], e[1] }, 3);
	/* What is copied frozen (or stopped), and what while the VE runs. */
	bytes = pump(m, a[0], b[1], kind == COPY_PRIVATE || kind == COPY_DUMP ?
				     "migrate:copying" : "migrate:precopying");
	close_fds((int[]){ a[0], b[1] }, 2);
	n = read(e[0], why, len - 1);
	why[n > 0 ? n : 0] = '\0';
	why[strcspn(why, "\n")] = '\0';
	remote_words(m, why);
	close(e[0]);
	tst = reap(tpid);
	st = reap(spid);
	if (!st && tst) {
		snprintf(why, len, "tar of %s here failed (exit %d)", dir, tst);
		return 1;
	}
	if (!st)
		printf("migrate %u: copied %.1f MiB to %s in %.1f s\n", m->x->id,
		       bytes / 1048576.0, m->dest, now() - t0);
	fflush(stdout);
	return st;
}

#define PRECOPY_ROUNDS	5
#define PRECOPY_ENOUGH	(1LL << 20)	/* a round this small: the rest goes frozen */

/*
 * --online's pre-copy: rounds of the running VE's memory into @dump and
 * to DEST, each what changed since the one before, until a round is
 * under PRECOPY_ENOUGH, shrinks by less than a fifth, or PRECOPY_ROUNDS
 * were made. The rounds made (0: none could be, the checkpoint takes all
 * of the memory while frozen), or -(ssh's status) when DEST failed.
 */
static int precopy(struct mig *m, struct ve_nl *nl, const char *dump, char *why, size_t len)
{
	long long bytes, last = -1;
	char member[16];
	double t0;
	int st;

	for (int r = 1; r <= PRECOPY_ROUNDS; r++) {
		t0 = now();
		bytes = ck_predump(nl, m->x, dump, r);
		if (bytes < 0) {
			vectl_err("migrate %u: warning: pre-copy round %d failed; the VE's memory is copied while it is frozen",
				  m->x->id, r);
			return 0;
		}
		snprintf(member, sizeof(member), "pre%d", r);
		printf("migrate %u: pre-copy round %d: %.1f MiB of memory\n", m->x->id, r,
		       bytes / 1048576.0);
		st = send_tree(m, COPY_PRECOPY, dump, member, why, len);
		if (st)
			return -st;
		printf("migrate %u: pre-copy round %d done in %.1f s\n", m->x->id, r, now() - t0);
		if (bytes < PRECOPY_ENOUGH || (last >= 0 && bytes * 5 > last * 4))
			return r;
		last = bytes;
	}
	return PRECOPY_ROUNDS;
}

/* What DEST says of the VE: absent, pending, stopped, running; NULL if it cannot say. */
static const char *remote_state(struct mig *m)
{
	static const char *const states[] = { "absent", "pending", "stopped", "running" };
	char why[256];
	int st = remote(m, "--state", NULL, -1, why, sizeof(why));

	return st >= 10 && st < 14 ? states[st - 10] : NULL;
}

int cmd_migrate(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "online", no_argument, NULL, 'o' },
		{ "keep-src", no_argument, NULL, 'k' },
		{ "ssh", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	static struct ve_nl nl;
	const char *ssh_opts = NULL, *state;
	bool online = false, keep = false, running, suspended, known, have_nl;
	struct mig m = { 0 };
	char why[PATH_MAX + 128], dump[PATH_MAX];
	double frozen = 0;
	int rounds = 0;
	struct vectx x;
	uint32_t id;
	int opt, rc, st;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 'o': online = true; break;
		case 'k': keep = true; break;
		case 's': ssh_opts = optarg; break;
		default: return cmd_bad_option("migrate", argv);
		}
	}
	if (optind != argc - 2) {
		vectl_err("migrate: usage: vectl %s", vectl_find_cmd("migrate")->usage);
		return VECTL_ERR_USAGE;
	}
	if (cmd_veid("migrate", argv[optind], &id))
		return VECTL_ERR_VALUE;
	m.dest = argv[optind + 1];
	if (!dest_ok(m.dest)) {
		vectl_err("migrate %u: invalid destination '%s' (a host name or address, or user@host)",
			  id, m.dest);
		return VECTL_ERR_VALUE;
	}
	/* A DEST that hangs up must fail a write, not kill us half-way. */
	signal(SIGPIPE, SIG_IGN);

	rc = vectx_open(&x, "migrate", id, true);
	if (rc)
		return rc;
	m.x = &x;
	if (mig_init(&m, ssh_opts)) {
		vectl_err("migrate %u: --ssh has too many or too long options", id);
		rc = VECTL_ERR_VALUE;
		goto out;
	}
	if (!x.exists) {
		rc = cluster_no_ve("migrate", id);
		goto out;
	}
	st = ve_nl_open(&nl);
	if (st && st != -ENOENT) {
		rc = vectl_open_error("migrate", st);
		goto out;
	}
	have_nl = !st;
	st = have_nl ? veapi_running_known(&nl, id, &known) : 0;
	if (st < 0) {
		vectl_err("migrate %u: %s", id, ve_nl_strerror(&nl, st));
		rc = vectl_exit_for_errno(st);
		goto out_nl;
	}
	running = st > 0;
	/* A stopped VE has nothing to carry live: --online is an offline migration. */
	online = online && running;
	/* A suspended VE takes its checkpoint along, and arrives suspended. */
	suspended = !running && ck_suspended(&x);
	if ((online || suspended) && !ck_dump_dir(&x, NULL, dump, sizeof(dump))) {
		rc = VECTL_ERR_VALUE;
		goto out_nl;
	}
	/* DEST would start the rescue system's tree as nothing, or not at all. */
	rc = rescue_refuse(&x);
	if (rc)
		goto out_nl;
	if (!running && path_is_mountpoint(x.root)) {
		vectl_err("migrate %u: the private area is mounted (vectl umount %u first)", id, id);
		rc = VECTL_ERR_MOUNTED;
		goto out_nl;
	}

	st = remote(&m, "--check", NULL, -1, why, sizeof(why));
	if (st) {
		rc = remote_failed(&m, "check the VE ID", st, why);
		goto out_nl;
	}
	if (online) {
		/* The config first: the VE is frozen from the checkpoint on. */
		st = send_config(&m, why, sizeof(why));
		if (st) {
			rc = remote_failed(&m, "take the config", st, why);
			goto out_abort;
		}
		/*
		 * A dir private area is copied while the VE runs; frozen, only
		 * what changed since goes. An image changes as long as it is
		 * mounted: it is copied once, frozen.
		 */
		if (disk_layout(&x) == VE_LAYOUT_DIR) {
			printf("migrate %u: copying the private area while the VE runs\n", id);
			fflush(stdout);
			st = send_tree(&m, COPY_PRIVATE_LIVE, x.private_dir, ".", why, sizeof(why));
			if (st) {
				rc = remote_failed(&m, "take the private area", st, why);
				goto out_abort;
			}
			fault_point("migrate:private-precopied");
		}
		rounds = precopy(&m, &nl, dump, why, sizeof(why));
		if (rounds < 0) {
			rc = remote_failed(&m, "take the pre-copy", -rounds, why);
			remove_tree(dump);
			goto out_abort;
		}
		printf("migrate %u: checkpointing the VE\n", id);
		fflush(stdout);
		frozen = now();
		rc = ck_suspend(&nl, &x, dump, rounds);
		if (rc)
			goto out_abort;
	} else if (running) {
		printf("migrate %u: stopping the VE for the copy\n", id);
		fflush(stdout);
		rc = launch_stop(&nl, &x, false);
		if (rc)
			goto out_nl;
	}
	fault_point("migrate:stopped");
	/* An image is copied once nothing writes it: the VE's last mount gone. */
	if (running && disk_layout(&x) == VE_LAYOUT_IMAGE &&
	    image_wait_detached(&x, 60000, why, sizeof(why))) {
		vectl_err("migrate %u: the VE's image is still mounted a minute after its stop, by %s, whose mount namespace was copied from the host's while the VE ran: end it and migrate again",
			  id, why);
		rc = VECTL_ERR_UMOUNT;
		goto out_abort;
	}
	st = online ? 0 : send_config(&m, why, sizeof(why));
	if (st) {
		rc = remote_failed(&m, "take the config", st, why);
		goto out_abort;
	}
	st = send_tree(&m, COPY_PRIVATE, x.private_dir, ".", why, sizeof(why));
	if (st) {
		rc = remote_failed(&m, "take the private area", st, why);
		goto out_abort;
	}
	st = online || suspended ? send_tree(&m, COPY_DUMP, dump, ".", why, sizeof(why)) : 0;
	if (st) {
		rc = remote_failed(&m, "take the checkpoint", st, why);
		goto out_abort;
	}
	fault_point("migrate:copied");
	st = remote(&m, "--commit", online ? "--resume" : running ? "--start" : NULL, -1, why,
		    sizeof(why));
	if (st) {
		/* Did the commit happen, its answer lost on the way? */
		state = remote_state(&m);
		if (!state) {
			vectl_err("migrate %u: the commit on %s did not answer (%s) and %s cannot say whether it has the VE: it stays stopped here; check with ssh %s vectl status %u, then start it on one node",
				  id, m.dest, *why ? why : "ssh failed", m.dest, m.dest, id);
			rc = VECTL_ERR_DEST;
			goto out_nl;
		}
		if (strcmp(state, running ? "running" : "stopped")) {
			rc = remote_failed(&m, "commit", st, why);
			goto out_abort;
		}
	}
	/* The commit point is passed: the VE is DEST's. */
	fault_point("migrate:committed");
	printf("migrate %u: the VE is on %s%s\n", id, m.dest,
	       running ? " and running" : suspended ? ", suspended" : "");
	if (online)
		printf("migrate %u: frozen for %.1f s\n", id, now() - frozen);
	if (keep) {
		/* One node may resume it: DEST, which has its checkpoint now. */
		if (suspended && ck_discard(&x))
			vectl_err("migrate %u: warning: its checkpoint here could not be removed: resume it only on %s",
				  id, m.dest);
		printf("migrate %u: kept here, stopped (--keep-src)\n", id);
		rc = VECTL_OK;
		goto out_nl;
	}
	rc = destroy_locked(have_nl ? &nl : NULL, &x, ".migrated");
	if (rc)
		vectl_err("migrate %u: the VE runs on %s, but its copy here could not be removed (vectl destroy %u here)",
			  id, m.dest, id);
	goto out_nl;

out_abort:
	st = remote(&m, "--abort", NULL, -1, why, sizeof(why));
	if (st)
		vectl_err("migrate %u: %s may keep a partial copy (on %s: vectl migrate-receive %u --abort): %s",
			  id, m.dest, m.dest, id, *why ? why : "ssh failed");
	if (running) {
		bool resume = online && ck_suspended(&x);
		int src = VECTL_OK;

		/* A failed checkpoint left it running; a done one is resumed. */
		if (resume) {
			src = ck_resume(&nl, &x, dump);
		} else if (!online || veapi_running(&nl, id) <= 0) {
			src = launch_cleanup(&x, false, false);
			if (!src)
				src = launch_start(&nl, &x);
		}
		if (src)
			vectl_err("migrate %u: the VE could not be %s here again (vectl %s %u)", id,
				  resume ? "resumed" : "started", resume ? "resume" : "start", id);
		else
			printf("migrate %u: the VE runs here again\n", id);
	}
out_nl:
	ve_nl_close(&nl);
	mig_done(&m);
out:
	vectx_close(&x);
	return rc;
}
