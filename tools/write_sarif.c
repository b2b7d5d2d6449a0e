/* SARIF 2.1.0: one rule per leak kind, one result per site, located at the source line of the
 * site's program frame so code-scanning UIs annotate the code. Open and EOF stacks go into
 * "stacks" and the EOF read into "relatedLocations". */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "jwrite.h"
#include "model.h"

static const char *const rule_help[SL_K_N] = {
	[SL_K_EOF] = "A read returned 0 (the peer closed) and the socket stayed open. Close it on "
		     "the EOF path (or shutdown() it if another process or descriptor still holds "
		     "a copy).",
	[SL_K_CW] = "The peer closed the connection but the program never read the EOF, so the "
		    "socket sits in CLOSE_WAIT. Read from idle sockets (or poll for POLLRDHUP) and "
		    "close them.",
	[SL_K_EXIT] = "The socket was still open when the process exited. Close sockets when their "
		      "work is done.",
	[SL_K_IDLE] =
		"The connection carried no data for idle_ms: the program holds a connection it no "
		"longer uses. Close connections when their work is done, or bound their idle "
		"time.",
	[SL_K_GC] =
		"The program dropped the socket without closing it; the interpreter's garbage "
		"collector or its shutdown closed it (Python's ResourceWarning). Close it, or use "
		"a with block.",
};

/* RFC 3986: keep unreserved and '/', escape the rest; absolute paths become file:// URIs. */
static void uri(const char *path, char *buf, size_t cap)
{
	static const char hexd[] = "0123456789ABCDEF";
	size_t o = 0;
	if (path[0] == '/')
		o = (size_t)snprintf(buf, cap, "file://");
	for (const unsigned char *p = (const unsigned char *)path; *p && o + 4 < cap; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~/", *p)) {
			buf[o++] = (char)*p;
		} else {
			buf[o++] = '%';
			buf[o++] = hexd[*p >> 4];
			buf[o++] = hexd[*p & 15];
		}
	}
	buf[o] = 0;
}

/* A result's parts, written directly (jwrite.h) in the bytes jansson's indented dump gave when
 * they were trees: a million results as trees took 40 s. */
static void phys(struct sl_jsondoc *w, const struct sl_analysis *a, const char *file, int line)
{
	char u[4096];
	const char *p = sl_path(a, file);
	uri(p, u, sizeof u);
	sl_jsondoc_open(w, '{');
	sl_jsondoc_key(w, "artifactLocation");
	sl_jsondoc_open(w, '{');
	sl_jsondoc_kstr(w, "uri", u);
	if (p[0] != '/')
		sl_jsondoc_kstr(w, "uriBaseId", "%SRCROOT%");
	sl_jsondoc_close(w, '}');
	if (line > 0) {
		sl_jsondoc_key(w, "region");
		sl_jsondoc_open(w, '{');
		sl_jsondoc_kint(w, "startLine", line);
		sl_jsondoc_close(w, '}');
	}
	sl_jsondoc_close(w, '}');
}

/* {"fullyQualifiedName": fn, "kind": "function"}, with "index" first when idx >= 0 */
static void logical_obj(struct sl_jsondoc *w, int64_t idx, const char *fn)
{
	sl_jsondoc_open(w, '{');
	if (idx >= 0)
		sl_jsondoc_kint(w, "index", idx);
	sl_jsondoc_kstr(w, "fullyQualifiedName", fn);
	sl_jsondoc_kstr(w, "kind", "function");
	sl_jsondoc_close(w, '}');
}

/* [{"fullyQualifiedName": fn, "kind": "function"}], or [{"index": idx}]: the function of
 * run.logicalLocations[idx] (SARIF 2.1.0, 3.33.3) */
static void logical(struct sl_jsondoc *w, const char *fn, int64_t idx)
{
	sl_jsondoc_key(w, "logicalLocations");
	sl_jsondoc_open(w, '[');
	if (idx >= 0) {
		sl_jsondoc_open(w, '{');
		sl_jsondoc_kint(w, "index", idx);
		sl_jsondoc_close(w, '}');
	} else {
		logical_obj(w, -1, fn);
	}
	sl_jsondoc_close(w, ']');
}

