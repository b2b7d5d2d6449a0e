/* SARIF 2.1.0: one rule per leak kind, one result per site, located at the source line of the
 * site's program frame so code-scanning UIs annotate the code. Open and EOF stacks go into
 * "stacks" and the EOF read into "relatedLocations". */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
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
	[SL_K_IDLE] = "The connection had no I/O for idle_ms: the program holds a connection it no "
		      "longer uses. Close connections when their work is done, or bound their idle "
		      "time.",
	[SL_K_GC] = "The program dropped the socket without closing it; the interpreter's garbage "
		    "collector or its shutdown closed it (Python's ResourceWarning). Close it, or use "
		    "a with block.",
};

/* RFC 3986: keep unreserved and '/', escape the rest; absolute paths become file:// URIs. */
static void uri(const char *path, char *buf, size_t cap)
{
	static const char hexd[] = "0123456789ABCDEF";
	size_t o = 0;
	if (path[0] == '/') o = (size_t)snprintf(buf, cap, "file://");
	for (const unsigned char *p = (const unsigned char *)path; *p && o + 4 < cap; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    strchr("-._~/", *p)) {
			buf[o++] = (char)*p;
		} else {
			buf[o++] = '%';
			buf[o++] = hexd[*p >> 4];
			buf[o++] = hexd[*p & 15];
		}
	}
	buf[o] = 0;
}

static json_t *phys(const struct sl_an *a, const char *file, int line)
{
	char u[4096];
	const char *p = sl_path(a, file);
	uri(p, u, sizeof u);
	json_t *art = json_pack("{s:s}", "uri", u);
	if (p[0] != '/') sl_jset(art, "uriBaseId", json_string("%SRCROOT%"));
	json_t *o = json_pack("{s:o}", "artifactLocation", art);
	if (line > 0) sl_jset(o, "region", json_pack("{s:i}", "startLine", line));
	return o;
}

static json_t *frame_loc(const struct sl_an *a, const struct sl_frame *fr, const struct sl_symf *sf)
{
	json_t *loc = json_object();
	char buf[512];
	const char *fn = sf && sf->func ? sf->func : fr->symbol;
	if (sf && sf->file) sl_jset(loc, "physicalLocation", phys(a, sf->file, sf->line));
	if (fn)
		sl_jset(loc, "logicalLocations",
				    json_pack("[{s:o,s:s}]", "fullyQualifiedName", sl_json_str(fn), "kind", "function"));
	sl_fmt_frame(a, fr, sf, buf, sizeof buf);
	sl_jset(loc, "message", json_pack("{s:o}", "text", sl_json_str(buf)));
	return loc;
}

static json_t *stack(const struct sl_an *a, const struct sl_stack *s, const char *msg)
{
	json_t *frames = json_array();
	for (uint32_t i = 0; i < s->n; i++) {
		const struct sl_frame *fr = s->f[i];
		const struct sl_sym *sym = sl_frame_sym(fr);
		int n = sym && sym->n ? sym->n : 1;
		for (int j = 0; j < n; j++) {
			const struct sl_symf *sf = sym && sym->n ? &sym->f[j] : NULL;
			sl_jappend(frames, json_pack("{s:o,s:o}", "location", frame_loc(a, fr, sf),
						     "module", sl_json_str(sl_base(fr->module))));
		}
	}
	return json_pack("{s:{s:s},s:o}", "message", "text", msg, "frames", frames);
}

/* Stable across runs and machines: the site key without absolute paths or addresses of
 * other modules would be nicer, but the key is already function@file:line based. */
static void fingerprint(const char *key, char *buf, size_t cap)
{
	uint64_t h = 1469598103934665603ull;
	for (const char *p = key; *p; p++) h = (h ^ (unsigned char)*p) * 1099511628211ull;
	snprintf(buf, cap, "%016llx", (unsigned long long)h);
}

/* One result: a site */
static json_t *site_result(const struct sl_an *a, const struct sl_site *st)
{
	char title[512], msg[1024], fp[32];
	struct sl_site_stats ss;
	sl_site_stats(st, &ss);
	sl_snprintf(msg, sizeof msg, "%u TCP socket(s) leaked here: %s", st->nsock,
		    sl_site_title(st, title, sizeof title));
	json_t *r = json_pack("{s:s,s:i,s:s,s:{s:o}}", "ruleId", sl_kind_name[st->kind],
			      "ruleIndex", (int)st->kind, "level", "error", "message", "text",
			      sl_json_str(msg));
	json_t *loc = json_object();
	const struct sl_frame *fr;
	const struct sl_symf *sf;
	if (ss.file) {
		sl_jset(loc, "physicalLocation", phys(a, ss.file, ss.line));
	} else {
		/* no source: point at the module so the result still has a location */
		sl_jset(loc, "physicalLocation",
				    phys(a, ss.module ? ss.module : "unknown", 0));
	}
	if (ss.func)
		sl_jset(loc, "logicalLocations",
				    json_pack("[{s:o,s:s}]", "fullyQualifiedName",
					      sl_json_str(ss.func), "kind", "function"));
	sl_jset(r, "locations", json_pack("[o]", loc));
	json_t *stacks = json_array(), *rel = json_array();
	if (st->open) sl_jappend(stacks, stack(a, st->open, "socket opened here"));
	if (st->eof) {
		sl_jappend(stacks, stack(a, st->eof, "EOF read here, no close after"));
		if (sl_stack_site_frame(st->eof, &fr, &sf) >= 0) {
			json_t *l = frame_loc(a, fr, sf);
			sl_jset(l, "id", json_integer(1));
			sl_jset(l, "message", json_pack("{s:s}", "text", "EOF read here"));
			sl_jappend(rel, l);
		}
	}
	sl_jset(r, "stacks", stacks);
	if (json_array_size(rel)) sl_jset(r, "relatedLocations", rel);
	else json_decref(rel);
	char key[2200];
	sl_site_keystr(st, key, sizeof key);
	fingerprint(key, fp, sizeof fp);
	sl_jset(r, "partialFingerprints", json_pack("{s:s}", "sockleakSite/v1", fp));
	json_t *peers = json_array();
	for (size_t j = 0; j < ss.npeers && j < SL_SITE_SET; j++)
		sl_jappend(peers, sl_json_str(ss.peers[j]));
	sl_jset(r, "properties",
			    json_pack("{s:I,s:I,s:I,s:o}", "sockets", (json_int_t)st->nsock,
				      "enforced", (json_int_t)ss.enforced, "shared",
				      (json_int_t)ss.shared, "peers", peers));
	return r;
}

