/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VE_TAG_H
#define _VE_TAG_H

#include <linux/types.h>

struct file;
struct net;
struct pid_namespace;
struct sock;
struct task_struct;
struct user_namespace;
struct ve;

/* Under rcu_read_lock(); NULL means the host (VE 0). */
struct ve *ve_of_pid_ns(struct pid_namespace *ns);
struct ve *ve_of_user_ns(struct user_namespace *ns);
struct ve *ve_of_task(struct task_struct *task);
struct ve *ve_of_file(const struct file *file);
struct ve *ve_of_net(const struct net *net);
struct ve *ve_of_sock(const struct sock *sk);

/* The ID of the VE @task belongs to, 0 for the host. */
u32 ve_id_of_task(struct task_struct *task);

/* Under ve_mutex: make a VE's namespaces find it, or stop that. */
void ve_tag_add(struct ve *ve);
void ve_tag_del(struct ve *ve);

#endif /* _VE_TAG_H */