/* The functions stack frames name again and again (main, the accept loop, libc's) are written
 * once, in run.logicalLocations, and each frame refers to its entry by index: 40 bytes less a
 * frame, a twelfth of a million-result report, whose copy into the page cache is most of its
 * system time. A function takes an entry the second time a frame names it (the first stays
 * inline); direct-mapped by its name's address, at most LFUNCS entries. */
#define LSLOTS 4096
#define LFUNCS 65536
struct lfuncs {
	struct {
		const char *fn;
		int32_t idx; /* -1: seen once */
	} slot[LSLOTS];
	const char **v; /* run.logicalLocations, in index order */
	size_t n, cap;
};

static int64_t lfunc_index(struct lfuncs *lf, const char *fn)
{
	size_t h;
	if (!lf || !fn)
		return -1;
	h = ((uintptr_t)fn >> 3 ^ (uintptr_t)fn >> 15) % LSLOTS;
	if (lf->slot[h].fn != fn) {
		if (lf->slot[h].fn && lf->slot[h].idx >= 0)
			return -1; /* an entry stays: a second one would name it twice */
		lf->slot[h].fn = fn;
		lf->slot[h].idx = -1;
		return -1;
	}
	if (lf->slot[h].idx < 0 && lf->n < LFUNCS) {
		if (lf->n == lf->cap) {
			size_t nc = lf->cap ? lf->cap * 2 : 64;
			const char **nv = realloc(lf->v, nc * sizeof *nv);
			if (!nv)
				return -1;
			lf->v = nv;
			lf->cap = nc;
		}
		lf->v[lf->n] = fn;
		lf->slot[h].idx = (int32_t)lf->n++;
	}
	return lf->slot[h].idx;
}

/* A message's "text" is plain text in which SARIF gives meaning to some characters (2.1.0,
 * 3.11.5 and 3.11.6), and GitHub code scanning renders it so: "[text](N)" is an embedded link
 * and "{0}" a placeholder. Names from a log ("f[x](https://evil)", "std::function<void{}>")
 * must show as written: brackets and backslashes are escaped with a backslash, braces
 * doubled. */
static void text_msg(struct sl_jsondoc *w, const char *text)
{
	char esc[4096];
	size_t o = 0, n = strcspn(text, "[]{}\\");
	/* the usual text has none of them: written as it is, without the copy (a result's
	 * messages were a seventh of the writer) */
	if (!text[n] && n + 3 < sizeof esc) {
		sl_jsondoc_key(w, "message");
		sl_jsondoc_open(w, '{');
		sl_jsondoc_kstr(w, "text", text);
		sl_jsondoc_close(w, '}');
		return;
	}
	for (const char *p = text; *p && o + 3 < sizeof esc; p++) {
		if (*p == '[' || *p == ']' || *p == '\\')
			esc[o++] = '\\';
		else if (*p == '{' || *p == '}')
			esc[o++] = *p;
		esc[o++] = *p;
	}
	esc[o] = 0;
	sl_jsondoc_key(w, "message");
	sl_jsondoc_open(w, '{');
	sl_jsondoc_kstr(w, "text", esc);
	sl_jsondoc_close(w, '}');
}

/* A frame's location; a related one (EOF read) has its own message and an id after it */
static void frame_loc(struct sl_jsondoc *w, const struct sl_analysis *a, const struct sl_frame *fr,
		      const struct sl_symf *sf, int related, int64_t idx)
{
	char buf[512];
	const char *fn = sf && sf->func ? sf->func : fr->symbol;
	sl_jsondoc_open(w, '{');
	if (sf && sf->file) {
		sl_jsondoc_key(w, "physicalLocation");
		phys(w, a, sf->file, sf->line);
	}
	if (fn)
		logical(w, fn, idx);
	sl_fmt_frame(a, fr, sf, buf, sizeof buf);
	text_msg(w, related ? "EOF read here" : buf);
	if (related)
		sl_jsondoc_kint(w, "id", 1);
	sl_jsondoc_close(w, '}');
}

