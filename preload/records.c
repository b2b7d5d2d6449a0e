/* Log records; see records.h and docs/log-format.md. */
#include "records.h"

#include "log.h"
#include "stack.h"

#include <string.h>
#include <time.h>

static const char *const sl_role_names[] = {"other", "accepted", "connected", "inherited",
					    "received"};

const char *sl_role_name(int role)
{
	return sl_role_names[role >= 0 && role <= SL_ROLE_RECEIVED ? role : 0];
}

void sl_leak_info_of(struct sl_leak_info *l, const struct sl_sock *s, enum sl_kind kind,
		     uint64_t now, uint64_t since)
{
	memset(l, 0, sizeof(*l));
	l->kind = kind;
	l->fd = s->fd;
	l->inode = s->inode;
	l->gen = s->gen;
	l->family = s->family;
	l->role = s->role;
	l->inherited = !!(s->flags & SL_F_INHERITED);
	l->open_ms = s->open_ms;
	l->eof_ms = s->eof_ms;
	l->cw_ms = s->cw_ms;
	l->age_ms = now - since;
	l->open_age_ms = now - s->open_ms;
	l->open_stack = s->open_stack;
	l->eof_stack = s->eof_stack;
	l->nshared = s->nshared;
	memcpy(l->shared, s->shared, sizeof(l->shared));
	l->nfds = sl_sock_fds(s, l->fds, SL_FDS_MAX);
}

uint64_t sl_mono_to_wall_ns(uint64_t mono_ms)
{
	uint64_t now_mono = sl_mono_ms(), now_wall = sl_wall_ns();

	return now_wall - (now_mono - mono_ms) * 1000000ull;
}

static void sl_ts_or_null(struct sl_jsonline *j, const char *key, uint64_t mono_ms)
{
	if (mono_ms)
		sl_jsonline_u64(j, key, sl_mono_to_wall_ns(mono_ms));
	else
		sl_jsonline_null(j, key);
}

static void sl_pids(struct sl_jsonline *j, const char *key, const pid_t *pids, int n)
{
	sl_jsonline_arr_begin(j, key);
	for (int i = 0; i < n; i++)
		sl_jsonline_i64(j, NULL, pids[i]);
	sl_jsonline_arr_end(j);
}

static void sl_ints(struct sl_jsonline *j, const char *key, const int *v, int n)
{
	sl_jsonline_arr_begin(j, key);
	for (int i = 0; i < n; i++)
		sl_jsonline_i64(j, NULL, v[i]);
	sl_jsonline_arr_end(j);
}

void sl_rec_leak(const struct sl_leak_info *l)
{
	struct sl_jsonline *j;

	j = sl_log_begin_with(SL_LOG_EVENT(leak), l->open_stack, l->eof_stack);
	sl_jsonline_str(j, SL_KEY(kind), sl_kind_name(l->kind));
	sl_jsonline_i64(j, SL_KEY(fd), l->fd);
	sl_ints(j, SL_KEY(fds), l->fds, l->nfds);
	sl_jsonline_u64(j, SL_KEY(inode), l->inode);
	sl_jsonline_u64(j, SL_KEY(gen), l->gen);
	sl_jsonline_str(j, SL_KEY(family), l->family == AF_INET6 ? "inet6" : "inet");
	sl_jsonline_str(j, SL_KEY(local), l->local[0] ? l->local : NULL);
	sl_jsonline_str(j, SL_KEY(peer), l->peer[0] ? l->peer : NULL);
	sl_jsonline_str(j, SL_KEY(tcp_state),
			l->tcp_state < 0 ? "UNKNOWN" : sl_tcp_state_name(l->tcp_state));
	sl_jsonline_str(j, SL_KEY(role), sl_role_name(l->role));
	sl_jsonline_u64(j, SL_KEY(age_ms), l->age_ms);
	sl_jsonline_u64(j, SL_KEY(open_age_ms), l->open_age_ms);
	sl_ts_or_null(j, SL_KEY(open_ts_ns), l->open_ms);
	sl_ts_or_null(j, SL_KEY(eof_ts_ns), l->eof_ms);
	sl_ts_or_null(j, SL_KEY(cw_ts_ns), l->cw_ms);
	sl_jsonline_id(j, SL_KEY(open_stack), sl_stack_id(l->open_stack));
	sl_jsonline_id(j, SL_KEY(eof_stack), sl_stack_id(l->eof_stack));
	if (sl_stack_handler(l->open_stack)) /* only where handler.c took one (node) */
		sl_jsonline_id(j, SL_KEY(handler_stack),
			       sl_stack_id(sl_stack_handler(l->open_stack)));
	sl_jsonline_null(j, SL_KEY(last_io_stack));
	sl_pids(j, SL_KEY(shared_with), l->shared, l->nshared);
	sl_jsonline_bool(j, SL_KEY(inherited), l->inherited);
	sl_log_end();
}

void sl_rec_late_close(int fd, uint64_t inode, enum sl_kind kind, uint64_t late_ms,
		       uint64_t leak_age_ms, int by_runtime, uint32_t stack)
{
	struct sl_jsonline *j;

	j = sl_log_begin_with(SL_LOG_EVENT(late_close), stack, 0);
	sl_jsonline_i64(j, SL_KEY(fd), fd);
	sl_jsonline_u64(j, SL_KEY(inode), inode);
	sl_jsonline_str(j, SL_KEY(kind), sl_kind_name(kind));
	sl_jsonline_u64(j, SL_KEY(late_ms), late_ms);
	sl_jsonline_u64(j, SL_KEY(leak_age_ms), leak_age_ms);
	sl_jsonline_bool(j, SL_KEY(by_runtime), by_runtime);
	sl_jsonline_id(j, SL_KEY(stack), sl_stack_id(stack));
	sl_log_end();
}

void sl_rec_close_shared(int fd, uint64_t inode, const int *fds, int nfds, const pid_t *pids,
			 int npids, uint32_t stack)
{
	struct sl_jsonline *j;

	j = sl_log_begin_with(SL_LOG_EVENT(close_shared), stack, 0);
	sl_jsonline_i64(j, SL_KEY(fd), fd);
	sl_jsonline_u64(j, SL_KEY(inode), inode);
	sl_ints(j, SL_KEY(remaining_fds), fds, nfds);
	sl_pids(j, SL_KEY(shared_with), pids, npids);
	sl_jsonline_id(j, SL_KEY(stack), sl_stack_id(stack));
	sl_log_end();
}

void sl_rec_enforce(int fd, uint64_t inode, enum sl_kind kind, int err)
{
	struct sl_jsonline *j = sl_log_begin(SL_LOG_EVENT(enforce));

	sl_jsonline_i64(j, SL_KEY(fd), fd);
	sl_jsonline_u64(j, SL_KEY(inode), inode);
	sl_jsonline_str(j, SL_KEY(kind), sl_kind_name(kind));
	sl_jsonline_str(j, SL_KEY(action), "shutdown");
	if (err)
		sl_jsonline_str(j, SL_KEY(result),
				strerrorname_np(err) ? strerrorname_np(err) : "error");
	else
		sl_jsonline_u64(j, SL_KEY(result), 0);
	sl_log_end();
}
