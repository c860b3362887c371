// SPDX-License-Identifier: MIT
/* BPF tests, classification with the hand-written model, checkpoints and events. Harness and conventions: tests/bpfenv/bpf_env.h. */
#include <sched.h>

#include "bpf_env.h"

/* ---- 3. classification with the hand-written model ------------------- */

static void classify_udp_probe_dropped(void **state)
{
	struct pkt_spec s = {
		.family = 4, .proto = 17, .saddr = "10.12.0.1", .daddr = "10.12.0.2",
		.sport = 31337, .dport = 9999, .payload_len = 12,
	};
	struct ff_counters c;
	struct ff_flow_key k;
	struct ff_flow f;
	size_t len;
	int h;

	REQUIRE_BPF();
	key_for(&k, 4, 17, s.saddr, 31337, s.daddr, 9999, false);
	for (h = 0; h < H__N; h++) {
		assert_int_equal(reset_state(), 0);
		assert_int_equal(send_pkt(h, &s, T0_US, &len), drop_ret(h));
		flow_must(&k, &f);
		assert_int_equal(f.cls, CLS_UDP_PROBE);
		assert_int_equal(f.action, FF_ACT_DROP);
		assert_int_equal(f.decided_pkts, 1);
		assert_int_equal(f.score, 1000);
		assert_int_equal(f.decided_us, T0_US);
		assert_int_equal(f.model_gen, cur_gen());
		get_counters(&c);
		assert_int_equal(c.c[FF_C_CLASSIFICATIONS], 1);
		assert_int_equal(c.c[FF_C_DROPPED], 1);
		assert_int_equal(c.class_pkts[CLS_UDP_PROBE], 1);
		assert_int_equal(c.class_pkts[CLS_BENIGN], 0);
		assert_int_equal(c.unclassified_pkts, 0);
		/* The next packet (a checkpoint too) is dropped as well. */
		assert_int_equal(send_pkt(h, &s, T0_US + 10, NULL), drop_ret(h));
		get_counters(&c);
		assert_int_equal(c.c[FF_C_DROPPED], 2);
		assert_int_equal(c.class_pkts[CLS_UDP_PROBE], 2);
	}
	/* Neighbouring ports are not probes. */
	assert_int_equal(reset_state(), 0);
	s.dport = 9998;
	assert_int_equal(send_pkt(H_XDP, &s, T0_US, NULL), XDP_PASS);
	s.dport = 10000;
	assert_int_equal(send_pkt(H_XDP, &s, T0_US, NULL), XDP_PASS);
	/* TCP to 9999 is not a UDP probe. */
	s.proto = 6;
	s.dport = 9999;
	assert_int_equal(send_pkt(H_XDP, &s, T0_US, NULL), XDP_PASS);
	get_counters(&c);
	assert_int_equal(c.c[FF_C_DROPPED], 0);
	assert_int_equal(c.class_pkts[CLS_BENIGN], 3);
}

static void classify_udp_benign_passes(void **state)
{
	struct pkt_spec s = {
		.family = 4, .proto = 17, .saddr = "10.12.1.1", .daddr = "10.12.1.2",
		.sport = 31337, .dport = 5000, .payload_len = 12,
	};
	struct ff_counters c;
	struct ff_flow_key k;
	struct ff_flow f;
	size_t len;
	int h;

	REQUIRE_BPF();
	key_for(&k, 4, 17, s.saddr, 31337, s.daddr, 5000, false);
	for (h = 0; h < H__N; h++) {
		assert_int_equal(reset_state(), 0);
		assert_int_equal(send_pkt(h, &s, T0_US, &len), pass_ret(h, len));
		flow_must(&k, &f);
		assert_int_equal(f.cls, CLS_BENIGN);
		assert_int_equal(f.action, FF_ACT_PASS);
		assert_int_equal(f.decided_pkts, 1);
		get_counters(&c);
		assert_int_equal(c.c[FF_C_CLASSIFICATIONS], 1);
		assert_int_equal(c.c[FF_C_DROPPED], 0);
		assert_int_equal(c.class_pkts[CLS_BENIGN], 1);
	}
	assert_int_equal(pass_ret(H_SOCK, len), 14 + 20 + 8 + 12);
}