static void stack(struct sl_jsondoc *w, const struct sl_analysis *a, const struct sl_stack *s,
		  const char *msg, struct sl_jsoncache *fc, struct lfuncs *lf)
{
	sl_jsondoc_open(w, '{');
	text_msg(w, msg);
	sl_jsondoc_key(w, "frames");
	sl_jsondoc_open(w, '[');
	for (struct sl_stack_walk k = {.s = s}; sl_stack_walk_next(&k);) {
		const struct sl_frame *fr = k.fr;
		const struct sl_symf *sf = k.sf;
		const char *fn = sf && sf->func ? sf->func : fr->symbol;
		size_t at;
		int64_t idx;
		if (sl_jsoncache_put(w, fc, fr, sf))
			continue;
		idx = lfunc_index(lf, fn);
		sl_jsondoc_open(w, '{');
		at = w->n - 1;
		sl_jsondoc_key(w, "location");
		frame_loc(w, a, fr, sf, 0, idx);
		sl_jsondoc_kstr(w, "module", sl_base(fr->module));
		sl_jsondoc_close(w, '}');
		/* kept once its function is in run.logicalLocations (or it names none): a frame
		 * written inline the first time is written again by index */
		if (idx >= 0 || !fn)
			sl_jsoncache_keep(fc, w, at, fr, sf);
	}
	sl_jsondoc_close(w, ']');
	sl_jsondoc_close(w, '}');
}

/* Stable across runs and machines: the site key without absolute paths or addresses of
 * other modules would be nicer, but the key is already function@file:line based. */
