// SPDX-License-Identifier: MIT
/*
 * The native forest in the kernel: a copy of a loaded hook program (ff_xdp,
 * ff_tc, ff_socket, ff_infer) whose ff_forest_native() body is the model's
 * code (forest_codegen.c), loaded next to the original and put in its
 * place at the hook (loader_native.c).
 *
 * Why a copy of the program and not an extension (freplace) of its stub:
 * this kernel refuses BPF_PROG_TYPE_EXT at load with EPERM before the
 * verifier runs (so do TRACING and LSM; XDP and KPROBE load), and a tail
 * call from ff_run_model_once() would need the context pointer down the
 * pipeline and a call stack above it under 256 bytes (it is ~500). The copy
 * is libbpf's final instructions of the program (subprograms appended, map
 * fds in place) with the stub's two instructions replaced by the body, the
 * calls that cross it moved, and the program's own BTF and function info.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <gelf.h>
#include <libelf.h>

#include "errmsg.h"
#include "forest_native.h"
#include "loader.h"
#include "flowforest.skel.h"

#define STUB_NAME "ff_forest_native"
#define STUB_LEN 2	/* r0 = 1; exit */
#define FF_NATIVE_MAX_FUNCS 64	/* functions of one program */

/* Does insn i refer to another instruction by a relative imm (a call of a
 * subprogram, or a callback's address)? */
static bool is_code_ref(const struct bpf_insn *i)
{
	return (i->code == (BPF_JMP | BPF_CALL) && i->src_reg == BPF_PSEUDO_CALL) ||
	       (i->code == (BPF_LD | BPF_DW | BPF_IMM) && i->src_reg == BPF_PSEUDO_FUNC);
}

static int cmp_u32(const void *a, const void *b)
{
	__u32 x = *(const __u32 *)a, y = *(const __u32 *)b;

	return x < y ? -1 : x > y;
}

/* The subprograms' first instructions, in order: 0 and every target of a
 * code reference. The kernel's function info lists them in this order. */
static __u32 subprog_starts(const struct bpf_insn *in, size_t n, __u32 *starts, __u32 max)
{
	__u32 k = 0, i, j, u = 0;

	starts[k++] = 0;
	for (i = 0; i < n; i++)
		if (is_code_ref(&in[i]) && k < max)
			starts[k++] = i + in[i].imm + 1;
	qsort(starts, k, sizeof(*starts), cmp_u32);
	for (i = 0; i < k; i = j) {
		for (j = i; j < k && starts[j] == starts[i]; j++)
			;
		starts[u++] = starts[i];
	}
	return u;
}

struct prog_btf {
	int btf_fd;
	__u32 n_func;
	struct bpf_func_info *fi;	/* the kernel's, offsets rewritten by us */
	struct btf *btf;
};

static void prog_btf_free(struct prog_btf *b)
{
	if (b->btf_fd >= 0)
		close(b->btf_fd);
	free(b->fi);
	btf__free(b->btf);
}

/* The loaded program's BTF and function info (type ids, in order). */
static int prog_btf_get(int prog_fd, struct prog_btf *b, char *err, size_t errlen)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info), n;

	b->btf_fd = -1;
	b->n_func = 0;
	b->fi = NULL;
	b->btf = NULL;
	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len) || !info.btf_id || !info.nr_func_info)
		return ff_fail(err, errlen, "the program has no BTF function info");
	n = info.nr_func_info;
	b->fi = calloc(n, sizeof(*b->fi));
	if (!b->fi)
		return ff_fail(err, errlen, "out of memory");
	memset(&info, 0, sizeof(info));
	info.nr_func_info = n;
	info.func_info_rec_size = sizeof(*b->fi);
	info.func_info = (__u64)(unsigned long)b->fi;
	len = sizeof(info);
	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len))
		return ff_fail(err, errlen, "cannot read the program's function info: %s",
			       strerror(errno));
	b->n_func = n;
	b->btf_fd = bpf_btf_get_fd_by_id(info.btf_id);
	b->btf = btf__load_from_kernel_by_id(info.btf_id);
	if (b->btf_fd < 0 || !b->btf)
		return ff_fail(err, errlen, "cannot open the program's BTF: %s", strerror(errno));
	return 0;
}

