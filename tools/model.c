/* Arena, string interning and small helpers shared by the reader, the join and the writers. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "escape.h"
#include "model.h"

#define SL_K_NAME(id, name, rule, title) name,
#define SL_K_RULE(id, name, rule, title) rule,
#define SL_K_TITLE(id, name, rule, title) title,
const char *const sl_kind_names[SL_K_N] = {SL_LEAK_KINDS(SL_K_NAME)};
const char *const sl_kind_rules[SL_K_N] = {SL_LEAK_KINDS(SL_K_RULE)};
const char *const sl_kind_titles[SL_K_N] = {SL_LEAK_KINDS(SL_K_TITLE)};
/* clang-format off */
const char *const sl_evt_name[SL_EV_N] = { "leak", "late_close", "enforce", "close_shared",
					   "fork", "exec" };
/* clang-format on */

/* Blocks of 1 MiB: the model is many small records that all live until sl_analysis_free, so a bump
 * allocator costs one malloc per megabyte and no per-object header. */
#define SL_BLK (1u << 20)
/* Given back at the first failed allocation: enough to finish the line being read, join,
 * group and write what was read (issue 11: 10M sites ended "out of memory" with no report). */
#define SL_RESERVE (32u << 20)
struct sl_arena_blk {
	struct sl_arena_blk *next;
	size_t used, cap;
	max_align_t data[];
};

static void *blk_malloc(struct sl_analysis *a, size_t sz)
{
	void *p = malloc(sz);
	if (p || !a->reserve)
		return p;
	free(a->reserve);
	a->reserve = NULL;
	if (!a->oom && !a->finished) {
		a->oom = 1;
		a->oom_lines = a->lines;
		fprintf(stderr,
			"sockleak: out of memory after %zu line(s): no more input is read; the "
			"report covers what was read\n",
			a->lines);
	} else if (!a->oom) {
		a->oom = 2; /* all input was read; what does not fit is counted, not itemised */
		fprintf(stderr,
			"sockleak: out of memory after reading all input: what does not fit "
			"is counted, not itemised\n");
	}
	return malloc(sz);
}

void *sl_alloc(struct sl_analysis *a, size_t n)
{
	struct sl_arena_blk *b = a->arena;
	/* 8-byte alignment: the model holds pointers and 64-bit integers, nothing wider */
	n = (n + 7) & ~(size_t)7;
	if (!b || b->cap - b->used < n) {
		/* start small (a fuzz run or a tiny log), double up to SL_BLK */
		size_t grow = b && b->cap < SL_BLK ? b->cap * 2 : b ? SL_BLK : SL_BLK / 16;
		size_t cap = n > SL_BLK / 2 ? n : grow;
		struct sl_arena_blk *nb = blk_malloc(a, sizeof *nb + cap);
		if (!nb)
			return NULL;
		nb->used = 0;
		nb->cap = cap;
		if (n > SL_BLK / 2 && b) { /* a big one-off: keep filling the current block */
			nb->next = b->next;
			b->next = nb;
		} else {
			nb->next = b;
			a->arena = nb;
		}
		b = nb;
	}
	void *p = (char *)b->data + b->used;
	b->used += n;
	memset(p, 0, n);
	return p;
}

struct sl_istr {
	uint32_t n; /* lines are at most 1 MiB */
	char s[];
};
struct sl_skey_str {
	const char *s;
	size_t n;
};

static uint64_t istr_hash(const void *it)
{
	const struct sl_istr *e = it;
	return sl_hash_bytes(e->s, e->n, 0);
}

static int istr_eq(const void *it, const void *key)
{
	const struct sl_istr *e = it;
	const struct sl_skey_str *k = key;
	return e->n == k->n && !memcmp(e->s, k->s, k->n);
}

const char *sl_intern(struct sl_analysis *a, const char *s, size_t n)
{
	struct sl_istr *e;
	struct sl_skey_str k = {s, n};
	uint64_t h;
	if (!s)
		return NULL;
	h = sl_hash_bytes(s, n, 0);
	if ((e = sl_tab_find(&a->strs, h, istr_eq, &k)))
		return e->s;
	if (n > UINT32_MAX || !(e = sl_alloc(a, sizeof *e + n + 1)))
		return NULL;
	e->n = (uint32_t)n;
	memcpy(e->s, s, n);
	e->s[n] = 0;
	if (sl_tab_add(&a->strs, h, e, istr_hash))
		return NULL;
	return e->s;
}

const char *sl_internz(struct sl_analysis *a, const char *s)
{
	return s ? sl_intern(a, s, strlen(s)) : NULL;
}

static int set_add(struct sl_analysis *a, const void ***set, size_t *n, const void *v, int str)
{
	size_t i, k = *n < SL_SITE_SET ? *n : SL_SITE_SET;
	for (i = 0; i < k; i++)
		if ((*set)[i] == v || (str && !strcmp((*set)[i], v)))
			return 0;
	if (*n < SL_SITE_SET) {
		if (*n <= 1) {
			const void **ns = sl_alloc(a, sizeof *ns * (*n ? SL_SITE_SET : 1));
			if (!ns)
				return 0;
			if (*n)
				ns[0] = (*set)[0];
			*set = ns;
		}
		(*set)[*n] = v;
	}
	if (*n <= SL_SITE_SET)
		++*n; /* past the set only "more": counting each is not worth it */
	return 1;
}