static void fingerprint(const char *key, char *buf, size_t cap)
{
	uint64_t h = 1469598103934665603ull;
	for (const char *p = key; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ull;
	if (cap < 17) { /* not ours: every caller gives 32 */
		if (cap)
			buf[0] = 0;
		return;
	}
	/* "%016llx" without snprintf: one a result, a seventieth of a million-result report */
	for (int i = 15; i >= 0; i--, h >>= 4)
		buf[i] = "0123456789abcdef"[h & 15];
	buf[16] = 0;
}

/* One result: a site */
static void site_result(struct sl_jsondoc *w, const struct sl_analysis *a, const struct sl_site *st,
			struct sl_jsoncache *fc, struct lfuncs *lf)
{
	char msg[1024], fp[32], key[2200];
	struct sl_site_stats ss;
	const struct sl_frame *fr;
	const struct sl_symf *sf;
	sl_site_stats(st, &ss);
	/* Every socket of the site closed late (reported, then closed by the program): a note,
	 * which fails no check by default, as it fails neither `run` nor `report --exitcode`
	 * without fail_on_late (with --fail-on-late it fails them: an error like the others);
	 * some of them: an error that says how many. */
	int all_late = ss.late_closed && ss.late_closed >= st->nsock;
	int note = all_late && !a->o.fail_on_late;
	char late[96] = "";
	if (all_late)
		snprintf(late, sizeof late, " (all closed late by the program)");
	else if (ss.late_closed)
		snprintf(late, sizeof late, " (%u of them closed late by the program)",
			 ss.late_closed);
	/* "N TCP socket(s) leaked here: title late", the title written in place with the room
	 * the other reports give it (512): with the rest (under 140 bytes) nothing is ever cut */
	size_t o = (size_t)snprintf(msg, sizeof msg, "%u TCP socket(s) leaked here: ", st->nsock);
	sl_site_title(st, msg + o, 512);
	o += strlen(msg + o);
	memcpy(msg + o, late, strlen(late) + 1);
	sl_jsondoc_open(w, '{');
	sl_jsondoc_kstr(w, "ruleId", sl_kind_names[st->kind]);
	sl_jsondoc_kint(w, "ruleIndex", st->kind);
	sl_jsondoc_kstr(w, "level", note ? "note" : "error");
	text_msg(w, msg);
	sl_jsondoc_key(w, "locations");
	sl_jsondoc_open(w, '[');
	sl_jsondoc_open(w, '{');
	sl_jsondoc_key(w, "physicalLocation");
	/* no source: point at the module so the result still has a location */
	if (ss.file)
		phys(w, a, ss.file, ss.line);
	else
		phys(w, a, ss.module ? ss.module : "unknown", 0);
	if (ss.func)
		logical(w, ss.func, -1);
	sl_jsondoc_close(w, '}');
	sl_jsondoc_close(w, ']');
	sl_jsondoc_key(w, "stacks");
	sl_jsondoc_open(w, '[');
	if (st->open)
		stack(w, a, st->open, "socket opened here", fc, lf);
	if (sl_site_handler(st))
		stack(w, a, sl_site_handler(st), "socket first written here", fc, lf);
	if (st->eof)
		stack(w, a, st->eof, "EOF read here, no close after", fc, lf);
	sl_jsondoc_close(w, ']');
	if (st->eof && sl_stack_site_frame(st->eof, &fr, &sf) >= 0) {
		sl_jsondoc_key(w, "relatedLocations");
		sl_jsondoc_open(w, '[');
		frame_loc(w, a, fr, sf, 1, -1);
		sl_jsondoc_close(w, ']');
	}
	sl_site_keystr(st, key, sizeof key);
	fingerprint(key, fp, sizeof fp);
	sl_jsondoc_key(w, "partialFingerprints");
	sl_jsondoc_open(w, '{');
	sl_jsondoc_kstr(w, "sockleakSite/v1", fp);
	sl_jsondoc_close(w, '}');
	sl_jsondoc_key(w, "properties");
	sl_jsondoc_open(w, '{');
	sl_jsondoc_kint(w, "sockets", st->nsock);
	sl_jsondoc_kint(w, "enforced", ss.enforced);
	sl_jsondoc_kint(w, "shared", ss.shared);
	sl_jsondoc_kint(w, "closedLate", ss.late_closed);
	sl_jsondoc_peers(w, &ss);
	sl_jsondoc_close(w, '}');
	sl_jsondoc_close(w, '}');
}

/* "key": {"text": text}, for our own texts (the rules'), which need no escaping */
static void rule_text(struct sl_jsondoc *w, const char *key, const char *text)
{
	sl_jsondoc_key(w, key);
	sl_jsondoc_open(w, '{');
	sl_jsondoc_kstr(w, "text", text);
	sl_jsondoc_close(w, '}');
}

static void rule_json(struct sl_jsondoc *w, int k)
{
	sl_jsondoc_open(w, '{');
	sl_jsondoc_kstr(w, "id", sl_kind_names[k]);
	sl_jsondoc_kstr(w, "name", sl_kind_rules[k]);
	rule_text(w, "shortDescription", sl_kind_titles[k]);
	rule_text(w, "fullDescription", rule_help[k]);
	rule_text(w, "help", rule_help[k]);
	sl_jsondoc_key(w, "defaultConfiguration");
	sl_jsondoc_open(w, '{');
	sl_jsondoc_kstr(w, "level", "error");
	sl_jsondoc_close(w, '}');
	sl_jsondoc_key(w, "properties");
	sl_jsondoc_open(w, '{');
	sl_jsondoc_key(w, "tags");
	sl_jsondoc_open(w, '[');
	sl_jsondoc_str(w, "reliability");
	sl_jsondoc_str(w, "resource-leak");
	sl_jsondoc_close(w, ']');
	sl_jsondoc_close(w, '}');
	sl_jsondoc_close(w, '}');
}

/* One writer, indented as JSON_INDENT(2) but for the results, one a line, written out after
 * each result: a million results as one tree took gigabytes; in the buffer there is one result
 * at a time. */
static int write_sarif(const struct sl_analysis *a, FILE *out)
{
	struct sl_jsondoc w;
	struct sl_jsoncache *fc = sl_jsoncache_new();
	struct lfuncs *lf = calloc(1, sizeof *lf); /* none: every function inline */
	const char *pre = a->o.strip_prefix;
	int r = 0;

	sl_jsondoc_init(&w, 2, 0);
	sl_jsondoc_open(&w, '{');
	sl_jsondoc_kstr(&w, "$schema", "https://json.schemastore.org/sarif-2.1.0.json");
	sl_jsondoc_kstr(&w, "version", "2.1.0");
	sl_jsondoc_key(&w, "runs");
	sl_jsondoc_open(&w, '[');
	sl_jsondoc_open(&w, '{');
	sl_jsondoc_key(&w, "tool");
	sl_jsondoc_open(&w, '{');
	sl_jsondoc_key(&w, "driver");
	sl_jsondoc_open(&w, '{');
	sl_jsondoc_kstr(&w, "name", "sockleak");
	sl_jsondoc_kstr(&w, "version", SL_VERSION);
	sl_jsondoc_key(&w, "rules");
	sl_jsondoc_open(&w, '[');
	for (int k = 0; k < SL_K_N; k++)
		rule_json(&w, k);
	sl_jsondoc_close(&w, ']');
	sl_jsondoc_close(&w, '}');
	sl_jsondoc_close(&w, '}');
	sl_jsondoc_key(&w, "results");
	sl_jsondoc_open(&w, '[');
	/* One result a line, as the json report's sites: the indentation of a result's nine
	 * levels was most of a million results' 2.5 GB, and their writing most of the time
	 * (issue 11's 10 s: 13 s with the kernel's copy of the output). */
	w.flat = w.depth;
	for (size_t i = 0; i < a->nsites && !r; i++) {
		site_result(&w, a, a->sites[i], fc, lf);
		r = sl_jsondoc_flush(&w, out);
	}
	sl_jsondoc_close(&w, ']');
	if (lf && lf->n) { /* after the results, which chose them: one a line as they */
		sl_jsondoc_key(&w, "logicalLocations");
		sl_jsondoc_open(&w, '[');
		w.flat = w.depth;
		/* each with its index, so that two names of one function (at two addresses)
		 * are still distinct items, as the schema's uniqueItems asks */
		for (size_t i = 0; i < lf->n; i++)
			logical_obj(&w, (int64_t)i, lf->v[i]);
		sl_jsondoc_close(&w, ']');
	}
	w.flat = 0;
	sl_jsondoc_kstr(&w, "columnKind", "utf16CodeUnits");
	sl_jsondoc_key(&w, "properties");
	sl_jsondoc_open(&w, '{');
	sl_jsondoc_kint(&w, "leakedSockets", (int64_t)a->leaked);
	sl_jsondoc_kint(&w, "sitesNotItemised", (int64_t)a->more_sites);
	sl_jsondoc_kint(&w, "socketsNotItemised", (int64_t)(a->more_socks + a->lost_socks));
	sl_jsondoc_key(&w, "outOfMemory");
	sl_jsondoc_bool(&w, a->oom);
	sl_jsondoc_close(&w, '}');
	/* relative paths (after --strip-path-prefix) resolve against the prefix */
	if (pre && *pre) {
		char u[4096], base[4200];
		uri(pre, u, sizeof u);
		snprintf(base, sizeof base, "%s%s", u, u[strlen(u) - 1] == '/' ? "" : "/");
		sl_jsondoc_key(&w, "originalUriBaseIds");
		sl_jsondoc_open(&w, '{');
		sl_jsondoc_key(&w, "%SRCROOT%");
		sl_jsondoc_open(&w, '{');
		sl_jsondoc_kstr(&w, "uri", base);
		sl_jsondoc_close(&w, '}');
		sl_jsondoc_close(&w, '}');
	}
	sl_jsondoc_close(&w, '}');
	sl_jsondoc_close(&w, ']');
	sl_jsondoc_close(&w, '}');
	sl_jsondoc_raw(&w, "\n", 1);
	if (!r)
		r = sl_jsondoc_flush(&w, out);
	sl_jsondoc_free(&w);
	sl_jsoncache_free(fc);
	if (lf)
		free(lf->v);
	free(lf);
	if (r)
		return r;
	return ferror(out) ? EIO : 0;
}

int sl_analysis_write_sarif(const struct sl_analysis *a, FILE *out)
{
	return sl_write_owning(a, out, write_sarif);
}