/* The object's functions in .text (its ELF, embedded in the skeleton):
 * name and instructions. */
struct text_func {
	const char *name;
	const struct bpf_insn *code;
	__u32 len;
};

static int text_funcs(Elf *e, struct text_func *out, int max)
{
	Elf_Scn *scn = NULL, *text = NULL, *symtab = NULL;
	size_t shstr, text_idx = 0;
	Elf_Data *td, *sd;
	GElf_Shdr sh;
	int n = 0, i, cnt;

	if (elf_getshdrstrndx(e, &shstr))
		return -1;
	while ((scn = elf_nextscn(e, scn))) {
		const char *nm;

		if (!gelf_getshdr(scn, &sh))
			return -1;
		nm = elf_strptr(e, shstr, sh.sh_name);
		if (sh.sh_type == SHT_SYMTAB)
			symtab = scn;
		else if (nm && !strcmp(nm, ".text")) {
			text = scn;
			text_idx = elf_ndxscn(scn);
		}
	}
	if (!text || !symtab || !gelf_getshdr(symtab, &sh))
		return -1;
	td = elf_getdata(text, NULL);
	sd = elf_getdata(symtab, NULL);
	if (!td || !sd || !sh.sh_entsize)
		return -1;
	cnt = (int)(sh.sh_size / sh.sh_entsize);
	for (i = 0; i < cnt && n < max; i++) {
		GElf_Sym sym;

		if (!gelf_getsym(sd, i, &sym) || GELF_ST_TYPE(sym.st_info) != STT_FUNC ||
		    sym.st_shndx != text_idx || sym.st_value + sym.st_size > td->d_size)
			continue;
		out[n].name = elf_strptr(e, sh.sh_link, sym.st_name);
		out[n].code = (const struct bpf_insn *)((const char *)td->d_buf + sym.st_value);
		out[n].len = (__u32)(sym.st_size / sizeof(struct bpf_insn));
		n++;
	}
	return n;
}

/* Is the libbpf copy `c` of `len` instructions the function `f`? The same
 * length and opcodes (libbpf rewrites immediates: calls, map fds). */
static bool same_code(const struct bpf_insn *c, __u32 len, const struct text_func *f)
{
	__u32 i;

	if (f->len != len)
		return false;
	for (i = 0; i < len; i++)
		if (c[i].code != f->code[i].code || c[i].dst_reg != f->code[i].dst_reg)
			return false;
	return true;
}

/*
 * The function info of libbpf's final instructions `in` (subprogram starts
 * `starts`, ns of them): the kernel's own (bpf_prog_info) lacks the
 * subprograms its verifier found dead (ff_make_room when eviction is off),
 * so each subprogram is named by the .text function it was copied from.
 */
static int func_info_of(const struct bpf_program *prog, const struct bpf_insn *in, size_t n,
			const __u32 *starts, __u32 ns, const struct prog_btf *b,
			struct bpf_func_info *fi)
{
	struct text_func tf[FF_NATIVE_MAX_FUNCS];
	size_t sz;
	const void *bytes = flowforest_bpf__elf_bytes(&sz);
	Elf *e;
	int nt, rc = 0, id;
	__u32 i, j;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return -1;
	e = elf_memory((char *)bytes, sz);
	if (!e)
		return -1;
	nt = text_funcs(e, tf, FF_NATIVE_MAX_FUNCS);
	id = btf__find_by_name_kind(b->btf, bpf_program__name(prog), BTF_KIND_FUNC);
	if (nt < 0 || id <= 0)
		rc = -1;
	fi[0] = (struct bpf_func_info){ 0, (__u32)id };
	for (i = 1; i < ns && !rc; i++) {
		__u32 len = (i + 1 < ns ? starts[i + 1] : (__u32)n) - starts[i];

		for (j = 0; j < (__u32)nt; j++)
			if (same_code(in + starts[i], len, &tf[j]))
				break;
		id = j < (__u32)nt ? btf__find_by_name_kind(b->btf, tf[j].name, BTF_KIND_FUNC) : -1;
		if (id <= 0)
			rc = -1;
		fi[i] = (struct bpf_func_info){ starts[i], (__u32)id };
	}
	elf_end(e);
	return rc;
}

