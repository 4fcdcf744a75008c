/* SPDX-License-Identifier: GPL-2.0 */
/* ved's duty in a cluster: this node online in etcd, its VEs published. */
#ifndef VECTL_AGENT_H
#define VECTL_AGENT_H

struct ve_nl;

#include <stdbool.h>

/*
 * Once a second: nothing when this node is in no cluster. @verbose: say
 * on stderr when the lease was granted, renewed, and the node fenced.
 */
void agent_round(struct ve_nl *nl, bool verbose);
/*
 * The agent's watch on the cluster, -1: none. Readable: a change came,
 * and agent_round() should run now rather than at the next second.
 */
int agent_watch_fd(void);
/* ved exits: the lease goes back, unless VEs run that it holds. */
void agent_stop(void);

#endif