int sl_set_add(struct sl_analysis *a, const void ***set, size_t *n, const void *v)
{
	return set_add(a, set, n, v, 0);
}

int sl_set_add_str(struct sl_analysis *a, const void ***set, size_t *n, const char *v)
{
	return set_add(a, set, n, v, 1);
}

const char *sl_strdup(struct sl_analysis *a, const char *s, size_t n)
{
	char *r = sl_alloc(a, n + 1);
	if (r)
		memcpy(r, s, n);
	return r;
}

static void arena_free(struct sl_analysis *a)
{
	sl_tab_free(&a->strs);
	HASH_CLEAR(hh, a->procs);
	sl_tab_free(&a->stacks);
	sl_tab_free(&a->frames);
	sl_tab_free(&a->socks);
	sl_tab_free(&a->site_hash);
	for (struct sl_arena_blk *b = a->arena, *n; b; b = n) {
		n = b->next;
		free(b);
	}
	a->arena = NULL;
}

struct sl_analysis *sl_analysis_new(const struct sl_analysis_opts *o)
{
	struct sl_analysis *a = calloc(1, sizeof *a);
	if (!a)
		return NULL;
	a->reserve = malloc(SL_RESERVE);
	if (o)
		a->o = *o;
	if (a->o.max_bad_lines <= 0)
		a->o.max_bad_lines = 20;
	if (!a->o.max_sites)
		a->o.max_sites = SL_MAX_SITES_DEFAULT;
	a->symbolise_off = a->o.no_symbolise;
	a->t_min = INT64_MAX;
	a->max_stories = 20;
	a->t_max = INT64_MIN;
	return a;
}

void sl_analysis_free(struct sl_analysis *a)
{
	if (!a)
		return;
	sl_symcache_free(a);
	sl_perfmap_free(a);
	free(a->sites);
	arena_free(a);
	free(a->reserve);
	free(a);
}

void sl_analysis_set_max_stories(struct sl_analysis *a, size_t n) { a->max_stories = n; }

size_t sl_analysis_leaked(const struct sl_analysis *a) { return a->leaked; }
size_t sl_analysis_closed_late(const struct sl_analysis *a) { return a->late_socks; }
size_t sl_analysis_failing(const struct sl_analysis *a, int fail_on_late)
{
	return fail_on_late || a->late_socks > a->leaked ? a->leaked : a->leaked - a->late_socks;
}
size_t sl_analysis_sites(const struct sl_analysis *a) { return a->nsites + a->more_sites; }
size_t sl_analysis_sites_total(const struct sl_analysis *a) { return a->nsites + a->more_sites; }
size_t sl_analysis_suppressed(const struct sl_analysis *a) { return a->suppressed_socks; }
size_t sl_analysis_bad_lines(const struct sl_analysis *a) { return a->bad; }
int sl_analysis_out_of_memory(const struct sl_analysis *a) { return a->oom; }

/* The sum of one count of the exit records (an int64_t of struct sl_proc at off), and how
 * many processes have it non-zero. */
static int64_t exit_count_sum(const struct sl_analysis *a, size_t off, size_t *procs)
{
	int64_t n = 0;

	*procs = 0;
	for (const struct sl_proc *p = a->proc_list; p; p = p->next) {
		int64_t v = *(const int64_t *)((const char *)p + off);

		if (v > 0) {
			n = sl_sat_add(n, v); /* a log's counts are not to be trusted to add up */
			++*procs;
		}
	}
	return n;
}

int64_t sl_analysis_untracked(const struct sl_analysis *a, size_t *procs)
{
	return exit_count_sum(a, offsetof(struct sl_proc, untracked), procs);
}

int64_t sl_analysis_dropped(const struct sl_analysis *a, size_t *procs)
{
	return exit_count_sum(a, offsetof(struct sl_proc, dropped), procs);
}

int sl_analysis_finish(struct sl_analysis *a)
{
	int r;
	if (a->finished)
		return EINVAL;
	a->finished = 1;
	if (a->o.suppressions && (r = sl_supp_load(a, a->o.suppressions)))
		return r;
	if ((r = sl_join(a)))
		return r;
	return sl_group(a);
}

const char *sl_path(const struct sl_analysis *a, const char *file)
{
	const char *pre = a->o.strip_prefix;
	size_t l;
	if (!file || !pre || !*pre)
		return file;
	l = strlen(pre);
	if (strncmp(file, pre, l) || !file[l])
		return file;
	file += l;
	while (*file == '/')
		file++;
	return file;
}