/* Index of the stub among the functions, or -1. */
static int stub_index(const struct prog_btf *b)
{
	__u32 i;

	for (i = 0; i < b->n_func; i++) {
		const struct btf_type *t = btf__type_by_id(b->btf, b->fi[i].type_id);

		if (t && !strcmp(btf__name_by_offset(b->btf, t->name_off), STUB_NAME))
			return (int)i;
	}
	return -1;
}

/* in[0..n) with in[at .. at + STUB_LEN) replaced by body[0..bn), code
 * references across it moved. */
static struct bpf_insn *splice(const struct bpf_insn *in, size_t n, size_t at,
			       const struct bpf_insn *body, size_t bn)
{
	size_t total = n - STUB_LEN + bn, i;
	long delta = (long)bn - STUB_LEN;
	struct bpf_insn *out = malloc(total * sizeof(*out));

	if (!out)
		return NULL;
	memcpy(out, in, at * sizeof(*in));
	memcpy(out + at, body, bn * sizeof(*body));
	memcpy(out + at + bn, in + at + STUB_LEN, (n - at - STUB_LEN) * sizeof(*in));
	for (i = 0; i < n; i++) {
		long to, ni, nt;

		if (i >= at && i < at + STUB_LEN)
			continue;
		if (!is_code_ref(&in[i]))
			continue;
		to = (long)i + in[i].imm + 1;
		ni = (long)i < (long)at ? (long)i : (long)i + delta;
		nt = to <= (long)at ? to : to + delta;
		out[ni].imm = (__s32)(nt - ni - 1);
	}
	return out;
}

static bool is_stub(const struct bpf_insn *i)
{
	return i[0].code == (BPF_ALU64 | BPF_MOV | BPF_K) && i[0].dst_reg == 0 && i[0].imm == 1 &&
	       i[1].code == (BPF_JMP | BPF_EXIT);
}

/* Load `code`; on failure, again with the verifier's log for its reason
 * (its last line). */
static int load_copy(const struct bpf_program *prog, const struct prog_btf *b,
		     const struct bpf_insn *code, size_t n, __u32 n_func, char *err, size_t errlen)
{
	LIBBPF_OPTS(bpf_prog_load_opts, o, .prog_btf_fd = b->btf_fd, .func_info = b->fi,
		    .func_info_cnt = n_func, .func_info_rec_size = sizeof(*b->fi),
		    .expected_attach_type = bpf_program__expected_attach_type(prog),
		    .prog_flags = bpf_program__flags(prog));
	enum bpf_prog_type type = bpf_program__type(prog);
	const char *name = bpf_program__name(prog);
	char *log, *last;
	size_t l;
	int fd, e;

	fd = bpf_prog_load(type, name, "Dual MIT/GPL", code, n, &o);
	if (fd >= 0)
		return fd;
	e = errno;
	log = calloc(1, FF_NATIVE_LOG);
	if (!log)
		return ff_fail(err, errlen, "the kernel refused the native forest: %s", strerror(e));
	o.log_buf = log;
	o.log_size = FF_NATIVE_LOG;
	o.log_level = 1;
	fd = bpf_prog_load(type, name, "Dual MIT/GPL", code, n, &o);
	if (fd >= 0) {	/* loaded the second time: fine */
		free(log);
		return fd;
	}
	l = strlen(log);
	while (l && log[l - 1] == '\n')
		log[--l] = 0;
	last = strrchr(log, '\n');
	ff_fail(err, errlen, "the kernel refused the native forest (%s): %s", strerror(e),
		last ? last + 1 : log);
	free(log);
	return -1;
}

int ff_native_load(const struct bpf_program *prog, const struct bpf_insn *body, size_t bn,
		   struct ff_native_prog *out, char *err, size_t errlen)
{
	const struct bpf_insn *in = bpf_program__insns(prog);
	size_t n = bpf_program__insn_cnt(prog);
	struct bpf_func_info *fi = NULL;
	struct prog_btf b;
	__u32 *starts = NULL, ns, i, at;
	struct bpf_insn *code = NULL;
	int s, fd = -1;