/* The document is the jansson dump of a run with no results, and the results are dumped one
 * by one into its "results": [] at the depth it has there (each newline of a result gets the
 * 8 spaces of its depth; jansson writes no newline inside a string): a million results as one
 * tree took gigabytes. The bytes are those of the whole tree's dump. */
#define RESULTS_KEY "\"results\": ["
#define RESULTS_INDENT "        "

static int put_result(FILE *out, json_t *r, int first)
{
	char *s = r ? json_dumps(r, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII) : NULL;
	json_decref(r);
	if (!s) return ENOMEM;
	fputs(first ? "\n" RESULTS_INDENT : ",\n" RESULTS_INDENT, out);
	for (const char *p = s, *nl; *p; p = nl + 1) {
		if (!(nl = strchr(p, '\n'))) {
			fputs(p, out);
			break;
		}
		fwrite(p, 1, (size_t)(nl - p), out);
		fputs("\n" RESULTS_INDENT, out);
	}
	free(s);
	return 0;
}

static int write_sarif(const struct sl_an *a, FILE *out)
{
	json_t *rules, *results;
	char *doc, *at;
	int r = 0;
	sl_json_reset();
	rules = json_array();
	results = json_array();
	for (int k = 0; k < SL_K_N; k++)
		sl_jappend(rules, json_pack(
			"{s:s,s:s,s:{s:s},s:{s:s},s:{s:s},s:{s:s},s:{s:[s,s]}}", "id", sl_kind_name[k],
			"name", sl_kind_rule[k],
			"shortDescription", "text", sl_kind_title[k], "fullDescription", "text",
			rule_help[k], "help", "text", rule_help[k], "defaultConfiguration", "level",
			"error", "properties", "tags", "reliability", "resource-leak"));
	if (sl_json_failed()) { /* the root would be built on a missing rule */
		json_decref(results);
		json_decref(rules);
		return sl_json_failed();
	}
	json_t *driver = json_pack("{s:s,s:s,s:o}", "name", "sockleak", "version", SL_VERSION,
				   "rules", rules);
	json_t *run = json_pack("{s:{s:o},s:o,s:s,s:{s:I,s:I,s:I,s:b}}", "tool", "driver", driver,
				"results", results, "columnKind", "utf16CodeUnits", "properties",
				"leakedSockets", (json_int_t)a->leaked, "sitesNotItemised",
				(json_int_t)a->more_sites, "socketsNotItemised",
				(json_int_t)(a->more_socks + a->lost_socks), "outOfMemory", a->oom);
	/* relative paths (after --strip-path-prefix) resolve against the prefix */
	const char *pre = a->o.strip_prefix;
	if (pre && *pre) {
		char u[4096], base[4200];
		uri(pre, u, sizeof u);
		snprintf(base, sizeof base, "%s%s", u, u[strlen(u) - 1] == '/' ? "" : "/");
		sl_jset(run, "originalUriBaseIds",
				    json_pack("{s:{s:s}}", "%SRCROOT%", "uri", base));
	}
	json_t *root = json_pack("{s:s,s:s,s:[o]}", "$schema",
				 "https://json.schemastore.org/sarif-2.1.0.json", "version", "2.1.0",
				 "runs", run);
	doc = root ? json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII) : NULL;
	json_decref(root);
	/* the first key "results" after the driver (whose strings are ours, not the log's) */
	if (sl_json_failed() || !doc || !(at = strstr(doc, RESULTS_KEY))) {
		free(doc);
		return sl_json_failed() ? sl_json_failed() : ENOMEM;
	}
	at += strlen(RESULTS_KEY);
	fwrite(doc, 1, (size_t)(at - doc), out);
	for (size_t i = 0; i < a->nsites && !r; i++) {
		r = put_result(out, site_result(a, a->sites[i]), !i);
		if (!r && sl_json_failed()) r = sl_json_failed();
	}
	if (a->nsites) fputs("\n      ", out);
	fputs(at, out);
	fputc('\n', out);
	free(doc);
	if (r) return r;
	return ferror(out) ? EIO : 0;
}

int sl_an_write_sarif(const struct sl_an *a, FILE *out)
{
	return sl_write_owning(a, out, write_sarif);
}