static void classify_ping_flood_after_32(void **state)
{
	struct pkt_spec s = {
		.family = 4, .proto = 1, .saddr = "10.13.0.1", .daddr = "10.13.0.2",
		.icmp_type = 8, .icmp_id = 0x4242, .payload_len = 56,
	};
	struct ff_counters c;
	struct ff_flow_key k;
	struct ff_flow f;
	int i;

	REQUIRE_BPF();
	key_for(&k, 4, 1, s.saddr, 0x4242, s.daddr, 0x4242, false);
	for (i = 1; i <= 33; i++) {
		__u32 want = i < 32 ? XDP_PASS : XDP_DROP;

		s.icmp_seq = i;
		if (send_pkt(H_XDP, &s, T0_US + 1000ULL * i, NULL) != want)
			fail_msg("ping %d: expected %s", i, i < 32 ? "XDP_PASS" : "XDP_DROP");
		flow_must(&k, &f);
		if (i == 16 || i == 31) {
			assert_int_equal(f.cls, CLS_BENIGN);
			assert_int_equal(f.decided_pkts, 16);
		}
	}
	flow_must(&k, &f);
	assert_int_equal(f.cls, CLS_PING_FLOOD);
	assert_int_equal(f.action, FF_ACT_DROP);
	assert_int_equal(f.decided_pkts, 32);
	assert_int_equal(f.decided_us, T0_US + 32000);
	assert_int_equal(f.cp_due, 64);
	get_counters(&c);
	/* checkpoints 1, 2, 4, 8, 16, 32 */
	assert_int_equal(c.c[FF_C_CLASSIFICATIONS], 6);
	assert_int_equal(c.c[FF_C_DROPPED], 2);
	assert_int_equal(c.class_pkts[CLS_BENIGN], 31);
	assert_int_equal(c.class_pkts[CLS_PING_FLOOD], 2);
	assert_int_equal(c.unclassified_pkts, 0);
	/* The cached verdict holds in the other hooks too. */
	assert_int_equal(send_pkt(H_TC, &s, T0_US + 34000, NULL), TC_ACT_SHOT);
	assert_int_equal(send_pkt(H_SOCK, &s, T0_US + 35000, NULL), 0);
}

/* A FIN or RST is a checkpoint of its own (FF_CP_ON_FIN_RST). */
static void classify_on_fin(void **state)
{
	struct pkt_spec s = {
		.family = 4, .proto = 6, .saddr = "10.13.1.1", .daddr = "10.13.1.2",
		.sport = 999, .dport = 80, .tcp_flags = 0x10,
	};
	struct ff_counters c;
	struct ff_flow_key k;
	struct ff_flow f;

	REQUIRE_BPF();
	key_for(&k, 4, 6, s.saddr, 999, s.daddr, 80, false);
	send_pkt(H_XDP, &s, T0_US, NULL);	/* 1: checkpoint */
	send_pkt(H_XDP, &s, T0_US + 1, NULL);	/* 2: checkpoint */
	send_pkt(H_XDP, &s, T0_US + 2, NULL);	/* 3: none */
	get_counters(&c);
	assert_int_equal(c.c[FF_C_CLASSIFICATIONS], 2);
	s.tcp_flags = 0x11;
	send_pkt(H_XDP, &s, T0_US + 3, NULL);	/* 4: checkpoint and FIN */
	s.tcp_flags = 0x11;
	send_pkt(H_XDP, &s, T0_US + 4, NULL);	/* 5: FIN */
	get_counters(&c);
	assert_int_equal(c.c[FF_C_CLASSIFICATIONS], 4);
	flow_must(&k, &f);
	assert_int_equal(f.decided_pkts, 5);
	assert_int_equal(f.ended, 1);
}

/* The default schedule: 1, 2, 4, ..., 1024, then every 1024 packets. */
static void classify_checkpoint_schedule(void **state)
{
	struct pkt_spec s = {
		.family = 4, .proto = 17, .saddr = "10.13.2.1", .daddr = "10.13.2.2",
		.sport = 100, .dport = 200,
	};
	uint8_t frame[128];
	struct ff_counters c;
	struct ff_flow_key k;
	struct ff_flow f;
	size_t len;
	int i, want = 0;

	REQUIRE_BPF();
	key_for(&k, 4, 17, s.saddr, 100, s.daddr, 200, false);
	len = pkt_build(&s, frame, sizeof(frame));
	for (i = 1; i <= 3072; i++) {
		set_clock_us(T0_US + i);
		run_frame(H_XDP, frame, len);
		if ((i <= 1024 && !(i & (i - 1))) || i % 1024 == 0)
			want++;
		if (i == 1023 || i == 1024 || i == 2047 || i == 2048 || i == 3072) {
			get_counters(&c);
			if (c.c[FF_C_CLASSIFICATIONS] != (__u64)want)
				fail_msg("after %d packets: %llu classifications, expected %d",
					 i, (unsigned long long)c.c[FF_C_CLASSIFICATIONS], want);
		}
	}
	assert_int_equal(want, 11 + 2);
	flow_must(&k, &f);
	assert_int_equal(f.decided_pkts, 3072);
	assert_int_equal(f.cp_due, 4096);
}

