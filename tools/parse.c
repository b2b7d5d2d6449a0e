/* The log reader: one pass over the lines of an input, each line scanned in place and turned
 * into model updates. No line outlives its scan, so memory follows distinct processes, stacks
 * and sockets. Anything that is not a valid record is named as file:line and skipped; records
 * may come in any order (joins happen in finish). */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "envelope.h"
#include "jscan.h"
#include "escape.h"
#include "model.h"
#include "../preload/logformat.h"

/* Longest line accepted: a 64-frame stack record with long paths is ~40 KiB. Longer lines are
 * garbage and must not make us buffer a whole file. */
#define SL_MAX_LINE (1u << 20)
#define SL_MAX_FRAMES 256
#define SL_MAX_PIDS 256

/* The fields of the log format, from its table (preload/logformat.h): F_v, F_event, ... */
#define FLD_ENUM(key, types, elem, req, opt, meaning) F_##key,
enum fld { SL_LOG_FIELDS(FLD_ENUM) F_N };
#undef FLD_ENUM
#define FLD_NAME(key, types, elem, req, opt, meaning) #key,
static const char *const fld_name[F_N] = {SL_LOG_FIELDS(FLD_NAME)};
#undef FLD_NAME
/* and their lengths, so that a lookup compares without a strlen per key (issue 11: a strlen
 * per key of ~40 keys a record was a thirtieth of a million-site report) */
#define FLD_LEN(key, types, elem, req, opt, meaning) sizeof #key - 1,
static const uint8_t fld_len[F_N] = {SL_LOG_FIELDS(FLD_LEN)};
#undef FLD_LEN
#define FLD_TYPES(key, types, elem, req, opt, meaning) types,
static const unsigned fld_types[F_N] = {SL_LOG_FIELDS(FLD_TYPES)};
#undef FLD_TYPES
/* The events, by name, and the fields each requires and knows (ftab_init) */
#define EV_NAME(name, event, meaning) #name,
static const char *const ev_name[SL_LO_N] = {SL_LOG_OBJECTS(EV_NAME)};
#undef EV_NAME
#define EV_IS(name, event, meaning) event,
static const char ev_is_event[SL_LO_N] = {SL_LOG_OBJECTS(EV_IS)};
#undef EV_IS

/* Field lookup by hash: ~30 keys per record times a million records is the hot loop. */
#define FT_SIZE 256
_Static_assert(F_N <= FT_SIZE / 2 && F_N <= 127, "the field table stays sparse");
static signed char ftab[FT_SIZE];
static int ftab_ready;

/* A set of fields: a record's, or those an event requires or knows. One word while the table
 * has at most 64 fields (128-bit operations in on_member cost 1% of a report), two beyond. */
#if SL_LOG_NFIELDS <= 64
typedef uint64_t fset;
#else
typedef unsigned __int128 fset;
#endif
_Static_assert(F_N == SL_LOG_NFIELDS && F_N <= 128, "a set of fields holds every field");
#define FBIT(f) ((fset)1 << (f))
static fset ev_req[SL_LO_N], ev_known[SL_LO_N];

/* The length and three bytes of the key: the table's fields differ in them, and hashing every
 * byte of every key was a twentieth of reading a log (a key that is no field, or collides,
 * costs a probe more) */
static inline unsigned khash(const char *k, size_t n)
{
	const unsigned char *u = (const unsigned char *)k;
	unsigned h = (unsigned)n * 0x9e3779b1u;
	if (n)
		h ^= u[0] * 0x85ebca6bu ^ u[n - 1] * 0xc2b2ae35u ^ u[n / 2] * 0x27d4eb2fu;
	return h ^ h >> 13;
}

/* The scanner's value types (enum sl_jt) each field accepts, as a mask (ftab_init): one test
 * per field. An integer is a number the scanner did not mark real (its range is checked where
 * it is used); a real is tested as SL_J_NONE, which no field accepts. */
static uint8_t fld_jt[F_N];

static uint8_t jt_of_types(unsigned types)
{
	return (uint8_t)((types & SL_JT_NULL ? 1u << SL_J_NULL : 0) |
			 (types & SL_JT_BOOL ? 1u << SL_J_TRUE | 1u << SL_J_FALSE : 0) |
			 (types & SL_JT_INT ? 1u << SL_J_NUM : 0) |
			 (types & SL_JT_STR ? 1u << SL_J_STR : 0) |
			 (types & SL_JT_ARR ? 1u << SL_J_ARR : 0) |
			 (types & SL_JT_OBJ ? 1u << SL_J_OBJ : 0));
}

static int type_ok(const struct sl_jv *v, int f)
{
	unsigned t = v->t == SL_J_NUM && v->esc ? SL_J_NONE : v->t;
	return (fld_jt[f] >> t) & 1;
}