const char *sl_fmt_utc(int64_t ns, int iso, char *buf, size_t cap)
{
	/* The second's text of the last call, per style: the records of a log come seconds
	 * apart and thousands a second, and gmtime_r, strftime and snprintf per time were a
	 * twentieth of writing a million-site report. The tools are single-threaded. */
	static struct {
		int64_t sec;
		char d[48];
		size_t n;
	} last[2] = {{-1, "", 0}, {-1, "", 0}};
	int64_t sec = ns / 1000000000;
	int ms = (int)(ns / 1000000 % 1000);
	const char *tail = iso ? "Z" : " UTC";
	size_t tn = iso ? 1 : 4;

	iso = !!iso;
	if (ns == SL_NONE || ns < 0) {
		snprintf(buf, cap, "?");
		return buf;
	}
	if (last[iso].sec != sec) {
		time_t t = (time_t)sec;
		struct tm tm;
		if (!gmtime_r(&t, &tm) ||
		    !(last[iso].n =
			      strftime(last[iso].d, sizeof last[iso].d,
				       iso ? "%Y-%m-%dT%H:%M:%S" : "%Y-%m-%d %H:%M:%S", &tm))) {
			last[iso].sec = -1;
			snprintf(buf, cap, "?");
			return buf;
		}
		last[iso].sec = sec;
	}
	if (last[iso].n + 4 + tn < cap) { /* "d.mmm" and the tail: what snprintf made */
		memcpy(buf, last[iso].d, last[iso].n);
		buf[last[iso].n] = '.';
		buf[last[iso].n + 1] = (char)('0' + ms / 100);
		buf[last[iso].n + 2] = (char)('0' + ms / 10 % 10);
		buf[last[iso].n + 3] = (char)('0' + ms % 10);
		memcpy(buf + last[iso].n + 4, tail, tn + 1);
	} else {
		snprintf(buf, cap, "%s.%03d%s", last[iso].d, ms, tail);
	}
	return buf;
}

const char *sl_base(const char *path)
{
	const char *s;
	if (!path)
		return "?";
	s = strrchr(path, '/');
	return s ? s + 1 : path;
}

static uint64_t stack_hash(const void *it)
{
	return sl_hash_u64(((const struct sl_stack *)it)->id);
}

static int stack_eq(const void *it, const void *key)
{
	return ((const struct sl_stack *)it)->id == *(const uint64_t *)key;
}

/* the key: the offset, interned pointers and the line, the first SL_FRAME_KEY bytes */
#define FRAME_KEY SL_FRAME_KEY

static uint64_t frame_hash(const void *it) { return sl_hash_bytes(it, FRAME_KEY, 0xf4); }

static int frame_eq(const void *it, const void *key) { return !memcmp(it, key, FRAME_KEY); }

struct sl_frame *sl_frame_intern(struct sl_analysis *a, const struct sl_frame *f)
{
	uint64_t h = frame_hash(f);
	struct sl_frame *e = sl_tab_find(&a->frames, h, frame_eq, f);
	if (e)
		return e;
	if (!(e = sl_alloc(a, sizeof *e)))
		return NULL;
	memcpy(e, f, FRAME_KEY);
	return sl_tab_add(&a->frames, h, e, frame_hash) ? NULL : e;
}

struct sl_stack *sl_stack_head(struct sl_analysis *a, uint64_t id)
{
	return sl_tab_find(&a->stacks, sl_hash_u64(id), stack_eq, &id);
}

int sl_stack_add(struct sl_analysis *a, struct sl_stack *s)
{
	return sl_tab_add(&a->stacks, sl_hash_u64(s->id), s, stack_hash);
}

struct sl_stack *sl_stack_find(struct sl_analysis *a, const char *boot, uint64_t id)
{
	struct sl_stack *s = sl_stack_head(a, id), *nul = NULL;
	int n = 0;
	for (struct sl_stack *x = s; x; x = x->same_id, n++) {
		if (x->boot == boot)
			return x;
		if (!x->boot && !nul)
			nul = x;
	}
	/* A stack written before its process's start record has no boot id; with one candidate the
	 * id alone is unambiguous. */
	if (nul)
		return nul;
	return n == 1 ? s : NULL;
}

void sl_proc_name(const struct sl_proc *p, char *buf, size_t cap)
{
	const char *n = p->argv0 ? p->argv0 : p->exe;
	if (n)
		sl_snprintf(buf, cap, "%s[%d]", sl_base(n), p->pid);
	else
		snprintf(buf, cap, "pid %d", p->pid);
}

void sl_fmt_frame(const struct sl_analysis *a, const struct sl_frame *fr, const struct sl_symf *sf,
		  char *buf, size_t cap)
{
	const char *fn = sf && sf->func ? sf->func : fr->symbol;
	char where[320];
	if (sf && sf->file)
		sl_snprintf(buf, cap, "%s %s:%d%s", fn ? fn : "??", sl_path(a, sf->file), sf->line,
			    sf->inlined ? " (inlined)" : "");
	else
		sl_strs(buf, cap, fn ? fn : "??", " (", sl_frame_where(fr, where, sizeof where),
			")", (char *)NULL);
}