	out->fd = -1;
	if (prog_btf_get(bpf_program__fd(prog), &b, err, errlen))
		goto out;
	starts = calloc(FF_NATIVE_MAX_FUNCS, sizeof(*starts));
	if (!starts) {
		ff_fail(err, errlen, "out of memory");
		goto out;
	}
	ns = subprog_starts(in, n, starts, FF_NATIVE_MAX_FUNCS);
	fi = calloc(ns, sizeof(*fi));
	if (!fi || func_info_of(prog, in, n, starts, ns, &b, fi)) {
		ff_fail(err, errlen, "%s: cannot name its functions", bpf_program__name(prog));
		goto out;
	}
	free(b.fi);	/* from here on, the function info of the copy */
	b.fi = fi;
	b.n_func = ns;
	fi = NULL;
	s = stub_index(&b);
	if (s < 0 || starts[s] + STUB_LEN > n || !is_stub(&in[starts[s]]) ||
	    ((__u32)s + 1 < ns && starts[s + 1] != starts[s] + STUB_LEN)) {
		ff_fail(err, errlen, "%s: no %s stub where expected", bpf_program__name(prog),
			STUB_NAME);
		goto out;
	}
	at = starts[s];
	code = splice(in, n, at, body, bn);
	if (!code) {
		ff_fail(err, errlen, "out of memory");
		goto out;
	}
	for (i = 0; i < ns; i++)
		b.fi[i].insn_off = starts[i] <= at ? starts[i] : starts[i] + (__u32)bn - STUB_LEN;
	fd = load_copy(prog, &b, code, n - STUB_LEN + bn, ns, err, errlen);
	if (fd < 0)
		goto out;
	out->fd = fd;
	out->insns = (__u32)bn;
	out->verified_insns = 0;
	{
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);

		if (!bpf_obj_get_info_by_fd(fd, &info, &len))
			out->verified_insns = info.verified_insns;
	}
out:
	prog_btf_free(&b);
	free(fi);
	free(starts);
	free(code);
	return out->fd >= 0 ? 0 : -1;
}

/* The start of function `idx` of the program and the next one's (or the
 * program's end), in its translated instructions. */
static int func_span(const struct prog_btf *b, __u32 idx, __u32 xlated_insns, __u32 *from,
		     __u32 *to)
{
	if (idx >= b->n_func)
		return -1;
	*from = b->fi[idx].insn_off;
	*to = idx + 1 < b->n_func ? b->fi[idx + 1].insn_off : xlated_insns;
	return *to > *from ? 0 : -1;
}

int ff_native_probe(int prog_fd, struct ff_native_info *out)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info), from, to;
	struct bpf_insn *x = NULL;
	struct prog_btf b;
	char err[64];
	int s, rc = -1;

	memset(out, 0, sizeof(*out));
	if (prog_btf_get(prog_fd, &b, err, sizeof(err)))
		goto out;
	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len))
		goto out;
	out->verified_insns = info.verified_insns;
	s = stub_index(&b);
	if (s < 0 || func_span(&b, s, info.xlated_prog_len / sizeof(*x), &from, &to))
		goto out;
	rc = 0;
	if (to - from <= STUB_LEN)
		goto out;	/* the stub's own body: the walk */
	out->attached = true;
	out->insns = to - from;
	/* the body's first instruction holds the generation (forest_codegen.c) */
	x = calloc(info.xlated_prog_len / sizeof(*x), sizeof(*x));
	if (!x)
		goto out;
	len = info.xlated_prog_len;
	memset(&info, 0, sizeof(info));
	info.xlated_prog_len = len;
	info.xlated_prog_insns = (__u64)(unsigned long)x;
	len = sizeof(info);
	if (!bpf_obj_get_info_by_fd(prog_fd, &info, &len) &&
	    x[from].code == (BPF_JMP32 | BPF_JEQ | BPF_K) && x[from].dst_reg == 3)
		out->generation = (__u32)x[from].imm;
out:
	free(x);
	prog_btf_free(&b);
	return rc;
}