/* issue 10 item 4: a count that steps over a checkpoint (another CPU's
 * packet in between) still classifies, and the schedule goes on. */
static void classify_count_jumps_checkpoint(void **state)
{
	struct pkt_spec s = {
		.family = 4, .proto = 17, .saddr = "10.13.3.1", .daddr = "10.13.3.2",
		.sport = 100, .dport = 200,
	};
	struct ff_counters c;
	struct ff_flow_key k;
	struct ff_flow f;
	int i;

	REQUIRE_BPF();
	key_for(&k, 4, 17, s.saddr, 100, s.daddr, 200, false);
	for (i = 1; i <= 3; i++)
		send_pkt(H_XDP, &s, T0_US + i, NULL);		/* 1, 2: checkpoints */
	flow_must(&k, &f);
	f.dir[FF_DIR_BWD].pkts++;				/* 3 -> 5 next */
	assert_int_equal(bpf_map_update_elem(env.flows_fd, &k, &f, BPF_EXIST), 0);
	send_pkt(H_XDP, &s, T0_US + 4, NULL);
	get_counters(&c);
	assert_int_equal(c.c[FF_C_CLASSIFICATIONS], 3);
	flow_must(&k, &f);
	assert_int_equal(f.decided_pkts, 5);
	assert_int_equal(f.cp_due, 8);
	for (i = 5; i <= 7; i++)
		send_pkt(H_XDP, &s, T0_US + i, NULL);		/* 6, 7, 8 */
	get_counters(&c);
	assert_int_equal(c.c[FF_C_CLASSIFICATIONS], 4);
}

/* ---- 4. events ------------------------------------------------------- */

static void events_udp_probe_classified_once(void **state)
{
	struct pkt_spec s = {
		.family = 4, .proto = 17, .saddr = "10.14.0.9", .daddr = "10.14.0.2",
		.sport = 31337, .dport = 9999, .payload_len = 12,
	};
	struct ff_counters c;
	struct ff_flow_key k;
	const struct ff_event *e;

	REQUIRE_BPF();
	assert_int_equal(key_for(&k, 4, 17, s.saddr, 31337, s.daddr, 9999, false), 1);
	assert_int_equal(send_pkt(H_XDP, &s, T0_US + 77, NULL), XDP_DROP);
	assert_int_equal(poll_events(), 1);
	e = &env.ev[0];
	assert_int_equal(e->type, FF_EV_CLASSIFIED);
	assert_int_equal(e->cls, CLS_UDP_PROBE);
	assert_int_equal(e->prev_cls, FF_CLASS_NONE);
	assert_int_equal(e->action, FF_ACT_DROP);
	assert_int_equal(e->score, 1000);
	assert_int_equal(e->pkts, 1);
	assert_int_equal(e->bytes, 20 + 8 + 12);
	assert_int_equal(e->ts_us, T0_US + 77);
	assert_int_equal(e->first_us, T0_US + 77);
	assert_int_equal(e->last_us, T0_US + 77);
	assert_int_equal(e->initiator_is_b, 1);
	assert_int_equal(e->model_gen, cur_gen());
	assert_memory_equal(&e->key, &k, sizeof(k));

	/* Decided at the first packet, the drop is tentative: the next
	 * checkpoint (packet 2) asks the model again, the same class, no new
	 * event; decided there, it holds at packet 4: no model run. */
	assert_int_equal(send_pkt(H_TC, &s, T0_US + 78, NULL), TC_ACT_SHOT);
	assert_int_equal(poll_events(), 1);
	get_counters(&c);
	assert_int_equal(c.c[FF_C_CLASSIFICATIONS], 2);
	assert_int_equal(c.c[FF_C_HELD], 0);
	assert_int_equal(send_pkt(H_TC, &s, T0_US + 79, NULL), TC_ACT_SHOT);
	assert_int_equal(send_pkt(H_TC, &s, T0_US + 80, NULL), TC_ACT_SHOT);
	assert_int_equal(poll_events(), 1);
	get_counters(&c);
	assert_int_equal(c.c[FF_C_CLASSIFICATIONS], 2);
	assert_int_equal(c.c[FF_C_HELD], 1);
	assert_int_equal(c.c[FF_C_EVENTS], 1);
	assert_int_equal(c.c[FF_C_EVENTS_LOST], 0);
	assert_int_equal(env.ev_dropped, 0);
}

