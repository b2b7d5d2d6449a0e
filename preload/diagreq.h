/* The sock_diag dump request for TCP sockets of one family in some states: one definition for
 * the watchdog's dump (sockets.c) and `sockleak top` (tools/cwdiag.c). Header only: the two
 * are built differently (the preload sends with raw syscalls). */
#ifndef SL_DIAGREQ_H
#define SL_DIAGREQ_H

#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>

struct sl_diag_req {
	struct nlmsghdr nh;
	struct inet_diag_req_v2 r;
};

/* ext: the INET_DIAG_* extensions wanted, as a bit mask (0: none). */
static inline void sl_diag_req_init(struct sl_diag_req *req, int family, uint32_t states,
				    uint8_t ext)
{
	memset(req, 0, sizeof(*req));
	req->nh.nlmsg_len = sizeof(*req);
	req->nh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	req->nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req->nh.nlmsg_seq = (uint32_t)family;
	req->r.sdiag_family = (uint8_t)family;
	req->r.sdiag_protocol = IPPROTO_TCP;
	req->r.idiag_states = states;
	req->r.idiag_ext = ext;
}

#endif