static void ftab_init(void)
{
	memset(ftab, -1, sizeof ftab);
	for (int i = 0; i < F_N; i++) {
		unsigned h = khash(fld_name[i], strlen(fld_name[i])) % FT_SIZE;
		while (ftab[h] >= 0)
			h = (h + 1) % FT_SIZE;
		ftab[h] = (signed char)i;
	}
/* clang-format off */
#define EV_SETS(key, types, elem, req, opt, meaning)                                              \
	for (int o = 0; o < SL_LO_N; o++) {                                                       \
		if ((req) & (1u << o)) ev_req[o] |= FBIT(F_##key);                                \
		if (((req) | (opt)) & (1u << o)) ev_known[o] |= FBIT(F_##key);                    \
	}
	/* clang-format on */
	SL_LOG_FIELDS(EV_SETS)
#undef EV_SETS
	for (int i = 0; i < F_N; i++)
		fld_jt[i] = jt_of_types(fld_types[i]);
	ftab_ready = 1;
}

static inline __attribute__((always_inline)) int fld_of(const char *k, size_t n)
{
	unsigned h = khash(k, n) % FT_SIZE;
	while (ftab[h] >= 0) {
		int f = ftab[h];
		if (n == fld_len[f] && !memcmp(k, fld_name[f], n))
			return f;
		h = (h + 1) % FT_SIZE;
	}
	return -1;
}

/* Fields of one record; only those in `seen` are valid (zeroing 1.3 KiB per line showed up
 * at 10% of a profile). */
struct rec_fields {
	fset seen;
	fset badtype; /* fields whose value is of a type the table does not give them */
	struct sl_jv f[F_N];
};

static int on_member(void *ctx, const char *key, size_t klen, const struct sl_jv *v)
{
	struct rec_fields *r = ctx;
	int i = fld_of(key, klen);
	if (i >= 0) { /* a repeated key: the last one wins, as in jansson */
		r->f[i] = *v;
		r->seen |= FBIT(i);
		/* the table's type test, here where the value is at hand: a load and a shift */
		if (!type_ok(v, i))
			r->badtype |= FBIT(i);
	}
	return 0;
}

enum { C_MODULE = F_N, C_SYMBOL, C_BUILD_ID, C_LANG, C_FILE, C_N };
#define SL_MAX_HOSTS 64

struct reader {
	struct sl_analysis *a;
	const char *name;
	size_t line;
	int unit;
	struct sl_proc *last;
	const char *err; /* reason a record is rejected */
	/* the last interned value of each string field (and frame member): most repeat from one
	 * record to the next (a module path, "CLOSE_WAIT", the boot id), and a compare is cheaper
	 * than a hash and a table probe, a fifth of a million-site report */
	const char *cache[C_N];
	size_t cachen[C_N];
	/* Syslog and journal inputs mix hosts in one stream: each host is its own unit, so equal
	 * pids on two hosts stay two processes. */
	int base_unit, nhosts;
	struct {
		const char *host;
		int unit;
	} hosts[SL_MAX_HOSTS];
	struct sl_env env;
	size_t other; /* other programs' lines */
};

void sl_bad_line(struct sl_analysis *a, const char *name, size_t line, const char *fmt, ...)
{
	va_list ap;
	if (a->bad++ >= (size_t)a->o.max_bad_lines)
		return;
	fprintf(stderr, "sockleak: %s:%zu: ", name, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* ---- typed field access; each sets rd->err on a type mismatch ---- */

/* A string field, interned (or only copied: sl_strdup). An escaped one is unescaped into buf,
 * and cut on a character boundary when longer (the log is valid UTF-8, and every string the
 * model holds stays so). A value equal to the field's last one is that one. */
static const char *keep_str(struct reader *d, int slot, const struct sl_jv *v, char *buf,
			    size_t cap, int intern)
{
	const char *s = v->p, *r;
	size_t n = v->n;
	if (v->esc) {
		long l = sl_jv_str(v, buf, cap);
		if (l < 0)
			return NULL;
		if ((size_t)l >= cap) {
			sl_utf8_trim(buf);
			l = (long)strlen(buf);
		}
		s = buf;
		n = (size_t)l;
	}
	if (d->cache[slot] && d->cachen[slot] == n && !memcmp(d->cache[slot], s, n))
		return d->cache[slot];
	if ((r = intern ? sl_intern(d->a, s, n) : sl_strdup(d->a, s, n))) {
		d->cache[slot] = r;
		d->cachen[slot] = n;
	}
	return r;
}

static const char *intern_str(struct reader *d, int slot, const struct sl_jv *v, char *buf,
			      size_t cap)
{
	return keep_str(d, slot, v, buf, cap, 1);
}

static int present(const struct rec_fields *r, int f) { return (int)((r->seen >> f) & 1); }
static int isnull(const struct rec_fields *r, int f)
{
	return !present(r, f) || r->f[f].t == SL_J_NULL;
}

static int64_t get_int(struct reader *d, const struct rec_fields *r, int f, int64_t dflt)
{
	int64_t x;
	if (isnull(r, f))
		return dflt;
	if (sl_jv_int(&r->f[f], &x)) {
		d->err = fld_name[f];
		return dflt;
	}
	return x;
}

static const char *str_field(struct reader *d, const struct rec_fields *r, int f, int intern)
{
	const struct sl_jv *v = &r->f[f];
	char buf[4096];
	if (isnull(r, f))
		return NULL;
	if (v->t != SL_J_STR) {
		d->err = fld_name[f];
		return NULL;
	}
	return keep_str(d, f, v, buf, sizeof buf, intern);
}

static const char *get_str(struct reader *d, const struct rec_fields *r, int f)
{
	return str_field(d, r, f, 1);
}

static const char *get_str_copy(struct reader *d, const struct rec_fields *r, int f)
{
	return str_field(d, r, f, 0);
}

static int get_hex(struct reader *d, const struct rec_fields *r, int f, uint64_t *out)
{
	if (isnull(r, f))
		return 0;
	if (sl_jv_hex(&r->f[f], out)) {
		d->err = fld_name[f];
		return 0;
	}
	return 1;
}

struct intv {
	int *v;
	int n;
	int bad;
};
static int on_int(void *ctx, size_t idx, const struct sl_jv *v)
{
	struct intv *iv = ctx;
	int64_t x;
	if (sl_jv_int(v, &x) || x < INT32_MIN || x > INT32_MAX) {
		iv->bad = 1;
		return 1;
	}
	if (idx < SL_MAX_PIDS)
		iv->v[iv->n++] = (int)x;
	return 0;
}

static int get_ints(struct reader *d, const struct rec_fields *r, int f, int **out)
{
	const struct sl_jv *v = &r->f[f];
	int tmp[SL_MAX_PIDS];
	struct intv iv = {tmp, 0, 0};
	*out = NULL;
	if (isnull(r, f))
		return 0;
	if (v->t != SL_J_ARR || sl_jv_elems(v, on_int, &iv) || iv.bad) {
		d->err = fld_name[f];
		return 0;
	}
	if (iv.n) {
		if (!(*out = sl_alloc(d->a, sizeof(int) * (size_t)iv.n)))
			return 0;
		memcpy(*out, tmp, sizeof(int) * (size_t)iv.n);
	}
	return iv.n;
}

/* ---- processes ---- */

static struct sl_proc *proc_get(struct reader *d, int pid)
{
	struct sl_analysis *a = d->a;
	struct sl_pkey k = {d->unit, pid};
	struct sl_proc *p;
	if (d->last && d->last->key.unit == k.unit && d->last->pid == pid)
		return d->last;
	HASH_FIND(hh, a->procs, &k, sizeof k, p);
	if (!p) {
		if (!(p = sl_alloc(a, sizeof *p)))
			return NULL;
		p->key = k;
		p->pid = pid;
		p->ppid = -1;
		p->start_ts = p->exit_ts = SL_NONE;
		p->first_ts = INT64_MAX;
		p->last_ts = INT64_MIN;
		p->idx = a->nprocs++;
		HASH_ADD(hh, a->procs, key, sizeof k, p);
		p->next = a->proc_list;
		a->proc_list = p;
	}
	d->last = p;
	return p;
}

/* ---- records ---- */

static void do_start(struct reader *d, const struct rec_fields *r, struct sl_proc *p, int64_t ts)
{
	const char *boot = get_str(d, r, F_boot_id);
	/* exec keeps the pid and writes a new start record: the same holder, a new image */
	p->has_start = 1;
	if (p->start_ts == SL_NONE || ts < p->start_ts)
		p->start_ts = ts;
	p->ppid = (int)get_int(d, r, F_ppid, p->ppid);
	if (boot)
		p->boot = boot;
	const char *s;
	if ((s = get_str(d, r, F_host)))
		p->host = s;
	if ((s = get_str(d, r, F_exe)))
		p->exe = s;
	if ((s = get_str(d, r, F_argv0)))
		p->argv0 = s;
	if ((s = get_str(d, r, F_origin)))
		p->origin = s;
}

struct fr_ctx {
	struct reader *d;
	struct sl_frame *f;
	uint32_t n;
	int bad;
};

static int on_frame_member(void *ctx, const char *key, size_t klen, const struct sl_jv *v)
{
	struct fr_ctx *c = ctx;
	struct sl_frame *f = &c->f[c->n - 1]; /* on_frame took it */
	char buf[4096];
	const char **dst;
	int slot, k = fld_of(key, klen);
	uint64_t x;
	int64_t ln;
	switch (k) {
	case F_ip:
	case F_offset:
		if (v->t == SL_J_NULL)
			return 0;
		if (sl_jv_hex(v, &x))
			return c->bad = 1;
		if (k == F_offset)
			f->offset = x;
		return 0;
	case F_line:
		if (v->t == SL_J_NULL)
			return 0;
		if (sl_jv_int(v, &ln) || ln < 0 || ln > INT32_MAX)
			return c->bad = 1;
		f->line = (int)ln;
		return 0;
	case F_module:
		dst = &f->module;
		slot = C_MODULE;
		break;
	case F_symbol:
		dst = &f->symbol;
		slot = C_SYMBOL;
		break;
	case F_build_id:
		dst = &f->build_id;
		slot = C_BUILD_ID;
		break;
	case F_lang:
		dst = &f->lang;
		slot = C_LANG;
		break;
	case F_file:
		dst = &f->file;
		slot = C_FILE;
		break;
	default:
		return 0; /* a member it does not know: ignored */
	}
	if (v->t == SL_J_NULL)
		return 0;
	if (v->t != SL_J_STR)
		return c->bad = 1;
	*dst = intern_str(c->d, slot, v, buf, sizeof buf);
	return 0;
}

/* A frame's start: its members go to on_frame_member (sl_jv_obj_elems) */
static int on_frame(void *ctx, size_t idx, const struct sl_jv *v)
{
	struct fr_ctx *c = ctx;
	(void)idx;
	if (c->n >= SL_MAX_FRAMES)
		return SL_JV_SKIP;
	if (v->t != SL_J_OBJ)
		return c->bad = 2; /* not SL_JV_SKIP: stops */
	memset(&c->f[c->n], 0, sizeof c->f[c->n]);
	c->n++;
	return 0;
}

static void do_stack(struct reader *d, const struct rec_fields *r, struct sl_proc *p)
{
	struct sl_analysis *a = d->a;
	uint64_t id;
	struct sl_stack *s, *head;
	struct sl_frame tmp[SL_MAX_FRAMES];
	struct fr_ctx c = {d, tmp, 0, 0};
	if (!get_hex(d, r, F_id, &id)) {
		if (!d->err)
			d->err = "id";
		return;
	}
	if (!present(r, F_frames) || r->f[F_frames].t != SL_J_ARR ||
	    sl_jv_obj_elems(&r->f[F_frames], on_frame, on_frame_member, &c) || c.bad) {
		d->err = "frames";
		return;
	}
	head = sl_stack_head(a, id);
	for (s = head; s; s = s->same_id)
		if (s->boot == p->boot)
			return; /* the same stack from another process of the host */
	if (!(s = sl_alloc(a, sizeof *s + sizeof *s->f * c.n)))
		return;
	/* Code in no module, from a process of this boot: its perf map, if it left one, names it
	 * (perfmap.c). From another boot or host, /tmp/perf-PID.map is someone else's. */
	const char *pmap = NULL;
	for (uint32_t i = 0; i < c.n && !pmap; i++)
		if (!tmp[i].lang && (!tmp[i].module || !strcmp(tmp[i].module, "?")) && p->pid > 0 &&
		    !a->symbolise_off && p->boot && p->boot == sl_this_boot(a)) {
			char path[64];
			snprintf(path, sizeof path, "/tmp/perf-%d.map", p->pid);
			if ((pmap = sl_internz(a, path)))
				sl_perfmap_note(a, pmap, p->has_start ? p->start_ts : SL_NONE);
		}
	for (uint32_t i = 0; i < c.n; i++) {
		if (!tmp[i].lang && (!tmp[i].module || !strcmp(tmp[i].module, "?")))
			tmp[i].perfmap = pmap;
		if (!(s->f[i] = sl_frame_intern(a, &tmp[i])))
			return;
	}
	s->id = id;
	s->boot = p->boot;
	s->n = c.n;
	if (head) {
		s->same_id = head->same_id;
		head->same_id = s;
	} else if (sl_stack_add(a, s)) {
		return;
	}
	a->nstacks++;
}

/* An event of its type's size: a struct sl_leak for SL_EV_LEAK, else a struct sl_sev */
static struct sl_ev *ev_new(struct reader *d, int type, struct sl_proc *p, int64_t ts)
{
	struct sl_analysis *a = d->a;
	struct sl_ev *e =
		sl_alloc(a, type == SL_EV_LEAK ? sizeof(struct sl_leak) : sizeof(struct sl_sev));
	if (!e)
		return NULL;
	e->type = (uint8_t)type;
	e->proc = p;
	e->ts = ts;
	e->fd = -1;
	if (type == SL_EV_FORK)
		e->other = -1;
	if (a->ev_tail)
		a->ev_tail->next = e;
	else
		a->ev_head = e;
	a->ev_tail = e;
	a->nev++;
	return e;
}

static int kind_of(const char *k)
{
	for (int i = 0; k && i < SL_K_N; i++)
		if (!strcmp(k, sl_kind_names[i]))
			return i;
	return -1;
}


static void do_leak(struct reader *d, const struct rec_fields *r, struct sl_proc *p, int64_t ts)
{
	const char *ks = get_str(d, r, F_kind);
	int k = kind_of(ks);
	if (k < 0) {
		d->err = ks ? "kind (unknown leak kind)" : "kind";
		return;
	}
	if (!present(r, F_inode) || isnull(r, F_inode)) {
		d->err = "inode (missing)";
		return;
	}
	struct sl_leak l = {0};
	l.local = get_str_copy(d, r, F_local);
	l.peer = get_str_copy(d, r, F_peer);
	l.tcp_state = get_str(d, r, F_tcp_state);
	l.role = get_str(d, r, F_role);
	(void)get_str(d, r, F_family); /* type-checked; no writer shows it */
	l.age_ms = get_int(d, r, F_age_ms, SL_NONE);
	l.open_age_ms = get_int(d, r, F_open_age_ms, SL_NONE);
	l.open_ts = get_int(d, r, F_open_ts_ns, SL_NONE);
	l.eof_ts = get_int(d, r, F_eof_ts_ns, SL_NONE);
	l.cw_ts = get_int(d, r, F_cw_ts_ns, SL_NONE);
	l.has_open = (uint8_t)get_hex(d, r, F_open_stack, &l.open_id);
	l.has_eof = (uint8_t)get_hex(d, r, F_eof_stack, &l.eof_id);
	l.has_handler = (uint8_t)get_hex(d, r, F_handler_stack, &l.handler_id);
	l.inherited = present(r, F_inherited) && r->f[F_inherited].t == SL_J_TRUE;
	uint64_t inode = (uint64_t)get_int(d, r, F_inode, 0);
	int fd = (int)get_int(d, r, F_fd, -1);
	int *pids;
	int np = get_ints(d, r, F_shared_with, &pids);
	if (d->err)
		return;
	/* exit_open says when it was found, not what went wrong: group it with the cause, as the
	 * library's exit summary does (one rule: preload/sitekey.c). */
	l.family_kind =
		(uint8_t)sl_site_family(k, l.has_eof || l.eof_ts != SL_NONE, l.cw_ts != SL_NONE);
	struct sl_ev *e = ev_new(d, SL_EV_LEAK, p, ts);
	if (!e)
		return;
	l.ev = *e;
	l.ev.kind = (uint8_t)k;
	l.ev.inode = inode;
	l.ev.fd = fd;
	l.ev.pids = pids;
	l.ev.npids = np;
	*sl_ev_leak(e) = l;
	d->a->leak_records++;
}

static void do_sock_event(struct reader *d, const struct rec_fields *r, struct sl_proc *p,
			  int64_t ts, int type)
{
	if (!present(r, F_inode) || isnull(r, F_inode)) {
		d->err = "inode (missing)";
		return;
	}
	uint64_t inode = (uint64_t)get_int(d, r, F_inode, 0);
	int fd = (int)get_int(d, r, F_fd, -1);
	int k = kind_of(get_str(d, r, F_kind));
	int *pids = NULL, *rem = NULL, np = 0, nr = 0;
	int64_t ms = SL_NONE;
	const char *text = NULL;
	if (type == SL_EV_CLOSE_SHARED) {
		np = get_ints(d, r, F_shared_with, &pids);
		nr = get_ints(d, r, F_remaining_fds, &rem);
	} else if (type == SL_EV_LATE_CLOSE) {
		ms = get_int(d, r, F_late_ms, SL_NONE);
	} else if (type == SL_EV_ENFORCE) {
		/* result is 0 or an errno name */
		if (present(r, F_result) && r->f[F_result].t == SL_J_STR)
			text = get_str(d, r, F_result);
		else if (get_int(d, r, F_result, 0) != 0)
			text = "failed";
	}
	if (d->err)
		return;
	struct sl_ev *e = ev_new(d, type, p, ts);
	struct sl_sev *se = (struct sl_sev *)e;
	if (!e)
		return;
	e->inode = inode;
	e->fd = fd;
	e->kind = (uint8_t)(k < 0 ? SL_K_N : k);
	e->pids = pids;
	e->npids = np;
	se->rem = rem;
	e->nrem = nr;
	if (type == SL_EV_LATE_CLOSE)
		se->ms = ms; /* they share their bytes */
	else
		se->text = text;
	/* enforce: it succeeded; late_close: the interpreter's finaliser closed it, not the
	 * program (not "closed late": the program never let it go) */
	e->flag = type == SL_EV_ENFORCE ? !text
					: type == SL_EV_LATE_CLOSE && present(r, F_by_runtime) &&
						  r->f[F_by_runtime].t == SL_J_TRUE;
	e->has_stack = (uint8_t)get_hex(d, r, F_stack, &se->stack_id);
}

struct cross_ctx {
	struct reader *d;
	struct sl_proc *p;
	int64_t ts;
	int type, child;
	const char *path;
	uint64_t stack;
	int has_stack, bad, dry;
};

struct cross_one {
	int64_t fd, inode;
	int cloexec, has_inode, bad;
};

static int on_cross_member(void *ctx, const char *key, size_t klen, const struct sl_jv *v)
{
	struct cross_one *o = ctx;
	switch (fld_of(key, klen)) {
	case F_fd:
		if (sl_jv_int(v, &o->fd))
			o->bad = 1;
		break;
	case F_inode:
		if (sl_jv_int(v, &o->inode))
			o->bad = 1;
		else
			o->has_inode = 1;
		break;
	case F_cloexec:
		o->cloexec = v->t == SL_J_TRUE;
		break;
	}
	return 0;
}

static int on_cross(void *ctx, size_t idx, const struct sl_jv *v)
{
	struct cross_ctx *c = ctx;
	struct cross_one o = {-1, 0, 0, 0, 0};
	(void)idx;
	if (v->t != SL_J_OBJ || sl_jv_members(v, on_cross_member, &o) || o.bad || !o.has_inode)
		return c->bad = 1;
	if (c->dry)
		return 0;
	struct sl_ev *e = ev_new(c->d, c->type, c->p, c->ts);
	if (!e)
		return 1;
	e->inode = (uint64_t)o.inode;
	e->fd = (int)o.fd;
	e->other = c->child;
	((struct sl_sev *)e)->text = c->path;
	e->flag = (uint8_t)o.cloexec;
	e->has_stack = (uint8_t)c->has_stack;
	((struct sl_sev *)e)->stack_id = c->stack;
	e->kind = SL_K_N;
	return 0;
}

static void do_cross(struct reader *d, const struct rec_fields *r, struct sl_proc *p, int64_t ts,
		     int type)
{
	struct cross_ctx c = {d, p, ts, type, -1, NULL, 0, 0, 0, 0};
	if (type == SL_EV_FORK) {
		c.child = (int)get_int(d, r, F_child, -1);
		if (c.child < 0 && !d->err)
			d->err = "child (missing)";
	} else {
		c.path = get_str(d, r, F_path);
	}
	c.has_stack = get_hex(d, r, F_stack, &c.stack);
	if (d->err)
		return;
	if (isnull(r, F_sockets))
		return;
	if (r->f[F_sockets].t != SL_J_ARR) {
		d->err = "sockets";
		return;
	}
	/* a dry pass first, so that a bad element leaves no half-applied events */
	c.dry = 1;
	sl_jv_elems(&r->f[F_sockets], on_cross, &c);
	if (c.bad) {
		d->err = "sockets (element without an integer inode)";
		return;
	}
	c.dry = 0;
	sl_jv_elems(&r->f[F_sockets], on_cross, &c);
}

static void do_exit(struct reader *d, const struct rec_fields *r, struct sl_proc *p, int64_t ts)
{
	p->has_exit = 1;
	p->exit_ts = ts;
	p->tracked = get_int(d, r, F_tracked, 0);
	p->open = get_int(d, r, F_open, 0);
	p->leaked = get_int(d, r, F_leaked, 0);
	p->enforced = get_int(d, r, F_enforced, 0);
	p->untracked = get_int(d, r, F_untracked, 0);
	p->dropped = get_int(d, r, F_dropped, 0);
}

/* A program started without the preload, or with its records sent elsewhere. */
static void do_exec_untracked(struct reader *d, const struct rec_fields *r, struct sl_proc *p,
			      int64_t ts)
{
	struct sl_analysis *a = d->a;
	int64_t child = get_int(d, r, F_child, p->pid);
	const char *path = get_str(d, r, F_path), *argv0 = get_str(d, r, F_argv0);
	const char *reason = get_str(d, r, F_reason);
	int64_t ppid = get_int(d, r, F_ppid, -1);
	if (d->err)
		return;
	if (child < 0 || child > INT32_MAX || ppid < -1 || ppid > INT32_MAX) {
		d->err = "child";
		return;
	}
	struct sl_untracked *u = sl_alloc(a, sizeof *u);
	u->pid = (int)child;
	u->ppid = (int)ppid;
	u->path = path;
	u->argv0 = argv0;
	u->reason = reason ? reason : sl_internz(a, "unknown");
	u->ts = ts;
	if (a->untracked_tail)
		a->untracked_tail->next = u;
	else
		a->untracked_head = u;
	a->untracked_tail = u;
	a->nuntracked++;
}

static void do_record(struct reader *d, const char *s, size_t n);

static int host_unit(struct reader *d, const char *h, size_t n)
{
	const char *host = sl_intern(d->a, h, n);

	for (int i = 0; i < d->nhosts; i++)
		if (d->hosts[i].host == host)
			return d->hosts[i].unit;
	if (d->nhosts == SL_MAX_HOSTS)
		return d->base_unit;
	d->hosts[d->nhosts].host = host;
	d->hosts[d->nhosts].unit = d->nhosts ? d->a->units++ : d->base_unit;
	return d->hosts[d->nhosts++].unit;
}

/* A line: a record, or a record inside a syslog line or a journal entry (envelope.h). */
static void do_line(struct reader *d, const char *s, size_t n)
{
	switch (sl_envelope(s, n, &d->env)) {
	case SL_ENV_OTHER:
		d->other++;
		return;
	case SL_ENV_BAD:
		sl_bad_line(d->a, d->name, d->line, "%s", d->env.why);
		return;
	case SL_ENV_RECORD:
		d->unit = d->env.host ? host_unit(d, d->env.host, d->env.hostn) : d->base_unit;
		do_record(d, d->env.rec, d->env.n);
		d->unit = d->base_unit;
		return;
	case SL_ENV_PLAIN:
		break;
	}
	do_record(d, s, n);
}

/* The event of a record by name, from the table (SL_LO_*), or -1. */
static int event_of(const char *ev)
{
	for (int o = 0; o < SL_LO_N; o++)
		if (ev_is_event[o] && !strcmp(ev, ev_name[o]))
			return o;
	return -1;
}

/* The lowest field of a non-empty set. */
static int fset_first(fset s)
{
#if SL_LOG_NFIELDS <= 64
	return __builtin_ctzll(s);
#else
	uint64_t lo = (uint64_t)s;
	return lo ? __builtin_ctzll(lo) : 64 + __builtin_ctzll((uint64_t)(s >> 64));
#endif
}

/* "an integer or null", for a mask of SL_JT_* */
static const char *types_text(unsigned types, char *buf, size_t cap)
{
	static const struct {
		unsigned t;
		const char *name;
	} tn[] = {
		{SL_JT_INT, "an integer"}, {SL_JT_STR, "a string"},  {SL_JT_BOOL, "a boolean"},
		{SL_JT_ARR, "an array"},   {SL_JT_OBJ, "an object"}, {SL_JT_NULL, "null"},
	};
	size_t n = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof tn / sizeof tn[0] && n < cap; i++)
		if (types & tn[i].t)
			n += (size_t)snprintf(buf + n, cap - n, "%s%s", n ? " or " : "",
					      tn[i].name);
	return buf;
}

/* A record of a known event, read, against the table: a required field it lacks, or a known
 * field of another type, is named as bad lines are. The record stays counted and used (what
 * the analyser takes from it was checked as it was read): a leak is not lost to a field the
 * analysis can do without. One message per line, the first problem. */
static void check_fields(struct reader *d, const struct rec_fields *r, int o, const char *ev)
{
	fset miss = ev_req[o] & ~r->seen, bad = r->badtype & ev_known[o];
	char e[160], t[96];
	int f;
	if (miss) {
		f = fset_first(miss);
		sl_bad_line(d->a, d->name, d->line,
			    "\"%s\" record: missing field \"%s\" (required "
			    "in log format version %d; the record is used without it)",
			    sl_term_str(e, sizeof e, ev), fld_name[f], SL_LOG_VERSION);
		return;
	}
	/* Tested as the record was scanned (on_member): ~1% of the reader's instructions for
	 * the table's check of required fields and types (callgrind, bench/report-gen.py's log
	 * without symbolisation). */
	if (bad) {
		f = fset_first(bad);
		sl_bad_line(d->a, d->name, d->line,
			    "\"%s\" record: field \"%s\" is not %s (log "
			    "format version %d; the record is used without it)",
			    sl_term_str(e, sizeof e, ev), fld_name[f],
			    types_text(fld_types[f], t, sizeof t), SL_LOG_VERSION);
	}
}

static void do_record(struct reader *d, const char *s, size_t n)
{
	struct sl_analysis *a = d->a;
	struct rec_fields r;
	const char *why;
	size_t col;
	char ev[32];
	r.seen = r.badtype = 0;
	if (sl_jobj_each(s, n, on_member, &r, &why, &col)) {
		sl_bad_line(a, d->name, d->line, "%s at column %zu", why, col + 1);
		return;
	}
	d->err = NULL;
	if (!present(&r, F_event) || r.f[F_event].t != SL_J_STR ||
	    sl_jv_str(&r.f[F_event], ev, sizeof ev) < 0) {
		sl_bad_line(a, d->name, d->line, "no \"event\" string");
		return;
	}
	int64_t v = get_int(d, &r, F_v, -1);
	int64_t pid = get_int(d, &r, F_pid, -1);
	int64_t ts = get_int(d, &r, F_ts_ns, SL_NONE);
	if (d->err || v < 1 || pid < 0 || pid > INT32_MAX || ts == SL_NONE) {
		sl_bad_line(a, d->name, d->line, "%s",
			    v < 1                        ? "missing or bad \"v\""
			    : pid < 0 || pid > INT32_MAX ? "missing or bad \"pid\""
							 : "missing or bad \"ts_ns\"");
		return;
	}
	struct sl_proc *p = proc_get(d, (int)pid);
	if (!p)
		return;
	int o = event_of(ev);
	if (o < 0) {
		a->unknown_events++;
		if (v == SL_LOG_VERSION) {
			/* Version 1 is the table: an event it lacks is a broken (or forged) line.
			 * Events of a newer version are ignored, as the format says. */
			char e[160];
			sl_bad_line(a, d->name, d->line,
				    "\"%s\" record: unknown event (not in log "
				    "format version %d)",
				    sl_term_str(e, sizeof e, ev), SL_LOG_VERSION);
		}
		return;
	}
	/* One case per object of the table and no default: an event added to the table and not
	 * read here is a -Wswitch error. */
	switch ((enum sl_log_object)o) {
	case SL_LO_start:
		do_start(d, &r, p, ts);
		break;
	case SL_LO_stack:
		do_stack(d, &r, p);
		break;
	case SL_LO_leak:
		do_leak(d, &r, p, ts);
		break;
	case SL_LO_late_close:
		do_sock_event(d, &r, p, ts, SL_EV_LATE_CLOSE);
		break;
	case SL_LO_enforce:
		do_sock_event(d, &r, p, ts, SL_EV_ENFORCE);
		break;
	case SL_LO_close_shared:
		do_sock_event(d, &r, p, ts, SL_EV_CLOSE_SHARED);
		break;
	case SL_LO_fork:
		do_cross(d, &r, p, ts, SL_EV_FORK);
		break;
	case SL_LO_exec:
		do_cross(d, &r, p, ts, SL_EV_EXEC);
		break;
	case SL_LO_exit:
		do_exit(d, &r, p, ts);
		break;
	case SL_LO_exec_untracked:
		do_exec_untracked(d, &r, p, ts);
		break;
	case SL_LO_frame: /* nested objects, never events (event_of) */
	case SL_LO_socket:
	case SL_LO_N:
		break;
	}
	if (d->err) {
		char e[160];
		sl_bad_line(a, d->name, d->line, "\"%s\" record: bad field \"%s\"",
			    sl_term_str(e, sizeof e, ev), d->err);
		return;
	}
	if (v == SL_LOG_VERSION)
		check_fields(d, &r, o, ev);
	a->records++;
	if (ts < p->first_ts)
		p->first_ts = ts;
	if (ts > p->last_ts)
		p->last_ts = ts;
	if (ts < a->t_min)
		a->t_min = ts;
	if (ts > a->t_max)
		a->t_max = ts;
}

int sl_read_stream(struct sl_analysis *a, FILE *f, const char *name)
{
	char ename[1024]; /* a file name in a shared log directory is chosen by its writer */
	struct reader d;
	size_t cap = 1 << 16, len = 0;
	char *buf = malloc(cap);
	int skipping = 0, r = 0;
	char chunk[1 << 16];
	size_t got;
	if (!buf)
		return ENOMEM;
	memset(&d, 0, sizeof(d));
	d.a = a;
	d.name = sl_term_str(ename, sizeof ename, name);
	d.unit = d.base_unit = a->units++;
	if (!ftab_ready)
		ftab_init();
	a->inputs++;
	/* Our own line splitter instead of getline: a garbage file without newlines must cost at
	 * most SL_MAX_LINE of memory. */
	while (!a->oom && (got = fread(chunk, 1, sizeof chunk, f)) > 0) {
		const char *p = chunk, *end = chunk + got;
		while (p < end) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			size_t take = (size_t)((nl ? nl : end) - p);
			if (!skipping) {
				if (len + take > SL_MAX_LINE) {
					skipping = 1;
					len = 0;
				} else {
					if (len + take > cap) {
						while (len + take > cap)
							cap *= 2;
						char *nb = realloc(buf, cap);
						if (!nb) {
							r = ENOMEM;
							goto out;
						}
						buf = nb;
					}
					memcpy(buf + len, p, take);
					len += take;
				}
			}
			p += take;
			if (!nl)
				break;
			p++;
			d.line++;
			a->lines++;
			if (skipping) {
				sl_bad_line(a, name, d.line, "line longer than %u bytes",
					    SL_MAX_LINE);
				skipping = 0;
			} else if (len && !a->oom) {
				do_line(&d, buf, len);
			}
			len = 0;
		}
	}
	if (ferror(f)) {
		r = errno ? errno : EIO;
		fprintf(stderr, "sockleak: %s: read error: %s\n", d.name, strerror(r));
	}
	/* the last line had no newline: a truncated write, or fine */
	if (!a->oom && (skipping || len)) {
		d.line++;
		a->lines++;
		if (skipping)
			sl_bad_line(a, d.name, d.line, "line longer than %u bytes", SL_MAX_LINE);
		else
			do_line(&d, buf, len);
	}
out:
	if (d.other)
		fprintf(stderr, "sockleak: %s: %zu line(s) of other programs skipped\n", d.name,
			d.other);
	free(d.env.buf);
	free(buf);
	return r;
}