static void events_ping_flood_changed(void **state)
{
	struct pkt_spec s = {
		.family = 4, .proto = 1, .saddr = "10.14.1.1", .daddr = "10.14.1.2",
		.icmp_type = 8, .icmp_id = 99, .payload_len = 16,
	};
	struct ff_flow_key k;
	const struct ff_event *e;
	int i;

	REQUIRE_BPF();
	key_for(&k, 4, 1, s.saddr, 99, s.daddr, 99, false);
	for (i = 1; i <= 32; i++)
		send_pkt(H_XDP, &s, T0_US + 100ULL * i, NULL);
	assert_int_equal(poll_events(), 2);
	e = &env.ev[0];
	assert_int_equal(e->type, FF_EV_CLASSIFIED);
	assert_int_equal(e->cls, CLS_BENIGN);
	assert_int_equal(e->prev_cls, FF_CLASS_NONE);
	assert_int_equal(e->pkts, 1);
	assert_int_equal(e->action, FF_ACT_PASS);
	e = &env.ev[1];
	assert_int_equal(e->type, FF_EV_CHANGED);
	assert_int_equal(e->cls, CLS_PING_FLOOD);
	assert_int_equal(e->prev_cls, CLS_BENIGN);
	assert_int_equal(e->pkts, 32);
	assert_int_equal(e->bytes, 32 * (20 + 8 + 16));
	assert_int_equal(e->action, FF_ACT_DROP);
	assert_int_equal(e->ts_us, T0_US + 3200);
	assert_int_equal(e->first_us, T0_US + 100);
	assert_memory_equal(&e->key, &k, sizeof(k));
}

/* An event carries each direction's share and the TCP flags seen (what an
 * IPFIX exporter reports): a handshake, then silence past the idle
 * timeout; the next packet ends the flow with an `ended` event. */
static void events_ended_carry_directions_and_flags(void **state)
{
	struct pkt_spec ab = {
		.family = 4, .proto = 6, .saddr = "10.14.4.1", .daddr = "10.14.4.2",
		.sport = 40000, .dport = 80, .tcp_flags = 0x02, .payload_len = 0,
	};
	struct pkt_spec ba = ab;
	const struct ff_event *e = NULL;
	int i;

	REQUIRE_BPF();
	ba.saddr = ab.daddr;
	ba.daddr = ab.saddr;
	ba.sport = ab.dport;
	ba.dport = ab.sport;
	ba.tcp_flags = 0x12;
	ba.payload_len = 100;
	send_pkt(H_XDP, &ab, T0_US + 10, NULL);
	send_pkt(H_XDP, &ba, T0_US + 20, NULL);
	send_pkt(H_XDP, &ba, T0_US + 30, NULL);
	ab.tcp_flags = 0x10;
	send_pkt(H_XDP, &ab, T0_US + 40, NULL);
	/* past the default idle timeout of 120 s */
	send_pkt(H_XDP, &ab, T0_US + 200000000ULL, NULL);
	poll_events();
	for (i = 0; i < env.n_ev; i++)
		if (env.ev[i].type == FF_EV_ENDED)
			e = &env.ev[i];
	assert_non_null(e);
	assert_int_equal(e->pkts, 4);
	assert_int_equal(e->bytes, 2 * (20 + 20) + 2 * (20 + 20 + 100));
	assert_int_equal(e->resp_pkts, 2);
	assert_int_equal(e->resp_bytes, 2 * (20 + 20 + 100));
	assert_int_equal(e->tcp_flags, 0x12);
	assert_int_equal(e->initiator_is_b, 0);
}

/* n UDP probes of `s` at T0_US, one flow each (source ports 0..n-1), all
 * dropped at their first packet: n events. */
static void send_udp_probes(const struct pkt_spec *s, int n)
{
	uint8_t frame[128];
	size_t len = pkt_build(s, frame, sizeof(frame));
	int i;

	set_clock_us(T0_US);
	for (i = 0; i < n; i++) {
		frame[14 + 20] = (i >> 8) & 0xff;	/* UDP source port */
		frame[14 + 20 + 1] = i & 0xff;
		assert_int_equal(run_frame(H_XDP, frame, len), XDP_DROP);
	}
}

/*
 * With nobody reading, the 1 MiB ring fills up; every verdict is then
 * either delivered or counted in FF_C_EVENTS_LOST, never both, never
 * neither.
 */
