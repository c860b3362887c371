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

#include "errmsg.h"
#include "forest_native.h"

#define STUB_NAME "ff_forest_native"
#define STUB_LEN 2	/* r0 = 1; exit */

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
		    .expected_attach_type = bpf_program__expected_attach_type(prog));
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
	struct prog_btf b;
	__u32 *starts = NULL, ns, i, at;
	struct bpf_insn *code = NULL;
	int s, fd = -1;

	out->fd = -1;
	if (prog_btf_get(bpf_program__fd(prog), &b, err, errlen))
		goto out;
	starts = calloc(b.n_func + 1, sizeof(*starts));
	if (!starts) {
		ff_fail(err, errlen, "out of memory");
		goto out;
	}
	ns = subprog_starts(in, n, starts, b.n_func + 1);
	s = stub_index(&b);
	if (ns != b.n_func || s < 0 || starts[s] + STUB_LEN > n || !is_stub(&in[starts[s]]) ||
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
	free(starts);
	free(code);
	return out->fd >= 0 ? 0 : -1;
}