static void events_ring_full_counted_lost(void **state)
{
	struct pkt_spec s = {
		.family = 4, .proto = 17, .saddr = "10.14.2.1", .daddr = "10.14.2.2",
		.dport = 9999,
	};
	struct ff_counters c;
	int n = 12000;

	REQUIRE_BPF();
	send_udp_probes(&s, n);
	get_counters(&c);
	assert_int_equal(c.c[FF_C_FLOWS_CREATED], n);
	assert_int_equal(c.c[FF_C_CLASSIFICATIONS], n);
	assert_int_equal(c.c[FF_C_EVENTS] + c.c[FF_C_EVENTS_LOST], n);
	assert_true(c.c[FF_C_EVENTS_LOST] > 0);
	poll_events();
	assert_int_equal(env.n_ev + env.ev_dropped, c.c[FF_C_EVENTS]);
	/* Drained, the ring takes events again. */
	s.sport = 1;
	s.saddr = "10.14.3.1";
	assert_int_equal(send_pkt(H_XDP, &s, T0_US + 1, NULL), XDP_DROP);
	env.n_ev = 0;
	env.ev_dropped = 0;
	assert_int_equal(poll_events(), 1);
	assert_int_equal(env.ev[0].type, FF_EV_CLASSIFIED);
}

/* IRQ work interrupts of CPU `cpu` so far (/proc/interrupts IWI); -1:
 * not there. */
static long long irq_work_count(int cpu)
{
	char line[4096], *p;
	long long v = -1;
	FILE *f = fopen("/proc/interrupts", "r");
	int i;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		p = line + strspn(line, " ");
		if (strncmp(p, "IWI:", 4))
			continue;
		p += 4;
		for (i = 0; i <= cpu; i++)
			v = strtoll(p, &p, 10);
		break;
	}
	fclose(f);
	return v;
}

/*
 * A ring that nobody drains wakes its reader once past 256 KiB and at
 * each further 64 KiB, not at every event: each wake-up is an interrupt
 * (an IRQ work self-IPI, a VM exit on a guest). 6,000 events of 128 bytes
 * with the ring empty at the start cross 256 KiB at about the 2,048th;
 * woken at every event after that, the CPU took about 4,000 IRQ work
 * interrupts (and the realistic mix of bench_pipeline 210 ns a packet).
 */
static void events_filling_ring_wakes_rarely(void **state)
{
	struct pkt_spec s = {
		.family = 4, .proto = 17, .saddr = "10.14.4.1", .daddr = "10.14.4.2",
		.dport = 9999,
	};
	struct ff_counters c;
	cpu_set_t one, old;
	long long before, after;
	int n = 6000, cpu = sched_getcpu();

	REQUIRE_BPF();
	assert_int_equal(sched_getaffinity(0, sizeof(old), &old), 0);
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	assert_int_equal(sched_setaffinity(0, sizeof(one), &one), 0);
	before = irq_work_count(cpu);
	if (before < 0) {
		sched_setaffinity(0, sizeof(old), &old);
		skip();
		return;
	}
	poll_events();	/* the ring empty */
	send_udp_probes(&s, n);
	after = irq_work_count(cpu);
	sched_setaffinity(0, sizeof(old), &old);
	get_counters(&c);
	assert_int_equal(c.c[FF_C_EVENTS], n);
	print_message("[ events ] %d events, %lld IRQ work interrupts on CPU %d\n", n,
		      after - before, cpu);
	assert_true(after - before < 500);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(classify_udp_probe_dropped, test_setup),
		cmocka_unit_test_setup(classify_udp_benign_passes, test_setup),
		cmocka_unit_test_setup(classify_ping_flood_after_32, test_setup),
		cmocka_unit_test_setup(classify_on_fin, test_setup),
		cmocka_unit_test_setup(classify_checkpoint_schedule, test_setup),
		cmocka_unit_test_setup(classify_count_jumps_checkpoint, test_setup),
		cmocka_unit_test_setup(events_udp_probe_classified_once, test_setup),
		cmocka_unit_test_setup(events_ping_flood_changed, test_setup),
		cmocka_unit_test_setup(events_ring_full_counted_lost, test_setup),
		cmocka_unit_test_setup(events_filling_ring_wakes_rarely, test_setup),
		cmocka_unit_test_setup(events_ended_carry_directions_and_flags, test_setup),
	};

	return cmocka_run_group_tests_name("bpf_classify", tests, group_setup, group_teardown);
}
